"""SMS verification codes for the 三要素 check (name, ID number, phone), behind a gateway interface.

Codes and phones are stored only as keyed hashes; a code lives ``ttl`` seconds, allows a few
tries, and a phone cannot be sent another code within the cooldown (a kiosk is a public place).
The default gateway writes the code to the service log, as an operator's test line would.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from kiosk.privacy import mask_phone
from service.db import SmsCode, utcnow

log = logging.getLogger("service.sms")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogGateway:
    """Writes the message to the service log (the phone masked)."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


class SmsError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(reason)
        self.status, self.reason, self.message = status, reason, message


class SmsCodes:
    def __init__(self, secret: bytes, gateway: SmsGateway, ttl_s: int, cooldown_s: int, max_tries: int) -> None:
        self.secret, self.gateway = secret, gateway
        self.ttl, self.cooldown, self.max_tries = ttl_s, cooldown_s, max_tries
        self.dev_last: dict[str, str] = {}

    def _key(self, *parts: str) -> str:
        return hmac.new(self.secret, ":".join(parts).encode(), "sha256").hexdigest()

    def send(self, session: Session, phone: str, keep: bool = False) -> int:
        """Send a fresh code; returns its lifetime in seconds."""
        now = utcnow()
        row = session.get(SmsCode, self._key("phone", phone))
        if row is not None and (now - row.sent_at).total_seconds() < self.cooldown:
            wait = int(self.cooldown - (now - row.sent_at).total_seconds()) + 1
            raise SmsError(429, "cooldown", f"验证码已发送，请{wait}秒后再重新获取。")
        code = f"{secrets.randbelow(10**6):06d}"
        if row is None:
            row = SmsCode(phone_key=self._key("phone", phone), code_hash="", expires_at=now)
            session.add(row)
        row.code_hash = self._key("code", phone, code)
        row.sent_at, row.expires_at, row.tries, row.used = now, now + timedelta(seconds=self.ttl), 0, 0
        self.gateway.send(phone, f"【银政通】您的验证码为{code}，{self.ttl // 60}分钟内有效。如非本人操作，请忽略。")
        if keep:
            self.dev_last[phone] = code
        return self.ttl

    def verify(self, session: Session, phone: str, code: str) -> SmsError | None:
        """None when ``code`` is the live code for ``phone`` (then it is spent), else why not.

        Returned rather than raised so the caller commits the counted try before answering.
        """
        row = session.get(SmsCode, self._key("phone", phone))
        if row is None or row.used:
            return SmsError(404, "no_code", "请先获取短信验证码。")
        if utcnow() > row.expires_at:
            return SmsError(410, "expired", "验证码已过期，请重新获取。")
        if row.tries >= self.max_tries:
            return SmsError(429, "too_many_tries", "验证码错误次数过多，请重新获取。")
        row.tries += 1
        if not hmac.compare_digest(row.code_hash, self._key("code", phone, code)):
            left = self.max_tries - row.tries
            return SmsError(400, "wrong_code", f"验证码不正确，还可尝试{left}次。" if left else "验证码错误次数过多，请重新获取。")
        row.used = 1
        return None
