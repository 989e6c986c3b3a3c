"""Ed25519 keys and request signatures: how a kiosk proves to the platform who is calling.

A kiosk signs every request with its own key (CONTRACT.md "Who may call the platform")::

    METHOD \\n PATH_AND_QUERY \\n TIME \\n NONCE \\n SHA256_HEX_OF_BODY

and sends ``X-Kiosk-Id``, ``X-Kiosk-Time`` (Unix seconds), ``X-Kiosk-Nonce`` (16–64 characters of
``[A-Za-z0-9_-]``, never reused) and ``X-Kiosk-Signature`` (base64url, no padding). The platform
checks the signature against the kiosk's enrolled public key, the time against its clock and the
nonce against the ones it has seen. Keys are made once, on first start, and kept 0600.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.contract.files import write_private

MAX_SKEW_S = 300
KIOSK_ID = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HEADERS = ("X-Kiosk-Id", "X-Kiosk-Time", "X-Kiosk-Nonce", "X-Kiosk-Signature")


class SignatureError(Exception):
    """Why a request's signature is refused (``detail`` is English, for the log and the 401)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- keys ------------------------------------------------------------------------------------------
def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key (the e-licence ``kid`` too)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_key(private_path: Path, public_path: Path | None = None) -> Ed25519PrivateKey:
    """The Ed25519 key in ``private_path`` (PKCS#8 PEM, 0600), made on first use, with its public
    half written beside it (``public_path``, default ``<stem>.pub.pem``) for enrolment."""
    private_path = Path(private_path)
    public_path = Path(public_path) if public_path else private_path.with_suffix(".pub.pem")
    if private_path.exists():
        key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{private_path} is not an Ed25519 key")
    else:
        private_path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        write_private(private_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    if not public_path.exists():
        public_path.write_bytes(public_pem(key))
    return key


def public_key_from_pem(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


# -- requests --------------------------------------------------------------------------------------
def canonical(method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path_and_query}\n{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign_headers(key: Ed25519PrivateKey, kiosk_id: str, method: str, path_and_query: str, body: bytes,
                 now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The four headers a kiosk adds to one request (a fresh nonce each time)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_urlsafe(18)
    signature = key.sign(canonical(method, path_and_query, timestamp, nonce, body))
    return {"X-Kiosk-Id": kiosk_id, "X-Kiosk-Time": timestamp, "X-Kiosk-Nonce": nonce,
            "X-Kiosk-Signature": b64url(signature)}


def check_signature(key: Ed25519PublicKey, timestamp: str | None, nonce: str | None, signature: str | None,
                    method: str, path_and_query: str, body: bytes, now: float | None = None) -> float:
    """Raise :class:`SignatureError` unless the headers sign this request within the allowed skew;
    returns the request's time (the nonce must then be checked as unseen by the caller)."""
    if not timestamp or not nonce or not signature:
        raise SignatureError("kiosk signature required")
    if not NONCE.match(nonce):
        raise SignatureError("bad nonce")
    try:
        at = int(timestamp)
    except ValueError:
        raise SignatureError("bad timestamp") from None
    if abs((time.time() if now is None else now) - at) > MAX_SKEW_S:
        raise SignatureError("timestamp too far from the platform's clock")
    try:
        key.verify(unb64url(signature), canonical(method, path_and_query, timestamp, nonce, body))
    except (InvalidSignature, ValueError):
        raise SignatureError("bad signature") from None
    return float(at)
