"""Opening the platform's database: SQLite (a file, WAL, ``synchronous=FULL``) by default,
PostgreSQL by URL, and sessions with one writer at a time on SQLite.

``synchronous=FULL``: an approval whose licence has been printed must survive a power cut. The
SQLite file is made 0600 in a 0700 folder before SQLite opens it (its -wal and -shm files take
the same mode).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Unpack

from sqlalchemy import Executable, Result, bindparam, create_engine, event, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from service.contract.files import ensure_private_dir
from service.models import Counter


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for memory databases and other dialects)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def prepare_sqlite_file(path: Path) -> None:
    """The folder 0700, the file 0600, before SQLite creates them with the process's umask."""
    ensure_private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if f.exists():
            f.chmod(0o600)


def make_engine(url: str, durable: bool = True) -> Engine:
    """``durable=False``: commits that survive a crash of the process but not necessarily a power cut
    (SQLite ``synchronous=NORMAL`` in WAL, PostgreSQL ``synchronous_commit=off``), for :meth:`Store.write_light`."""
    if url.startswith("sqlite"):
        memory = sqlite_path(url) is None
        if not memory:
            prepare_sqlite_file(sqlite_path(url))  # type: ignore[arg-type]
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               poolclass=StaticPool if memory else None)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL" if durable or memory else "PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                         connect_args={} if durable else {"options": "-c synchronous_commit=off"})


def run(session: Session, statement: Executable, params: dict[str, Any] | list[dict[str, Any]] | None = None
        ) -> Result[Unpack[tuple[Any, ...]]]:
    """A statement built once (module level, bound parameters) on the session's connection, in its
    transaction, without the ORM's per-call work: SQLAlchemy keeps the compiled form and the cache key
    on the statement object, so a probe costs ~20 µs instead of ~190 µs for a ``select()`` built per
    call (``bench/profile_approval.py``). What the session holds unflushed is flushed first."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params)


_NEXT = (update(Counter).where(Counter.name == bindparam("counter")).values(value=Counter.value + 1)
         .returning(Counter.value))


class Store:
    """The database of one platform process: read and write sessions, serials."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite upgrades a read transaction to a write lock only if nobody else writes; two
        # threads doing so at once fail at once. One writer per process avoids it; PostgreSQL
        # needs no such lock.
        self._write_lock = threading.Lock() if self.sqlite else None
        self._light: Engine | None = None

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

    @contextmanager
    def write_light(self) -> Iterator[Connection]:
        """A transaction for what must survive a crash of the process but not necessarily a power cut
        (request nonces), on connections that commit without waiting for the disk: a replay would have
        to come within the 300 s window of a power cut, and a replayed submission still answers only its
        stored decision. A memory database has one connection, so it is the same engine."""
        if self._light is None:
            self._light = self.engine if sqlite_path(self.url) is None and self.sqlite else \
                make_engine(self.url, durable=False)
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self._light.begin() as connection:
                yield connection
        finally:
            if lock is not None:
                lock.release()

    def next_serial(self, session: Session, name: str) -> int:
        """A number never handed out before (USCC serials, acceptance numbers), atomic on both databases."""
        row = run(session, _NEXT, {"counter": name}).first()
        if row is not None:
            return int(row[0])
        try:
            with session.begin_nested():  # two workers may make the first row at once
                session.add(Counter(name=name, value=1))
            return 1
        except IntegrityError:
            return self.next_serial(session, name)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._light is not None:
            self._light.dispose()
