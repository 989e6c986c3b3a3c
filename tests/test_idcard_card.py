"""The card text block both ways, for every layout; the typed reading's JSON, expiry and masking."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from devices.idcard.card import (LAYOUTS, LONG_TERM, NATIONS, TEXT_LEN, IdCard, build_text, layout_of,
                                 parse_text)
from devices.idcard.errors import CardUnreadable
from devices.idcard.samples import SAMPLE_CARDS, fake_photo
from service.contract.ids import is_valid

pytestmark = pytest.mark.timeout(20)
CONTRACT_KEYS = {"card_type", "name", "sex", "nation", "birth", "address", "id_number", "authority",
                 "valid_from", "valid_to", "photo_bytes"}


@pytest.mark.parametrize("key", sorted(SAMPLE_CARDS))
def test_every_sample_card_round_trips_through_its_text_block(key):
    card = SAMPLE_CARDS[key]
    text = build_text(card)
    assert len(text) == TEXT_LEN
    assert parse_text(text, card.photo, card.fingerprint, source="sample", at=0.0) == card


def test_layout_is_detected_from_byte_248():
    assert layout_of(build_text(SAMPLE_CARDS["zhang"])) == "resident"
    assert layout_of(build_text(SAMPLE_CARDS["tanaka"])) == "I"
    assert layout_of(build_text(SAMPLE_CARDS["smith"])) == "Y"
    assert layout_of(build_text(SAMPLE_CARDS["wong"])) == "J"
    assert build_text(SAMPLE_CARDS["wong"])[248:250] == "J".encode("utf-16-le")


def test_resident_fields_sit_at_the_documented_offsets():
    text = build_text(SAMPLE_CARDS["zhang"])
    assert text[0:6].decode("utf-16-le") == "张伟明"
    assert text[30:32].decode("utf-16-le") == "1"
    assert text[32:36].decode("utf-16-le") == "01"
    assert text[36:52].decode("utf-16-le") == "19850312"
    assert text[122:158].decode("utf-16-le") == SAMPLE_CARDS["zhang"].id_number
    assert text[204:220].decode("utf-16-le") == "20360520"
    long_term = build_text(SAMPLE_CARDS["chen"])
    assert long_term[204:220].decode("utf-16-le").strip() == LONG_TERM


def test_foreign_2023_english_name_is_split_at_35_characters():
    card = SAMPLE_CARDS["smith"]
    assert len(card.name_en) > 35
    text = build_text(card)
    assert text[52:122].decode("utf-16-le") == card.name_en[:35]
    assert text[220:242].decode("utf-16-le").rstrip() == card.name_en[35:]
    assert text[242:248].decode("utf-16-le") == "CAN"
    assert card.id_number.startswith("9") and is_valid(card.id_number)
    # a name whose 35th character is a space keeps it
    spaced = replace(card, name_en="A" * 34 + " " + "BCDEF")
    assert parse_text(build_text(spaced), source="t", at=0).name_en == "A" * 34 + " BCDEF"


def test_foreign_2017_layout():
    card = parse_text(build_text(SAMPLE_CARDS["tanaka"]), source="t", at=0)
    assert (card.card_type, card.layout, card.name_en, card.nationality) == \
        ("foreign_permanent", "I", "TANAKA, HIROSHI", "JPN")
    assert card.id_number == "JPN441780915013" and card.birth == date(1978, 9, 15)
    assert card.address is None and card.nation is None


def test_residence_permit_fields():
    card = parse_text(build_text(SAMPLE_CARDS["wong"]), source="t", at=0)
    assert card.card_type == "gat_residence" and card.pass_number == "H60238817" and card.issue_count == 1
    assert card.id_number.startswith("810000") and is_valid(card.id_number) and card.nation is None


def test_nation_table_has_56_groups_and_the_two_others():
    assert len([c for c in NATIONS if int(c) <= 56]) == 56
    assert NATIONS["01"] == "汉" and NATIONS["56"] == "基诺" and NATIONS["08"] == "壮"
    assert NATIONS["97"] == "其他" and NATIONS["98"] == "外国血统"


def test_layouts_fill_exactly_256_bytes_without_overlap():
    for name, fields in LAYOUTS.items():
        spans = sorted((off, n) for _, off, n in fields)
        pos = 0
        for off, n in spans:
            assert off == pos, (name, off)
            pos += n
        assert pos == TEXT_LEN, name


def test_json_shape_follows_the_contract():
    doc = SAMPLE_CARDS["zhang"].to_json_dict()
    assert CONTRACT_KEYS <= set(doc)
    assert doc["birth"] == "1985-03-12" and doc["valid_to"] == "2036-05-20" and doc["photo_bytes"] == 1024
    assert doc["name_en"] is None and doc["pass_number"] is None
    assert SAMPLE_CARDS["chen"].to_json_dict()["valid_to"] == "长期"
    foreign = SAMPLE_CARDS["smith"].to_json_dict()
    assert foreign["name_en"].startswith("SMITH") and foreign["nationality"] == "CAN"
    assert foreign["address"] is None
    gat = SAMPLE_CARDS["wong"].to_json_dict()
    assert gat["pass_number"] == "H60238817" and gat["issue_count"] == 1
    json.dumps(doc, ensure_ascii=False)


def test_expiry_and_age():
    today = date(2026, 11, 23)
    assert SAMPLE_CARDS["expired"].is_expired(today)
    assert not SAMPLE_CARDS["zhang"].is_expired(today)
    assert not SAMPLE_CARDS["chen"].is_expired(date(2099, 1, 1))  # 长期
    assert SAMPLE_CARDS["zhang"].is_expired(date(2036, 5, 21)) and not SAMPLE_CARDS["zhang"].is_expired(
        date(2036, 5, 20))
    assert SAMPLE_CARDS["minor"].age_on(today) < 18 <= SAMPLE_CARDS["li"].age_on(today)


def test_every_sample_number_is_valid_and_people_live_in_yangjiang():
    for key, card in SAMPLE_CARDS.items():
        if card.layout in ("resident", "J", "Y"):
            assert is_valid(card.id_number, date(2026, 11, 23)), key
        if card.card_type == "resident":
            assert card.id_number.startswith("4417") and "阳" in card.address, key
        assert len(card.photo) == 1024, key


def test_repr_masks_personal_data():
    card = SAMPLE_CARDS["zhang"]
    text = repr(card) + str(card)
    assert card.name not in text and card.id_number not in text and card.address not in text
    assert "张**" in text


@pytest.mark.parametrize("mutate, why", [
    (lambda t: t[:200], "256"),
    (lambda t: t[:248] + "Q".encode("utf-16-le") + t[250:], "type"),
    (lambda t: t[:36] + "1985AB12".encode("utf-16-le") + t[52:], "birth"),
    (lambda t: t[:0] + b"\x00\xd8" + t[2:], "UCS-2"),
    (lambda t: " ".encode("utf-16-le") * 61 + t[122:], "no name"),
])
def test_malformed_text_blocks_raise_card_unreadable(mutate, why):
    with pytest.raises(CardUnreadable) as info:
        parse_text(mutate(build_text(SAMPLE_CARDS["zhang"])))
    assert info.value.message_zh and info.value.message_en


def test_build_refuses_fields_that_do_not_fit():
    with pytest.raises(ValueError):
        build_text(replace(SAMPLE_CARDS["zhang"], name="欧" * 16))


def test_fake_photos_differ_and_carry_the_wlt_magic():
    assert fake_photo("a") != fake_photo("b") and fake_photo("a").startswith(b"WLf")
    assert isinstance(SAMPLE_CARDS["zhang"], IdCard)
