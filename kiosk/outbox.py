"""The durable outbox: every application is journalled (encrypted) before it is sent, and kept until
the platform has answered for it.

SQLite in WAL mode with ``synchronous=FULL``: a record that :meth:`Outbox.put` returned from
survives a power cut. Delivery uses the application_id as the idempotency key, so a resend after
a crash or a lost answer creates nothing new on the platform; a record is marked delivered only
on the platform's answer, and its personal data is deleted then.

A timeout is "unknown", not "failed": the record stays and is sent again with backoff.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from service.contract.vault import Vault

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    application_id TEXT PRIMARY KEY,
    sealed BLOB,                 -- the application, AES-GCM; NULL once delivered
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at REAL NOT NULL,
    last_error TEXT,
    decision BLOB,               -- the platform's answer, sealed too (reasons name people), once delivered
    delivered_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, next_try_at);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class PermanentRejection(Exception):
    """The platform refused the document itself (4xx other than 408/429): resending cannot help."""


@dataclass(frozen=True)
class Pending:
    application_id: str
    attempts: int
    next_try_at: float
    last_error: str | None


class Outbox:
    def __init__(self, path: Path, vault: Vault, clock: Callable[[], float] = time.time,
                 base_delay_s: float = 2.0, max_delay_s: float = 300.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.vault = vault
        self.clock = clock
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # a delivered application's pages are zeroed, not just freed
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing ---------------------------------------------------------------------------
    def put(self, application: dict[str, Any]) -> None:
        """Journal ``application`` durably; a second put of the same id changes nothing."""
        app_id = application["application_id"]
        sealed = self.vault.seal_json(application, app_id)
        now = self.clock()
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO outbox (application_id, sealed, created_at, next_try_at) "
                             "VALUES (?, ?, ?, ?)", (app_id, sealed, now, now))

    def deliver(self, application_id: str, send: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any] | None:
        """Send one record now; return the decision, or None when it must be retried later."""
        with self._lock:
            row = self._db.execute("SELECT sealed, attempts, decision FROM outbox WHERE application_id = ?",
                                   (application_id,)).fetchone()
        if row is None:
            raise KeyError(application_id)
        sealed, attempts, decision = row
        if decision is not None:
            return self._open_decision(application_id, decision)
        application = self.vault.open_json(sealed, application_id)
        try:
            answer = send(application)
        except PermanentRejection as exc:
            self._finish(application_id, {"application_id": application_id, "decision": "error",
                                          "error": str(exc)})
            raise
        except Exception as exc:  # down, timeout, 5xx: unknown outcome, try again later
            delay = min(self.max_delay_s, self.base_delay_s * (2 ** attempts))
            with self._lock:
                self._db.execute("UPDATE outbox SET attempts = attempts + 1, next_try_at = ?, last_error = ? "
                                 "WHERE application_id = ?",
                                 (self.clock() + delay, f"{type(exc).__name__}: {exc}"[:300], application_id))
            log.warning("delivery of %s failed (attempt %d), next in %.0f s: %s", application_id, attempts + 1,
                        delay, exc)
            return None
        self._finish(application_id, answer)
        return answer

    def _finish(self, application_id: str, answer: dict[str, Any]) -> None:
        with self._lock:  # the personal data goes as the answer comes in: one statement, one commit
            self._db.execute("UPDATE outbox SET sealed = NULL, decision = ?, delivered_at = ?, last_error = NULL "
                             "WHERE application_id = ?",
                             (self.vault.seal_json(answer, application_id + ":decision"), self.clock(), application_id))

    def flush(self, send: Callable[[dict[str, Any]], dict[str, Any]]) -> tuple[int, int]:
        """Try every due record once: (delivered, still pending)."""
        delivered = 0
        for pending in self.due():
            try:
                if self.deliver(pending.application_id, send) is not None:
                    delivered += 1
            except PermanentRejection:
                delivered += 1
        return delivered, len(self.pending())

    def next_serial(self, name: str) -> int:
        """0, 1, 2 … for ``name``, durably (a number handed out is never handed out again, even after a crash)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
                value = 0 if row is None else int(row[0])
                self._db.execute("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE "
                                 "SET value = excluded.value", (name, value + 1))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return value

    # -- reading ---------------------------------------------------------------------------
    def pending(self) -> list[Pending]:
        with self._lock:
            rows = self._db.execute("SELECT application_id, attempts, next_try_at, last_error FROM outbox "
                                    "WHERE delivered_at IS NULL ORDER BY created_at").fetchall()
        return [Pending(*r) for r in rows]

    def due(self) -> list[Pending]:
        now = self.clock()
        return [p for p in self.pending() if p.next_try_at <= now]

    def decision(self, application_id: str) -> dict[str, Any] | None:

        with self._lock:
            row = self._db.execute("SELECT decision FROM outbox WHERE application_id = ?",
                                   (application_id,)).fetchone()
        return self._open_decision(application_id, row[0]) if row and row[0] else None

    def _open_decision(self, application_id: str, stored: bytes | str) -> dict[str, Any]:
        import json

        if isinstance(stored, str):  # written in clear by an earlier version
            return json.loads(stored)
        return self.vault.open_json(stored, application_id + ":decision")

    def purge_delivered(self, older_than_s: float = 7 * 86400) -> int:
        with self._lock:
            cur = self._db.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                                   (self.clock() - older_than_s,))
        return cur.rowcount
