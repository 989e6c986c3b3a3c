"""Fictitious people on realistic cards, for the simulator, the demo and the tests.

Everyone lives in 阳江市 (divisions 4417xx); numbers are well formed (GB 11643 check character via
:func:`service.contract.ids.make_id`) but belong to nobody. Dates are fixed, so "expired" and "minor" are
true from 2026 to at least 2028 (the minor turns 18 on 2030-08-20).
"""

from __future__ import annotations

import hashlib
from datetime import date

from devices.idcard.card import LONG_TERM, IdCard
from devices.idcard.protocol import PREAMBLE
from service.contract.ids import make_id


def fake_photo(seed: str, size: int = 1024) -> bytes:
    """A deterministic stand-in for a WLT photo: the WLT magic then pseudo-random bytes."""
    out = bytearray(b"WLf\x00")
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    blob = bytes(out[:size])
    while PREAMBLE in blob:  # keep the blob from looking like a frame (never happens with these seeds)
        blob = blob.replace(PREAMBLE, b"\x00" * len(PREAMBLE))
    return blob


def _resident(key: str, name: str, sex: str, nation: str, birth: date, division: str, seq: int, address: str,
              authority: str, valid_from: date, valid_to: date | str, fingerprint: int = 0) -> IdCard:
    return IdCard(source="sample", at=0.0, card_type="resident", name=name, sex=sex, nation=nation,
                  birth=birth,
                  address=address, id_number=make_id(division, birth, seq), authority=authority,
                  valid_from=valid_from, valid_to=valid_to, photo=fake_photo(key),
                  fingerprint=fake_photo(key + ":fp", fingerprint) if fingerprint else None)


SAMPLE_CARDS: dict[str, IdCard] = {
    "zhang": _resident("zhang", "张伟明", "男", "汉", date(1985, 3, 12), "441702", 11,
                       "广东省阳江市江城区东风二路18号", "阳江市公安局江城分局", date(2016, 5, 20), date(2036, 5, 20),
                       fingerprint=1024),
    "li": _resident("li", "李秀英", "女", "汉", date(1990, 11, 8), "441704", 26,
                    "广东省阳江市阳东区东城镇华宁路66号", "阳江市公安局阳东分局", date(2019, 7, 1), date(2039, 7, 1),
                    fingerprint=512),
    "chen": _resident("chen", "陈国强", "男", "壮", date(1968, 6, 30), "441781", 35,
                      "广东省阳春市春城街道东湖路9号", "阳春市公安局", date(2015, 2, 10), LONG_TERM),
    "minor": _resident("minor", "王子涵", "男", "汉", date(2012, 8, 20), "441721", 53,
                       "广东省阳江市阳西县程村镇海滨路3号", "阳西县公安局", date(2024, 3, 15), date(2029, 3, 15)),
    "expired": _resident("expired", "刘建华", "男", "汉", date(1975, 1, 5), "441702", 77,
                         "广东省阳江市江城区新江北路120号", "阳江市公安局江城分局", date(2004, 1, 10), date(2024, 1, 10)),
    "smith": IdCard(source="sample", at=0.0, card_type="foreign_permanent", layout="Y", name="史密斯",
                    name_en="SMITH-WORTHINGTON, ALEXANDER JONATHAN MICHAEL", sex="男", birth=date(1980, 4, 15),
                    id_number=make_id("944124", date(1980, 4, 15), 13), nationality="CAN",
                    valid_from=date(2024, 2, 1), valid_to=date(2034, 2, 1), renewal_count=0,
                    photo=fake_photo("smith")),
    "tanaka": IdCard(source="sample", at=0.0, card_type="foreign_permanent", layout="I", name="田中浩",
                     name_en="TANAKA, HIROSHI", sex="男", birth=date(1978, 9, 15), id_number="JPN441780915013",
                     nationality="JPN", authority="1500", card_version="01",
                     valid_from=date(2018, 6, 1), valid_to=date(2028, 6, 1), photo=fake_photo("tanaka")),
    "wong": IdCard(source="sample", at=0.0, card_type="gat_residence", layout="J", name="黄嘉欣", sex="女",
                   birth=date(1995, 9, 15), address="广东省阳江市江城区南恩路28号", authority="阳江市公安局",
                   id_number=make_id("810000", date(1995, 9, 15), 24), valid_from=date(2023, 3, 1),
                   valid_to=date(2028, 3, 1), pass_number="H60238817", issue_count=1,
                   photo=fake_photo("wong")),
}
# the two shareholders of the sample LLC
SAMPLE_CARDS["applicant"] = SAMPLE_CARDS["zhang"]
SAMPLE_CARDS["shareholder"] = SAMPLE_CARDS["li"]
