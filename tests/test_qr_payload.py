"""What a QR text means: our signed e-licence, a receipt's progress code, or a clear refusal — never an exception."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.qr import synth
from devices.qr.decode import decode_frame
from devices.qr.payload import LicencePayload, Payload, ProgressPayload, Refused, parse
from service.contract import acceptance, elicence

NUMBER = acceptance.make(__import__("datetime").date(2026, 12, 1), 17, 42, b"k" * 32)
NOW = 1_800_000_100


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    key = elicence.load_or_create_signing_key(folder)
    return key, key.public_key()


def test_a_valid_licence_read_from_a_camera_frame(keys):
    key, pub = keys
    text = elicence.sign(key, "91441702MA0000000X", "阳江市星河科技有限公司", issued_at=1_800_000_000)
    frame = synth.phone_frame(text)
    (code,) = decode_frame(frame)
    result = parse(code.text, public_key=pub, now=NOW)
    assert isinstance(result, LicencePayload) and result.ok and result.kind == "licence"
    assert result.licence.uscc == "91441702MA0000000X" and result.licence.name == "阳江市星河科技有限公司"
    assert "阳江市星河科技有限公司" in result.message_zh and "91441702MA0000000X" in result.message_en


def test_the_printed_verification_link_is_read_as_the_licence_it_carries(keys):
    """The licence QR is a link a phone opens; the kiosk takes the signed payload out of it and verifies
    it offline."""
    key, pub = keys
    text = elicence.sign(key, "91441702MA0000000X", "阳江市星河科技有限公司", issued_at=1_800_000_000)
    link = elicence.link("https://yzt.yangjiang.gov.cn", text)
    assert link.startswith("https://yzt.yangjiang.gov.cn/v/YZTL1.")
    (code,) = decode_frame(synth.phone_frame(link))
    result = parse(code.text, public_key=pub, now=NOW)
    assert isinstance(result, LicencePayload) and result.licence.uscc == "91441702MA0000000X"
    forged = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")
    assert isinstance(parse(forged, public_key=pub, now=NOW), Refused)


@pytest.mark.parametrize("how, reason", [
    ("expired", "expired"), ("tampered", "bad_signature"), ("foreign", "unknown_key"), ("truncated", "malformed"),
])
def test_bad_licences_are_refused_with_a_reason(keys, tmp_path, how, reason):
    key, pub = keys
    text = elicence.sign(key, "91441702MA0000000X", "星河", issued_at=1_000 if how == "expired" else 1_800_000_000,
                         validity_s=10 if how == "expired" else elicence.DEFAULT_VALIDITY_S)
    if how == "tampered":
        text = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    elif how == "foreign":
        text = elicence.sign(elicence.load_or_create_signing_key(tmp_path), "91441702MA0000000X", "星河",
                             issued_at=1_800_000_000)
    elif how == "truncated":
        text = text[:40]
    result = parse(text, public_key=pub, now=NOW)
    assert isinstance(result, Refused) and not result.ok and result.reason == reason
    assert result.message_zh and result.message_en


def test_no_platform_key_on_the_kiosk_refuses_rather_than_raises(keys, tmp_path, monkeypatch):
    monkeypatch.setenv("YZT_PLATFORM_KEYS", str(tmp_path / "none"))
    key, _ = keys
    result = parse(elicence.sign(key, "91441702MA0000000X", "星河"))
    assert isinstance(result, Refused) and result.reason == "no_key" and "公钥" in result.message_zh


@pytest.mark.parametrize("text", [
    f"https://yzt.example.gov.cn/p/{NUMBER}", f"http://10.0.0.5:8700/kiosk/p/{NUMBER}/",
    f"HTTPS://other.host/a/b/p/{NUMBER}?from=receipt#x", NUMBER, f"  {NUMBER}\r\n",
    acceptance.progress_link("https://yzt.example.gov.cn/", NUMBER),
])
def test_progress_codes_give_the_acceptance_number(text):
    result = parse(text)
    assert isinstance(result, ProgressPayload) and result.acceptance_no == NUMBER and result.message_zh


@pytest.mark.parametrize("text", [f"https://h/p/{NUMBER[:-1]}", "https://h/p/not-a-number",
                                  f"https://h/p/{NUMBER[:-1]}{(int(NUMBER[-1]) + 1) % 10}"])
def test_malformed_progress_codes_are_refused(text):
    result = parse(text)
    assert isinstance(result, Refused) and result.reason == "progress_malformed"


@pytest.mark.parametrize("text, reason", [
    ("https://www.example.com/", "not_licence"),
    (f"https://h/status/{NUMBER}", "not_licence"),
    (NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10), "not_licence"),
    ("hello world", "not_licence"),
    ("http://www.gsxt.gov.cn/index.html?uniscid=91441702MA0000000X", "paper_licence"),
    ("", "empty"), ("   \r\n", "empty"),
    ("x" * 3000 + "\x00", "binary"),
    ("z" * 5000, "too_long"),
    ("http://[::1", "not_licence"),
    (os.urandom(3072), "binary"),
    (b"\xff\xfe\x00junk", "binary"),
    ("YZTL1." + "\u4e2d" * 50, "malformed"),
    (12345, "not_licence"),
])
def test_everything_else_is_a_clear_not_a_licence(text, reason, keys):
    result = parse(text, public_key=keys[1])
    assert isinstance(result, Refused) and result.reason == reason
    assert result.message_zh and result.message_en and not result.ok


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=300),
    st.binary(max_size=3500),
    st.builds(lambda s: "YZTL1." + s, st.text(max_size=200)),
    st.builds(lambda a, b, c: f"YZTL1.{a}.{b}" + c, st.text("ABCDEFabcdef0123456789-_", max_size=80),
              st.text("ABCDEFabcdef0123456789-_", max_size=90), st.text(max_size=5)),
    st.builds(lambda h, p: f"https://{h}/{p}/p/{NUMBER}", st.text(max_size=20), st.text(max_size=20)),
    st.builds(lambda p: f"http://x/p/{p}", st.text(max_size=50)),
    st.builds(lambda p: f"https://x/v/YZTL1.{p}", st.text(max_size=80)),
))
def test_fuzzed_inputs_always_give_a_typed_result(keys, text):
    test_fuzzed_inputs_always_give_a_typed_result.tried += 1  # type: ignore[attr-defined]
    result = parse(text, public_key=keys[1], now=NOW)
    assert isinstance(result, Payload) and result.kind in ("licence", "progress", "refused")
    assert result.message_zh and result.message_en
    if isinstance(result, ProgressPayload):
        assert acceptance.is_valid(result.acceptance_no)


test_fuzzed_inputs_always_give_a_typed_result.tried = 0  # type: ignore[attr-defined]


def test_report_fuzz_cases_tried():
    tried = test_fuzzed_inputs_always_give_a_typed_result.tried  # type: ignore[attr-defined]
    print(f"\npayload parser fuzz: {tried} cases tried")
    assert tried == 0 or tried >= 100
