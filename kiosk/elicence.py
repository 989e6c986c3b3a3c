"""The platform's signed e-licence QR payload, verifiable offline with the platform's public key.

Format (ours to define; the national e-licence code has no public format)::

    YZTL1.<payload>.<signature>

``payload`` is base64url (no padding) of compact UTF-8 JSON
``{"v": 1, "uscc", "name", "iat", "exp", "kid"}`` (times as Unix seconds; ``kid`` is the first
16 hex digits of the SHA-256 of the raw public key); ``signature`` is base64url of the Ed25519
signature over the ASCII bytes ``YZTL1.<payload>``. Short enough for a version-10 QR code.

Keys live in a key folder: ``platform_ed25519.pem`` (private, 0600, the platform's) and
``platform_ed25519.pub.pem`` (public, what kiosks carry). :func:`default_key_dir` is where the
embedded platform keeps them, so ``yzt license verify`` finds the key of a local demo by itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.paths import default_data_dir, write_private

PREFIX = "YZTL1."
PRIVATE_NAME = "platform_ed25519.pem"
PUBLIC_NAME = "platform_ed25519.pub.pem"
DEFAULT_VALIDITY_S = 10 * 365 * 24 * 3600  # the code is re-issued with the licence; a decade bounds replay


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

    def to_dict(self) -> dict:
        return {"valid": True, "uscc": self.uscc, "name": self.name, "issued_at": self.issued_at,
                "expires_at": self.expires_at, "kid": self.kid}


def default_key_dir() -> Path:
    """``$YZT_PLATFORM_KEYS``, else ``platform/keys`` in the default data folder."""
    env = os.environ.get("YZT_PLATFORM_KEYS")
    return Path(env).expanduser() if env else default_data_dir() / "platform" / "keys"


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_signing_key(key_dir: Path | None = None) -> Ed25519PrivateKey:
    """The platform's signing key, created (0600) with its public half on first use."""
    key_dir = key_dir or default_key_dir()
    private_path = key_dir / PRIVATE_NAME
    if private_path.exists():
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{private_path} is not an Ed25519 key")
    else:
        key_dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        write_private(private_path, pem)
    public_path = key_dir / PUBLIC_NAME
    if not public_path.exists():
        public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    return key


def load_public_key(path: Path | None = None) -> Ed25519PublicKey:
    path = path or default_key_dir() / PUBLIC_NAME
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except FileNotFoundError:
        raise LicenceCodeError("no_key", f"platform public key not found at {path}",
                               "本机缺少平台公钥，无法核验电子营业执照，请联系工作人员。") from None
    except ValueError:
        raise LicenceCodeError("no_key", f"{path} is not a PEM public key",
                               "平台公钥文件损坏，请联系工作人员。") from None
    if not isinstance(key, Ed25519PublicKey):
        raise LicenceCodeError("no_key", f"{path} is not an Ed25519 public key", "平台公钥类型不符，请联系工作人员。")
    return key


def sign(key: Ed25519PrivateKey, uscc: str, name: str, issued_at: int | None = None,
         validity_s: int = DEFAULT_VALIDITY_S) -> str:
    """Make the QR text of an e-licence."""
    iat = int(time.time() if issued_at is None else issued_at)
    body = {"v": 1, "uscc": uscc, "name": name, "iat": iat, "exp": iat + validity_s, "kid": key_id(key.public_key())}
    signed = PREFIX + _b64e(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return signed + "." + _b64e(key.sign(signed.encode("ascii")))


def looks_like_licence(text: str) -> bool:
    return text.startswith(PREFIX)


def verify(text: str, public_key: Ed25519PublicKey | None = None, now: float | None = None) -> LicenceCode:
    """Check an e-licence QR text offline; raise :class:`LicenceCodeError` saying why it is not valid."""
    if not isinstance(text, str) or not looks_like_licence(text.strip()):
        raise LicenceCodeError("not_licence", "not an e-licence code", "这不是电子营业执照二维码，请出示电子营业执照。")
    text = text.strip()
    parts = text.split(".")
    if len(parts) != 3:
        raise LicenceCodeError("malformed", "e-licence code is malformed", "电子营业执照二维码不完整，请重新出示。")
    try:
        body = json.loads(_b64d(parts[1]).decode("utf-8"))
        signature = _b64d(parts[2])
        if not isinstance(body, dict) or body.get("v") != 1:
            raise ValueError("version")
        uscc, name = str(body["uscc"]), str(body["name"])
        iat, exp, kid = int(body["iat"]), int(body["exp"]), str(body["kid"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
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
