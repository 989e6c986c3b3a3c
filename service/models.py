"""The platform's tables (SQLAlchemy). The schema is made and upgraded by the migrations in
``service/migrations`` — never by ``create_all`` — so a city's database moves from release to release.

Personal data at rest: an application's document, its reasons (they name people) and the review
comment are sealed (AES-GCM, the application id bound as associated data); people are found by
keyed hashes of their ID numbers (``person_key``), never by a clear-text number; phones and home
addresses exist only inside sealed documents.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        TypeDecorator, UniqueConstraint)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware on both databases: stored as UTC, read back aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON, bytes: LargeBinary,
                           date: Date, bool: Boolean}


ENTITY_STATUSES = ("active", "suspended", "deregistering", "deregistered")


class Entity(Base):
    """A registered market entity: the name index, its status, and the counts the rules need."""

    __tablename__ = "entities"
    __table_args__ = (
        Index("ix_entity_trade", "region", "trade_name"),
        Index("ix_entity_sound", "region", "trade_sound", "industry"),
        # one live holder of a name; a deregistered entity keeps its row but frees the name
        Index("uq_entity_live_name", "region", "trade_name", "industry", "name_live", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(60))
    trade_name: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str] = mapped_column(String(60))
    trade_sound: Mapped[str] = mapped_column(String(200))
    legal_rep_key: Mapped[str] = mapped_column(String(32), index=True)
    address_code: Mapped[str] = mapped_column(String(40), index=True)
    entity_type: Mapped[str] = mapped_column(String(30), default="llc")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    # 1 while the entity holds its name; NULL once deregistered (NULLs never collide in a unique index)
    name_live: Mapped[int | None] = mapped_column(Integer, nullable=True, default=1)
    source: Mapped[str] = mapped_column(String(20), default="reference")
    established_on: Mapped[date | None] = mapped_column(nullable=True)
    deregistered_on: Mapped[date | None] = mapped_column(nullable=True)
    investor_keys: Mapped[str] = mapped_column(Text, default="")  # " key key " of its shareholders, for name rules
    state: Mapped[bytes | None] = mapped_column(nullable=True)  # sealed: officers, shareholders, scope, address, capital
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EntityEvent(Base):
    """The history of a company's life: establishment, each change, suspension, resumption, deregistration."""

    __tablename__ = "entity_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date | None] = mapped_column(nullable=True)
    kind: Mapped[str] = mapped_column(String(30))  # establishment, change, suspension, resumption, deregistration
    application_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    summary: Mapped[list[Any]] = mapped_column(default=list)  # what changed: field names and non-personal values


class FormerName(Base):
    """A name a company changed away from: others may not take it for a year (NAME art. 17), except
    those with an investment relation to it (its own investors, the company itself)."""

    __tablename__ = "former_names"
    __table_args__ = (Index("ix_former_name", "region", "trade_name", "industry"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region: Mapped[str] = mapped_column(String(60))
    trade_name: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str] = mapped_column(String(60))
    released_on: Mapped[date] = mapped_column()
    investor_keys: Mapped[str] = mapped_column(Text, default="")


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (Index("ix_application_name", "region", "trade_name", "industry", "applicant_key"),)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    acceptance_no: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="establishment")
    kiosk_id: Mapped[str] = mapped_column(String(80), default="")
    mode: Mapped[str] = mapped_column(String(20), default="")
    entity_type: Mapped[str] = mapped_column(String(30), default="")
    name_full: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(60), default="")
    trade_name: Mapped[str] = mapped_column(String(60), default="")
    industry: Mapped[str] = mapped_column(String(60), default="")
    applicant_key: Mapped[str] = mapped_column(String(32), default="", index=True)
    submitted_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(20), index=True)
    reason_codes: Mapped[str] = mapped_column(Text, default="")
    reasons_sealed: Mapped[bytes | None] = mapped_column(nullable=True)
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    e_license: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[bytes | None] = mapped_column(nullable=True)  # sealed; None once purged
    person_keys: Mapped[str] = mapped_column(Text, default="")  # " key1 key2 " of the applicant and the company's people
    reviewer: Mapped[str | None] = mapped_column(String(80), nullable=True)
    review_sealed: Mapped[bytes | None] = mapped_column(nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    effective_on: Mapped[date | None] = mapped_column(nullable=True)
    announcement_until: Mapped[date | None] = mapped_column(nullable=True)
    lifecycle_state: Mapped[str] = mapped_column(String(20), default="")  # announcing, effective, withdrawn
    purged_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Item(Base):
    """One linked service of one application, as its department reports it."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("application_id", "service", name="uq_item"),
                      Index("ix_item_due", "status", "due_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    service: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(20), default="open")  # open, update, close
    uscc: Mapped[str] = mapped_column(String(18), default="", index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    params: Mapped[bytes | None] = mapped_column(nullable=True)  # sealed: they may hold an address or names
    detail: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(60), default="")  # the department's own ticket number
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # department calls that raised, in a row
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    dead: Mapped[bool] = mapped_column(default=False, index=True)  # given up: an operator retries it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    expected_by: Mapped[datetime | None] = mapped_column(nullable=True)
    notified: Mapped[str] = mapped_column(String(20), default="")  # the last status the applicant was told by SMS


class Kiosk(Base):
    __tablename__ = "kiosks"
    kiosk_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    site: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[str] = mapped_column(String(40), default="")
    fleet_number: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Nonce(Base):
    """Request nonces seen within the signature window: a second use is a replay."""

    __tablename__ = "nonces"
    kiosk_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SmsCode(Base):
    __tablename__ = "sms_codes"
    phone_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(32), default="")
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)


class Verification(Base):
    """A proof the platform issued: a verified phone or a passed face comparison, single use."""

    __tablename__ = "verifications"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a keyed hash of the id handed out
    kind: Mapped[str] = mapped_column(String(10))  # phone, face
    person_key: Mapped[str] = mapped_column(String(32), index=True)
    phone_key: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float | None] = mapped_column(nullable=True)
    kiosk_id: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Lookup(Base):
    """Lookups by ID number, counted per kiosk and per person for their rate limit."""

    __tablename__ = "lookups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(80), index=True)
    person_key: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CardRead(Base):
    """A kiosk said it has just read this person's card: a lookup by their number is allowed then."""

    __tablename__ = "card_reads"
    kiosk_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


ROLES = ("reviewer", "operator", "admin")


class Account(Base):
    """A person who runs the platform: a reviewer, a fleet operator or an administrator."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignIn(Base):
    """A signed-in operator's session (the cookie holds the token; only its hash is kept)."""

    __tablename__ = "sign_ins"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    csrf: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """The append-only audit log: who did what, when, from which kiosk or account (nothing personal)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # kiosk:ID, account:NAME, system, cli
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str] = mapped_column(String(64), default="")


class Rating(Base):
    """好差评: one visit's rating, nothing personal."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(80), index=True)
    journey: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer)  # 1 非常不满意 … 5 非常满意
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpRequest(Base):
    """A citizen pressed 帮办 (call staff): the hall sees it on the fleet page."""

    __tablename__ = "help_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(80), index=True)
    step: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(60), nullable=True)


class Counter(Base):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
