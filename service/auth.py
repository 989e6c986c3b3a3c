"""Who may call the platform, and how often: kiosks sign their requests, each with its own key.

A kiosk signs ``METHOD\\nPATH\\nTIME\\nSHA256(BODY)`` with its Ed25519 key and sends ``X-Kiosk-Id``,
``X-Kiosk-Time`` (Unix seconds) and ``X-Kiosk-Signature`` (base64url). The platform holds the
enrolled public keys in a folder (``<kiosk_id>.pub.pem``) and a ``revoked.txt`` (one id a line);
an unknown, revoked or badly signed kiosk, or a time more than five minutes off, gets 401. The
check is on when the platform is given that folder (``yzt service --kiosk-keys DIR``; the
embedded platform enrols its own kiosk). Rate limits apply per kiosk (or per address without one).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_SKEW_S = 300
_ID = re.compile(r"^[A-Za-z0-9._-]{1,80}$")


def canonical(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign_headers(key: Ed25519PrivateKey, kiosk_id: str, method: str, path: str, body: bytes,
                 now: float | None = None) -> dict[str, str]:
    """The headers a kiosk adds to one request."""
    timestamp = str(int(time.time() if now is None else now))
    signature = key.sign(canonical(method, path, timestamp, body))
    return {"X-Kiosk-Id": kiosk_id, "X-Kiosk-Time": timestamp,
            "X-Kiosk-Signature": base64.urlsafe_b64encode(signature).rstrip(b"=").decode()}


def load_or_create_kiosk_key(path: Path) -> Ed25519PrivateKey:
    """This kiosk's signing key (0600), made on first start; its public half beside it for enrolment."""
    from kiosk.paths import write_private

    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    path.with_suffix(".pub.pem").write_bytes(public_pem(key))
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class AuthError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class KioskKeys:
    """The enrolled kiosks' public keys, read from a folder (re-read when it changes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] = ()
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._revoked: set[str] = set()

    def enrol(self, kiosk_id: str, pem: bytes) -> None:
        if not _ID.match(kiosk_id):
            raise ValueError(f"bad kiosk id {kiosk_id!r}")
        serialization.load_pem_public_key(pem)  # refuse garbage now, not at the first request
        (self.folder / f"{kiosk_id}.pub.pem").write_bytes(pem)

    def _refresh(self) -> None:
        files = sorted(self.folder.glob("*.pub.pem")) + [self.folder / "revoked.txt"]
        stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files) + (len(files),)
        if stamp == self._stamp:
            return
        keys: dict[str, Ed25519PublicKey] = {}
        for f in files[:-1]:
            try:
                key = serialization.load_pem_public_key(f.read_bytes())
            except ValueError:
                continue
            if isinstance(key, Ed25519PublicKey):
                keys[f.name[: -len(".pub.pem")]] = key
        revoked_file = self.folder / "revoked.txt"
        revoked = {line.strip() for line in revoked_file.read_text().splitlines()} if revoked_file.exists() else set()
        self._keys, self._revoked, self._stamp = keys, revoked - {""}, stamp

    def verify(self, kiosk_id: str | None, timestamp: str | None, signature: str | None, method: str, path: str,
               body: bytes, now: float | None = None) -> str:
        """The kiosk id when the request is signed by an enrolled, unrevoked kiosk; AuthError otherwise."""
        if not kiosk_id or not timestamp or not signature or not _ID.match(kiosk_id):
            raise AuthError("kiosk signature required")
        with self._lock:
            self._refresh()
            key = self._keys.get(kiosk_id)
            revoked = kiosk_id in self._revoked
        if key is None:
            raise AuthError(f"unknown kiosk {kiosk_id}")
        if revoked:
            raise AuthError(f"kiosk {kiosk_id} is revoked")
        try:
            skew = abs((time.time() if now is None else now) - int(timestamp))
        except ValueError:
            raise AuthError("bad timestamp") from None
        if skew > MAX_SKEW_S:
            raise AuthError("timestamp too far from the platform's clock")
        try:
            raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            key.verify(raw, canonical(method, path, timestamp, body))
        except (InvalidSignature, ValueError):
            raise AuthError("bad signature") from None
        return kiosk_id


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per caller: ``rate`` requests a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clock: "callable" = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, who: str) -> float:
        """0 when allowed now; else the seconds to wait."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(who)
            if bucket is None:
                if len(self._buckets) > 10_000:  # forget the idle ones rather than grow without end
                    self._buckets = {k: b for k, b in self._buckets.items() if now - b.at < 60}
                bucket = self._buckets[who] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate
