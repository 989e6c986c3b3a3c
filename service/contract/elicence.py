"""The platform's signed e-licence QR payload, verifiable offline with the platform's public key.

Format (ours to define; the national e-licence code has no public format)::

    YZTL1.<payload>.<signature>

``payload`` is base64url (no padding) of compact UTF-8 JSON
``{"v": 1, "uscc", "name", "iat", "exp", "kid"}`` (times as Unix seconds; ``kid`` is the first
16 hex digits of the SHA-256 of the raw public key); ``signature`` is base64url of the Ed25519
signature over the ASCII bytes ``YZTL1.<payload>``.

What is printed and shown is a *link* that carries the payload, ``<public_url>/v/YZTL1.…``: a
phone's camera opens the platform's verification page, and the kiosk (or ``yzt license verify``)
takes the payload out of the link and verifies it offline.

Keys live in a key folder: ``platform_ed25519.pem`` (private, 0600, the platform's) and
``platform_ed25519.pub.pem`` (public, what kiosks carry). :func:`default_key_dir` is where the
embedded platform keeps them, so ``yzt license verify`` finds the key of a local demo by itself.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.contract.files import default_data_dir
from service.contract.signing import b64url, fingerprint, load_or_create_key, public_key_from_pem, unb64url

PREFIX = "YZTL1."
LINK_PATH = "/v/"
PRIVATE_NAME = "platform_ed25519.pem"
PUBLIC_NAME = "platform_ed25519.pub.pem"
DEFAULT_VALIDITY_S = 10 * 365 * 24 * 3600  # the code is re-issued with the licence; a decade bounds replay
_PAYLOAD = re.compile(r"YZTL1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class LicenceCodeError(ValueError):
    """Why a text is not a valid e-licence code; ``reason`` is a stable word, messages in zh/en."""

    def __init__(self, reason: str, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_en = message_en
        self.message_zh = message_zh


@dataclass(frozen=True)
class LicenceCode:
    uscc: str
    name: str
    issued_at: int
    expires_at: int
    kid: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"valid": True, "uscc": self.uscc, "name": self.name, "issued_at": self.issued_at,
                "expires_at": self.expires_at, "kid": self.kid}


def default_key_dir() -> Path:
    """``$YZT_PLATFORM_KEYS``, else ``platform/keys`` in the default data folder."""
    env = os.environ.get("YZT_PLATFORM_KEYS")
    return Path(env).expanduser() if env else default_data_dir() / "platform" / "keys"


def key_id(public_key: Ed25519PublicKey) -> str:
    return fingerprint(public_key)


def load_or_create_signing_key(key_dir: Path | None = None) -> Ed25519PrivateKey:
    """The platform's signing key, created (0600) with its public half on first use."""
    key_dir = key_dir or default_key_dir()
    return load_or_create_key(key_dir / PRIVATE_NAME, key_dir / PUBLIC_NAME)


def load_public_key(path: Path | None = None) -> Ed25519PublicKey:
    path = path or default_key_dir() / PUBLIC_NAME
    try:
        return public_key_from_pem(Path(path).read_bytes())
    except FileNotFoundError:
        raise LicenceCodeError("no_key", f"platform public key not found at {path}",
                               "本机缺少平台公钥，无法核验电子营业执照，请联系工作人员。") from None
    except ValueError:
        raise LicenceCodeError("no_key", f"{path} is not an Ed25519 PEM public key",
                               "平台公钥文件损坏，请联系工作人员。") from None


def link(public_url: str, text: str) -> str:
    """The verification link a phone opens, carrying the signed payload."""
    return public_url.rstrip("/") + LINK_PATH + text


def payload_of(text: str) -> str:
    """The ``YZTL1.…`` payload in ``text`` (the payload itself, or any link that carries it)."""
    text = (text or "").strip()
    if text.startswith(PREFIX):
        return text
    found = _PAYLOAD.search(text) if "://" in text else None
    return found.group(0) if found else text


def sign(key: Ed25519PrivateKey, uscc: str, name: str, issued_at: int | None = None,
         validity_s: int = DEFAULT_VALIDITY_S) -> str:
    """Make the QR text of an e-licence."""
    iat = int(time.time() if issued_at is None else issued_at)
    body = {"v": 1, "uscc": uscc, "name": name, "iat": iat, "exp": iat + validity_s, "kid": key_id(key.public_key())}
    signed = PREFIX + b64url(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return signed + "." + b64url(key.sign(signed.encode("ascii")))


def looks_like_licence(text: str) -> bool:
    return isinstance(text, str) and payload_of(text).startswith(PREFIX)


def verify(text: str, public_key: Ed25519PublicKey | None = None, now: float | None = None) -> LicenceCode:
    """Check an e-licence QR text offline; raise :class:`LicenceCodeError` saying why it is not valid."""
    if not isinstance(text, str) or not looks_like_licence(text):
        raise LicenceCodeError("not_licence", "not an e-licence code", "这不是电子营业执照二维码，请出示电子营业执照。")
    text = payload_of(text)
    parts = text.split(".")
    if len(parts) != 3:
        raise LicenceCodeError("malformed", "e-licence code is malformed", "电子营业执照二维码不完整，请重新出示。")
    try:
        body = json.loads(unb64url(parts[1]).decode("utf-8"))
        signature = unb64url(parts[2])
        if not isinstance(body, dict) or body.get("v") != 1:
            raise ValueError("version")
        uscc, name, iat, exp, kid = body["uscc"], body["name"], body["iat"], body["exp"], body["kid"]
        if not (isinstance(uscc, str) and isinstance(name, str) and isinstance(kid, str)
                and type(iat) is int and type(exp) is int and 0 <= iat < 2**40 and 0 <= exp < 2**40):
            raise ValueError("field types")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError, RecursionError):
        raise LicenceCodeError("malformed", "e-licence code is malformed", "电子营业执照二维码无法识别，请重新出示。") from None
    key = public_key or load_public_key()
    if kid != key_id(key):
        raise LicenceCodeError("unknown_key", f"signed by unknown key {kid}",
                               "该电子营业执照并非本平台签发，请到窗口办理。")
    try:
        key.verify(signature, (parts[0] + "." + parts[1]).encode("ascii"))
    except (InvalidSignature, ValueError):
        raise LicenceCodeError("bad_signature", "signature does not verify",
                               "电子营业执照二维码校验失败，可能已被篡改，请到窗口核实。") from None
    now = time.time() if now is None else now
    if now > exp:
        raise LicenceCodeError("expired", "e-licence code has expired",
                               "电子营业执照二维码已过期，请在手机上刷新后重新出示。")
    return LicenceCode(uscc=uscc, name=name, issued_at=iat, expires_at=exp, kid=kid, text=text)
