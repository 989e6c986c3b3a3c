"""Who may call the platform, and how often.

* **Kiosks** sign every request (:mod:`service.contract.signing`). Their public keys are enrolled
  as ``<kiosk_id>.pub.pem`` in a folder, ``revoked.txt`` there lists revoked ids; the folder is
  re-read when it changes, so ``yzt platform enrol`` or dropping a file takes effect at once, in
  every worker. A nonce is kept (in the database, shared by the workers) for the signature window:
  a second use is a replay.
* **People who run the platform** sign in with their own accounts: passwords hashed with argon2id
  (argon2-cffi), a lockout after repeated failures, sessions that expire; the cookie carries a
  random token of which only a keyed hash is stored.
* **Rates**: a token bucket per caller (kiosk, or address for anonymous reads).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import CursorResult, bindparam, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.contract.files import ensure_private_dir, write_private
from service.contract.signing import KIOSK_ID, MAX_SKEW_S, SignatureError, check_signature, public_key_from_pem
from service.models import Account, Nonce, SignIn, utcnow


class AuthError(Exception):
    """A refused caller; ``detail`` is English for the log and the 401 body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class KioskKeys:
    """The enrolled kiosks' public keys, read from a folder (re-read when it changes)."""

    RESCAN_S = 2.0

    def __init__(self, folder: Path) -> None:
        self.folder = ensure_private_dir(Path(folder))
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] = ()
        self._quick: tuple[int, int] = (-1, -1)
        self._scanned = 0.0
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._revoked: set[str] = set()

    def enrol(self, kiosk_id: str, pem: bytes) -> None:
        if not KIOSK_ID.match(kiosk_id):
            raise ValueError(f"bad kiosk id {kiosk_id!r}: letters, digits, '.', '_' and '-' only")
        public_key_from_pem(pem)  # refuse garbage now, not at the first request
        write_private(self.folder / f"{kiosk_id}.pub.pem", pem)
        revoked = self.revoked()
        if kiosk_id in revoked:  # enrolling again lifts a revocation
            self._write_revoked(revoked - {kiosk_id})

    def revoke(self, kiosk_id: str) -> None:
        self._write_revoked(self.revoked() | {kiosk_id})

    def revoked(self) -> set[str]:
        path = self.folder / "revoked.txt"
        if not path.exists():
            return set()
        return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()} - {""}

    def _write_revoked(self, ids: set[str]) -> None:
        write_private(self.folder / "revoked.txt", "".join(f"{i}\n" for i in sorted(ids)).encode())

    def enrolled(self) -> list[str]:
        with self._lock:
            self._refresh()
            return sorted(self._keys)

    def _refresh(self) -> None:
        """Re-read the folder when it changed. Every request looks at the folder's own time and the revocation
        list's (a key dropped in, removed or renamed, a revocation however written: seen at once); the keys'
        own times are looked at every ``RESCAN_S`` (a key file rewritten in place)."""
        revoked = self.folder / "revoked.txt"
        try:
            quick = (os.stat(self.folder).st_mtime_ns, revoked.stat().st_mtime_ns if revoked.exists() else 0)
        except OSError:
            quick = (0, 0)
        now = time.monotonic()
        if quick == self._quick and now - self._scanned < self.RESCAN_S:
            return
        self._quick, self._scanned = quick, now
        files = sorted(self.folder.glob("*.pub.pem")) + [revoked]
        stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files) + (len(files),)
        if stamp == self._stamp:
            return
        keys: dict[str, Ed25519PublicKey] = {}
        for f in files[:-1]:
            try:
                keys[f.name[: -len(".pub.pem")]] = public_key_from_pem(f.read_bytes())
            except ValueError:
                continue
        self._keys, self._revoked, self._stamp = keys, self.revoked(), stamp

    def verify(self, kiosk_id: str | None, timestamp: str | None, nonce: str | None, signature: str | None,
               method: str, path_and_query: str, body: bytes, now: float | None = None) -> str:
        """The kiosk id when the request is signed by an enrolled, unrevoked kiosk; AuthError otherwise.
        (The nonce's freshness is :func:`remember_nonce`'s.)"""
        if not kiosk_id or not KIOSK_ID.match(kiosk_id):
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
            check_signature(key, timestamp, nonce, signature, method, path_and_query, body, now)
        except SignatureError as exc:
            raise AuthError(exc.detail) from None
        return kiosk_id


_REMEMBER = insert(Nonce).values(kiosk_id=bindparam("kiosk"), nonce=bindparam("nonce"), seen_at=bindparam("at"))


def remember_nonce(connection: Connection, kiosk_id: str, nonce: str) -> None:
    """Record a nonce (the only statement of its transaction, :meth:`Store.write_light`); AuthError when
    this kiosk used it before (within the window it is kept)."""
    try:
        connection.execute(_REMEMBER, {"kiosk": kiosk_id, "nonce": nonce, "at": utcnow()})
    except IntegrityError:
        raise AuthError("replayed request (nonce already used)") from None


def forget_old_nonces(session: Session) -> int:
    """Nonces older than twice the signature window can never be replayed: a stale time is refused first."""
    cutoff = utcnow() - timedelta(seconds=2 * MAX_SKEW_S)
    return cast(CursorResult[Any], session.execute(delete(Nonce).where(Nonce.seen_at < cutoff))).rowcount or 0


# -- people who run the platform ------------------------------------------------------------------------
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


@dataclass(frozen=True)
class SignedIn:
    account_id: int
    username: str
    role: str
    csrf: str


class SignInRefused(AuthError):
    def __init__(self, detail: str, locked_until: datetime | None = None) -> None:
        super().__init__(detail)
        self.locked_until = locked_until


def sign_in(session: Session, username: str, password: str, token_key: Callable[[str], str],
            ttl_s: int, max_failures: int, lock_s: int) -> tuple[str, SignedIn]:
    """Check a password; returns (the token for the cookie, who signed in). The same answer for an
    unknown name and a wrong password, and the same work (a dummy hash is verified)."""
    now = utcnow()
    account = session.execute(select(Account).where(Account.username == username)).scalar_one_or_none()
    if account is None or account.disabled:
        try:
            _HASHER.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise SignInRefused("wrong user name or password")
    if account.locked_until is not None and account.locked_until > now:
        raise SignInRefused("account locked after repeated failures", account.locked_until)
    try:
        _HASHER.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        account.failures += 1
        if account.failures >= max_failures:
            account.locked_until, account.failures = now + timedelta(seconds=lock_s), 0
        raise SignInRefused("wrong user name or password", account.locked_until) from None
    account.failures, account.locked_until = 0, None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(SignIn(token_hash=token_key(token), account_id=account.id, created_at=now,
                       expires_at=now + timedelta(seconds=ttl_s), csrf=csrf))
    return token, SignedIn(account.id, account.username, account.role, csrf)


def signed_in(session: Session, token: str | None, token_key: Callable[[str], str]) -> SignedIn | None:
    if not token or len(token) > 200:
        return None
    found = session.execute(select(SignIn, Account).join(Account, Account.id == SignIn.account_id)
                            .where(SignIn.token_hash == token_key(token))).first()
    if found is None:
        return None
    row, account = found
    if row.expires_at <= utcnow() or account.disabled:
        return None
    return SignedIn(account.id, account.username, account.role, row.csrf)


def sign_out(session: Session, token: str | None, token_key: Callable[[str], str]) -> None:
    if token:
        session.execute(delete(SignIn).where(SignIn.token_hash == token_key(token)))


# -- rates ---------------------------------------------------------------------------------------------
@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per caller: ``rate`` requests a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
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
