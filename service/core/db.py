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
from typing import Any

from sqlalchemy import create_engine, event, text, update
from sqlalchemy.engine import Engine, make_url
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


def make_engine(url: str) -> Engine:
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
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


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
    def write_light(self) -> Iterator[Session]:
        """A transaction for what must survive a crash of the process but not necessarily a power cut
        (request nonces): committed without waiting for the disk (SQLite ``synchronous=NORMAL`` in WAL,
        PostgreSQL ``synchronous_commit = off``) — a replay would have to come within the 300 s window
        of a power cut, and a replayed submission still answers only its stored decision."""
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self._sessions() as session:
                connection = session.connection()
                if self.sqlite:
                    connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
                else:
                    connection.execute(text("SET LOCAL synchronous_commit = off"))
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
                finally:
                    if self.sqlite:
                        session.connection().exec_driver_sql("PRAGMA synchronous=FULL")
                        session.commit()
        finally:
            if lock is not None:
                lock.release()

    def next_serial(self, session: Session, name: str) -> int:
        """A number never handed out before (USCC serials, acceptance numbers), atomic on both databases."""
        row = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
                              .returning(Counter.value)).first()
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
