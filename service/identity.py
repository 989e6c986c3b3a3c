"""Identity proved on the platform: the 三要素 check, SMS codes, the face comparison, and the proofs.

Each outside service sits behind a small interface with the shape of the real one:

* :class:`RealNameRegister` — a carrier's real-name check: does this phone belong to this person?
* :class:`FaceComparison` — the province's 可信身份认证: a live image against the photo on file;
* :class:`SmsGateway` — sends a text: :class:`LogGateway` (the code masked) or :class:`HttpGateway`.

:class:`SimulatedIdentity` stands in for the first two in development, tests and the demo and says
so wherever it is used (CONTRACT.md describes its reference files). A platform without a provider
refuses identity checks (:class:`NoIdentity`). What the platform hands back are *verification ids*:
random, single use, bound to the person (and phone), valid 30 minutes; only their keyed hashes are
kept. An application's identity is judged from those records, never from its booleans.
"""

from __future__ import annotations

import base64
import csv
import hmac
import io
import json
import logging
import secrets
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from sqlalchemy import CursorResult, Row, bindparam, select, update
from sqlalchemy.orm import Session

from service.contract.privacy import mask_phone
from service.core.db import run
from service.models import SmsCode, Verification, utcnow

log = logging.getLogger("service.identity")

Ownership = Literal["match", "mismatch", "unknown"]


