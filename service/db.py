"""The platform's tables and how to open them: SQLite (a file, WAL) by default, PostgreSQL by URL.

Personal numbers are stored where the registry needs them (legal representative of an entity);
lookups "every application of this person" go through a keyed hash, never a clear-text index.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import (JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint,
                        create_engine, event, select, update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from service.reference import Reference, sound


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware on both databases: stored as UTC, read back aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Entity(Base):
    """A registered market entity: the name index and the counts the rules need."""

    __tablename__ = "entities"
    __table_args__ = (
        UniqueConstraint("region", "trade_name", "industry", name="uq_entity_name"),
        Index("ix_entity_trade", "region", "trade_name"),
        Index("ix_entity_sound", "region", "trade_sound", "industry"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(60))
    trade_name: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str] = mapped_column(String(60))
    trade_sound: Mapped[str] = mapped_column(String(200))
    legal_rep_id: Mapped[str] = mapped_column(String(32), index=True)
    address_code: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(20), default="reference")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(Base):
    __tablename__ = "applications"
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(80), default="")
    mode: Mapped[str] = mapped_column(String(20))
    entity_type: Mapped[str] = mapped_column(String(30))
    name_full: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(20), index=True)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    e_license: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    person_keys: Mapped[str] = mapped_column(Text, default="")  # " key1 key2 " keyed hashes of applicant + legal rep
    reviewer: Mapped[str | None] = mapped_column(String(80), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Item(Base):
    """One linked service of one application, as its department reports it."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("application_id", "service", name="uq_item"),
                      Index("ix_item_due", "status", "due_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.application_id"), index=True)
    service: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(60), default="")  # the department's own ticket number
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    expected_done_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Kiosk(Base):
    __tablename__ = "kiosks"
    kiosk_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    site: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[str] = mapped_column(String(40), default="")
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SmsCode(Base):
    __tablename__ = "sms_codes"
    phone_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)


class Counter(Base):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def make_engine(url: str) -> Engine:
    """SQLite in WAL with a busy timeout (``sqlite://`` alone is one shared in-memory database)."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               poolclass=StaticPool if memory else None)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Store:
    """The database of one platform: sessions, one writer at a time on SQLite, seeding."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite upgrades a read transaction to a write lock only if nobody else writes; two
        # threads doing so at once fail at once. One writer per process avoids it; PostgreSQL
        # needs no such lock.
        self._write_lock = threading.Lock() if self.sqlite else None
        Base.metadata.create_all(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction committed on success, rolled back on any exception."""
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self._sessions() as session, session.begin():
                yield session
        finally:
            if lock is not None:
                lock.release()

    def next_serial(self, session: Session, name: str) -> int:
        """A number never handed out before (USCC serials), atomic on both databases."""
        row = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
                              .returning(Counter.value)).first()
        if row is not None:
            return int(row[0])
        session.add(Counter(name=name, value=1))
        session.flush()
        return 1

    def seed(self, ref: Reference) -> int:
        """Load the reference entities once (an empty entities table); returns how many went in."""
        with self.write() as s:
            if s.execute(select(Entity.id).limit(1)).first() is not None:
                return 0
        added = 0
        seen: set[tuple[str, str, str]] = set()
        usccs: set[str] = set()
        rows = []
        for e in ref.entities:
            key = (e.region, e.trade_name, e.industry)
            if key in seen or e.uscc in usccs:
                ref.warnings.append(f"entities.csv: duplicate {e.uscc}; skipped")
                continue
            seen.add(key)
            usccs.add(e.uscc)
            rows.append({"uscc": e.uscc, "name": e.name, "region": e.region, "trade_name": e.trade_name,
                         "industry": e.industry, "trade_sound": sound(e.trade_name), "legal_rep_id": e.legal_rep_id,
                         "address_code": e.address_code, "source": "reference", "created_at": utcnow()})
        with self.write() as s:
            for start in range(0, len(rows), 5000):
                s.execute(Entity.__table__.insert(), rows[start:start + 5000])
            added = len(rows)
        return added

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["Application", "Base", "Counter", "Entity", "IntegrityError", "Item", "Kiosk", "SmsCode", "Store",
           "make_engine", "utcnow"]
