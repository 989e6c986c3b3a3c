"""The e-licence payload: signed, verified offline, tampering and expiry refused."""

import pytest

from service.contract import elicence


def test_sign_and_verify_round_trip(tmp_path):
    key = elicence.load_or_create_signing_key(tmp_path)
    pub = elicence.load_public_key(tmp_path / elicence.PUBLIC_NAME)
    text = elicence.sign(key, "91441702MA0000000X", "阳江市星河科技有限公司", issued_at=1_800_000_000)
    code = elicence.verify(text, pub, now=1_800_000_100)
    assert code.uscc == "91441702MA0000000X" and code.name == "阳江市星河科技有限公司"
    assert (tmp_path / elicence.PRIVATE_NAME).stat().st_mode & 0o077 == 0
    assert elicence.load_or_create_signing_key(tmp_path).public_key().public_bytes_raw() == pub.public_bytes_raw()


@pytest.mark.parametrize("mutate, reason", [
    (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "bad_signature"),
    (lambda t: "https://www.gsxt.gov.cn/index.html?uniscid=91441702MA0000000X", "not_licence"),
    (lambda t: "YZTL1.@@@.###", "malformed"),
    (lambda t: "YZTL1.onlyone", "malformed"),
])
def test_bad_codes_are_refused_with_a_reason(tmp_path, mutate, reason):
    key = elicence.load_or_create_signing_key(tmp_path)
    text = elicence.sign(key, "91441702MA0000000X", "星河", issued_at=1_800_000_000)
    with pytest.raises(elicence.LicenceCodeError) as err:
        elicence.verify(mutate(text), key.public_key(), now=1_800_000_100)
    assert err.value.reason == reason and err.value.message_zh


def test_expired_and_foreign_key(tmp_path):
    key = elicence.load_or_create_signing_key(tmp_path / "a")
    other = elicence.load_or_create_signing_key(tmp_path / "b")
    text = elicence.sign(key, "91441702MA0000000X", "星河", issued_at=1_000, validity_s=10)
    with pytest.raises(elicence.LicenceCodeError) as err:
        elicence.verify(text, key.public_key(), now=2_000)
    assert err.value.reason == "expired"
    with pytest.raises(elicence.LicenceCodeError) as err:
        elicence.verify(text, other.public_key(), now=1_005)
    assert err.value.reason == "unknown_key"