class IdentityError(Exception):
    """A refused identity step: an HTTP status, a stable reason, Chinese for the citizen."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(reason)
        self.status, self.reason, self.message = status, reason, message


class RealNameRegister(Protocol):
    def owner(self, phone: str, id_number: str, name: str) -> Ownership: ...


class FaceComparison(Protocol):
    def compare(self, id_number: str, name: str, image: bytes) -> float: ...


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class NoIdentity:
    """No provider configured: every check is refused with a clear message (never a silent pass)."""

    simulated = False

    def owner(self, phone: str, id_number: str, name: str) -> Ownership:
        raise IdentityError(503, "no_identity_provider", "平台未配置实名核验服务，暂时无法验证身份，请到人工窗口办理。")

    def compare(self, id_number: str, name: str, image: bytes) -> float:
        raise IdentityError(503, "no_identity_provider", "平台未配置人脸核验服务，暂时无法验证身份，请到人工窗口办理。")


class SimulatedIdentity:
    """SIMULATED real-name register and face comparison, from two optional reference files:
    ``phone_owners.csv`` (``phone,id_number``: a listed phone belongs to that person only; an unlisted
    one passes) and ``face_mismatch.txt`` (ID numbers whose faces never match). Any decodable image of
    at least 320×240 passes the face check for anyone else."""

    simulated = True
    MIN_SIZE = (320, 240)

    def __init__(self, reference_dir: Path) -> None:
        self.owners: dict[str, str] = {}
        path = Path(reference_dir) / "phone_owners.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    phone, number = (row.get("phone") or "").strip(), (row.get("id_number") or "").strip().upper()
                    if phone and number:
                        self.owners[phone] = number
        path = Path(reference_dir) / "face_mismatch.txt"
        self.mismatch = {line.strip().upper() for line in path.read_text(encoding="utf-8").splitlines()
                         if line.strip()} if path.exists() else set()
        log.warning("SIMULATED identity provider in use (%d phone owners, %d face mismatches): "
                    "not for production", len(self.owners), len(self.mismatch))

    def owner(self, phone: str, id_number: str, name: str) -> Ownership:
        listed = self.owners.get(phone)
        if listed is None:
            return "unknown"
        return "match" if listed == id_number.strip().upper() else "mismatch"

    def compare(self, id_number: str, name: str, image: bytes) -> float:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(image)) as img:
                if img.format not in ("JPEG", "PNG"):
                    raise IdentityError(422, "image_format", "照片格式不支持，请重新拍摄。")
                img.load()
                size = img.size
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise IdentityError(422, "image_unreadable", "照片无法识别，请正对摄像头重新拍摄。") from None
        if size[0] < self.MIN_SIZE[0] or size[1] < self.MIN_SIZE[1]:
            raise IdentityError(422, "image_too_small", "照片太小，请靠近摄像头重新拍摄。")
        return 0.12 if id_number.strip().upper() in self.mismatch else 0.93


class LogGateway:
    """Writes each message to the service log with the phone and every digit run masked."""

    def send(self, phone: str, text: str) -> None:
        masked = "".join("*" if ch.isdigit() else ch for ch in text)
        log.info("SMS to %s: %s", mask_phone(phone), masked)


class HttpGateway:
    """An SMS gateway over HTTP: POST ``{"phone", "text"}`` as JSON with basic auth, 2xx = accepted."""

    def __init__(self, url: str, user: str = "", password: str = "", timeout_s: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("the SMS gateway URL must be http(s)://…")
        self.url, self.user, self.password, self.timeout_s = url, user, password, timeout_s

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310 (configured URL)
                if not 200 <= answer.status < 300:
                    raise OSError(f"HTTP {answer.status}")
        except OSError as exc:
            log.error("SMS gateway refused a message to %s: %s", mask_phone(phone), exc)
            raise IdentityError(503, "sms_gateway", "短信发送失败，请稍后重新获取验证码。") from None


_PROOF = select(Verification.id, Verification.kind, Verification.person_key, Verification.phone_key,
                Verification.score, Verification.used_by, Verification.expires_at).where(
    Verification.id == bindparam("id"))
_SPEND = (update(Verification).where(Verification.id == bindparam("proof"), Verification.used_by.is_(None))
          .values(used_by=bindparam("by")))


@dataclass
class Proofs:
    """Verification ids: handed out once, kept as keyed hashes, bound to a person, single use."""

    token_key: Callable[[str], str]
    ttl_s: int

    def issue(self, session: Session, kind: str, person_key: str, kiosk_id: str, phone_key: str = "",
              score: float | None = None) -> str:
        token = f"{kind[:2]}_{secrets.token_urlsafe(24)}"
        now = utcnow()
        session.add(Verification(id=self.token_key(token), kind=kind, person_key=person_key, phone_key=phone_key,
                                 score=score, kiosk_id=kiosk_id, created_at=now,
                                 expires_at=now + timedelta(seconds=self.ttl_s)))
        return token

    def valid(self, session: Session, token: str | None, kind: str, person_key: str,
              application_id: str) -> Row[Any] | None:
        """The proof when it is this person's, of this kind, live, and unused (or used by this very
        application — a resend of the same document is judged the same)."""
        if not token or len(token) > 80:
            return None
        row = run(session, _PROOF, {"id": self.token_key(token)}).first()
        if row is None or row.kind != kind or not hmac.compare_digest(row.person_key, person_key):
            return None
        if row.used_by not in (None, application_id):
            return None
        if row.used_by is None and row.expires_at <= utcnow():
            return None
        return row

    def spend(self, session: Session, row: Row[Any], application_id: str) -> bool:
        """Mark used by ``application_id``; False when another application spent it meanwhile."""
        done = cast(CursorResult[Any], run(session, _SPEND, {"proof": row.id, "by": application_id}))
        return bool(done.rowcount) or row.used_by == application_id


class SmsCodes:
    """Six-digit codes, stored as keyed hashes with the person they were sent for; a phone cannot be
    sent another within the cooldown; a code allows a few tries and lives ``ttl`` seconds."""

    def __init__(self, secret: bytes, gateway: SmsGateway, ttl_s: int, cooldown_s: int, max_tries: int) -> None:
        self.secret, self.gateway = secret, gateway
        self.ttl, self.cooldown, self.max_tries = ttl_s, cooldown_s, max_tries
        self.dev_last: dict[str, str] = {}

    def _key(self, *parts: str) -> str:
        return hmac.new(self.secret, ":".join(parts).encode(), "sha256").hexdigest()

    def send(self, session: Session, phone: str, person_key: str, keep: bool = False) -> int:
        now = utcnow()
        row = session.get(SmsCode, self._key("phone", phone))
        if row is not None and (now - row.sent_at).total_seconds() < self.cooldown:
            wait = int(self.cooldown - (now - row.sent_at).total_seconds()) + 1
            raise IdentityError(429, "cooldown", f"验证码已发送，请{wait}秒后再重新获取。")
        code = f"{secrets.randbelow(10**6):06d}"
        if row is None:
            row = SmsCode(phone_key=self._key("phone", phone), code_hash="", expires_at=now)
            session.add(row)
        row.code_hash, row.person_key = self._key("code", phone, code), person_key
        row.sent_at, row.expires_at, row.tries, row.used = now, now + timedelta(seconds=self.ttl), 0, 0
        self.gateway.send(phone, f"【银政通】您的验证码为{code}，{self.ttl // 60}分钟内有效。如非本人操作，请忽略。")
        if keep:
            self.dev_last[phone] = code
        return self.ttl

    def verify(self, session: Session, phone: str, code: str, person_key: str) -> IdentityError | None:
        """None when ``code`` is the live code sent to ``phone`` for this person (then it is spent).

        Returned rather than raised so the caller commits the counted try before answering.
        """
        row = session.get(SmsCode, self._key("phone", phone))
        if row is None or row.used or not hmac.compare_digest(row.person_key, person_key):
            return IdentityError(404, "no_code", "请先获取短信验证码。")
        if utcnow() > row.expires_at:
            return IdentityError(410, "expired", "验证码已过期，请重新获取。")
        if row.tries >= self.max_tries:
            return IdentityError(429, "too_many_tries", "验证码错误次数过多，请重新获取。")
        row.tries += 1
        if not hmac.compare_digest(row.code_hash, self._key("code", phone, code)):
            left = self.max_tries - row.tries
            return IdentityError(400, "wrong_code", f"验证码不正确，还可尝试{left}次。" if left else
                                 "验证码错误次数过多，请重新获取。")
        row.used = 1
        return None

