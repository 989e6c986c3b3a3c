"""The durable outbox: every application is journalled (sealed) before it is sent, and kept until the
platform has stored it.

SQLite in WAL mode with ``synchronous=FULL``: a record that :meth:`Outbox.put` returned from
survives a power cut. Delivery uses the application_id as the idempotency key, so a resend after a
crash or a lost answer creates nothing new on the platform.

Only a decision ends a record. What a failed delivery means decides what happens next:

* the platform stored it: a decision — the sealed application is deleted, the decision kept (sealed);
* the platform says this document will never be taken (400, 413, 422, or 409 "application_id reused
  with another body"): the record leaves the queue for the **quarantine**, still sealed, flagged for
  maintenance — never dropped;
* anything else — down, timed out, 5xx, and refusals that are not about the document (401 not
  enrolled or clock off, 403, 408, 429 busy, 409 a concurrent commit) — is "unknown": the record
  stays, with exponential backoff (a 429's ``Retry-After`` honoured), and the error is kept for
  the alarm (``yzt doctor``, the heartbeat, the maintenance screen).

A record that cannot be opened (another key, tampered, malformed) is **poison**: it is moved to the
quarantine as it is and counted; it never blocks the others.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from service.contract.privacy import mask_text
from service.contract.vault import Vault, VaultError

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
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL,
    acceptance_no TEXT,
    kind TEXT NOT NULL,          -- refused (the platform will never take it) or poison (cannot be opened)
    reason TEXT NOT NULL,
    sealed BLOB,                 -- kept exactly as it was: maintenance decides, nothing is dropped
    created_at REAL NOT NULL,
    quarantined_at REAL NOT NULL
);
"""
# columns added after 0.2.0 (an existing outbox is upgraded in place)
ADDED_COLUMNS = {"acceptance_no": "TEXT", "last_status": "INTEGER", "error_kind": "TEXT", "last_try_at": "REAL"}

REFUSED_STATUSES = (400, 413, 422)
CONCURRENT_409 = "conflict"  # the platform's detail for "try again": a concurrent commit, not the document


class PermanentRejection(Exception):
    """The platform refused the document itself: resending it cannot help."""


class Undeliverable(PermanentRejection):
    """Raised by :meth:`Outbox.deliver` when the record went to the quarantine (refused or poison)."""

    def __init__(self, application_id: str, kind: str, reason: str, cause: BaseException | None = None) -> None:
        super().__init__(reason)
        self.application_id, self.kind, self.reason = application_id, kind, reason
        self.message = getattr(cause, "message", "") or reason
        self.status = getattr(cause, "status", None)


@dataclass(frozen=True)
class Pending:
    application_id: str
    attempts: int
    next_try_at: float
    last_error: str | None
    acceptance_no: str | None = None
    created_at: float = 0.0
    error_kind: str | None = None
    last_status: int | None = None


@dataclass(frozen=True)
class Quarantined:
    application_id: str
    acceptance_no: str | None
    kind: str
    reason: str
    created_at: float
    quarantined_at: float


def classify(exc: BaseException) -> tuple[str, int | None, float | None]:
    """What a failed delivery means: (kind, HTTP status, seconds the platform asked us to wait).

    kind is ``refused`` (the document will never be taken) or one of the kinds that keep it queued:
    ``unreachable`` (no answer: down, network, timeout), ``auth`` (401/403: not enrolled, revoked,
    clock off), ``busy`` (408/425/429), ``server`` (5xx, a concurrent 409, anything else)."""
    status = getattr(exc, "status", None)
    retry_after = getattr(exc, "retry_after_s", None)
    detail = str(getattr(exc, "detail", "") or exc)
    if status in REFUSED_STATUSES:
        return "refused", status, None
    if status == 409:
        return ("server" if detail.endswith(CONCURRENT_409) else "refused"), status, None
    if status in (401, 403):
        return "auth", status, retry_after
    if status in (408, 425, 429):
        return "busy", status, retry_after
    if status is not None:
        return "server", status, retry_after
    if isinstance(exc, PermanentRejection):  # a rejection that carries no status: the document itself
        return "refused", None, None
    return "unreachable", None, None


def describe(exc: BaseException, kind: str) -> str:
    """The error as the alarm shows it: short, nothing personal (a lost connection says why, not the
    whole chain of wrapped exceptions)."""
    import re

    text = f"{type(exc).__name__}: {exc}"
    if kind == "unreachable":
        found = re.search(r"\[Errno -?\d+\] ([^'\")]+)|(Read timed out|timed out|Connection aborted|"
                          r"RemoteDisconnected|IncompleteRead|ChunkedEncodingError|answer is not JSON)", text)
        if found:
            text = f"no answer from the platform: {(found.group(1) or found.group(2)).strip().lower()}"
    return mask_text(text)[:300]


class Outbox:
    def __init__(self, path: Path, vault: Vault, clock: Callable[[], float] = time.time,
                 base_delay_s: float = 2.0, max_delay_s: float = 300.0, auth_max_delay_s: float = 60.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.vault = vault
        self.clock = clock
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.auth_max_delay_s = min(auth_max_delay_s, max_delay_s)
        self._lock = threading.RLock()
        self._flight = threading.Condition(self._lock)
        self._in_flight: set[str] = set()
        self.changed = threading.Event()  # set when a record is put or comes due early (the forwarder waits on it)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # a delivered application's pages are zeroed, not just freed
        self._db.executescript(SCHEMA)
        self._upgrade()
        self.closed = False

    def _upgrade(self) -> None:
        """Add the columns an older outbox lacks, once, whoever else opens it at the same moment."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
            for column, kind in ADDED_COLUMNS.items():
                if column not in have:
                    self._db.execute(f"ALTER TABLE outbox ADD COLUMN {column} {kind}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close after any write in flight (the lock is held for each whole write)."""
        with self._lock:
            if not self.closed:
                self.closed = True
                self._db.close()

    # -- writing ---------------------------------------------------------------------------
    def put(self, application: dict[str, Any]) -> bool:
        """Journal ``application`` durably; a second put of the same id changes nothing. True if new."""
        if not isinstance(application, dict) or not isinstance(application.get("application_id"), str):
            raise ValueError("an application document with an application_id")
        app_id = application["application_id"]
        sealed = self.vault.seal_json(application, app_id)
        now = self.clock()
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO outbox (application_id, sealed, created_at, next_try_at, "
                                   "acceptance_no) VALUES (?, ?, ?, ?, ?)",
                                   (app_id, sealed, now, now, application.get("acceptance_no")))
        if cur.rowcount:
            self.changed.set()
        return bool(cur.rowcount)

    def deliver(self, application_id: str, send: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any] | None:
        """Send one record now; return the decision, or None when it must be tried again later.

        Raises :class:`Undeliverable` (a :class:`PermanentRejection`) when the platform refused the
        document for good or the record cannot be opened: it is in the quarantine then. Another
        thread delivering the same record is waited for, not doubled."""
        with self._flight:
            while application_id in self._in_flight:
                self._flight.wait(1.0)
            row = self._db.execute("SELECT sealed, attempts, decision, delivered_at, acceptance_no, created_at "
                                   "FROM outbox WHERE application_id = ?", (application_id,)).fetchone()
            if row is None:
                refused = self._db.execute("SELECT kind, reason FROM quarantine WHERE application_id = ? "
                                           "ORDER BY id DESC LIMIT 1", (application_id,)).fetchone()
                if refused is not None:
                    raise Undeliverable(application_id, refused[0], refused[1])
                raise KeyError(application_id)
            sealed, attempts, decision, delivered_at, number, created = row
            if delivered_at is not None:
                return self.decision(application_id)
            self._in_flight.add(application_id)
        try:
            try:
                application = self._open_application(application_id, sealed)
            except (VaultError, ValueError, TypeError) as exc:
                self._quarantine(application_id, number, "poison", f"{type(exc).__name__}: {exc}", sealed, created)
                raise Undeliverable(application_id, "poison", str(exc)) from None
            try:
                answer = send(application)
            except Exception as exc:  # what it means decides: refused for good, or unknown (try again)
                kind, status, retry_after = classify(exc)
                error = describe(exc, kind)
                if kind == "refused":
                    self._quarantine(application_id, number, "refused", error, sealed, created)
                    log.error("application %s refused by the platform for good (%s): kept in quarantine",
                              application_id, error)
                    raise Undeliverable(application_id, "refused", error, exc) from exc
                self._retry_later(application_id, attempts, kind, status, error, retry_after)
                return None
            if not isinstance(answer, dict) or not answer.get("decision"):
                self._retry_later(application_id, attempts, "server", None, f"not a decision: {str(answer)[:100]}")
                return None
            self._finish(application_id, answer)
            return answer
        finally:
            with self._flight:
                self._in_flight.discard(application_id)
                self._flight.notify_all()

    def _retry_later(self, application_id: str, attempts: int, kind: str, status: int | None, error: str,
                     retry_after: float | None = None) -> None:
        """Exponential backoff (2 s doubling to 5 min; 1 min at most while the platform refuses this kiosk,
        which an operator may fix any moment); a wait the platform asked for is honoured."""
        delay = min(self.auth_max_delay_s if kind == "auth" else self.max_delay_s,
                    self.base_delay_s * (2 ** min(attempts, 30)))
        if retry_after is not None:
            delay = max(retry_after, 0.5) if kind == "busy" else max(delay, retry_after)
        now = self.clock()
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1, next_try_at = ?, last_error = ?, "
                             "last_status = ?, error_kind = ?, last_try_at = ? WHERE application_id = ? "
                             "AND delivered_at IS NULL", (now + delay, error[:300], status, kind, now, application_id))
        log.warning("delivery of %s failed (attempt %d, %s), next in %.0f s: %s", application_id, attempts + 1, kind,
                    delay, error)

    def _open_application(self, application_id: str, sealed: Any) -> dict[str, Any]:
        if not isinstance(sealed, bytes | bytearray | memoryview):
            raise ValueError("no sealed document in the record")
        doc = self.vault.open_json(bytes(sealed), application_id)
        if not isinstance(doc, dict) or doc.get("application_id") != application_id:
            raise ValueError("the sealed document is not this record's application")
        return doc

    def _finish(self, application_id: str, answer: dict[str, Any]) -> None:
        with self._lock:  # the personal data goes as the answer comes in: one statement, one commit
            self._db.execute("UPDATE outbox SET sealed = NULL, decision = ?, delivered_at = ?, last_error = NULL, "
                             "error_kind = NULL, last_status = NULL WHERE application_id = ?",
                             (self.vault.seal_json(answer, application_id + ":decision"), self.clock(), application_id))

    def _quarantine(self, application_id: str, number: str | None, kind: str, reason: str, sealed: Any,
                    created: float | None) -> None:
        """Move a record aside, as it is, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO quarantine (application_id, acceptance_no, kind, reason, sealed, "
                                 "created_at, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (application_id, number, kind, reason[:300], sealed, created or self.clock(),
                                  self.clock()))
                self._db.execute("DELETE FROM outbox WHERE application_id = ?", (application_id,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        log.error("outbox record %s quarantined (%s): %s", application_id, kind, reason)

    def flush(self, send: Callable[[dict[str, Any]], dict[str, Any]], force: bool = False,
              stop: threading.Event | None = None) -> tuple[int, int]:
        """Try every due record once (every pending one with ``force``): (delivered, still pending).

        A failure that is not about the document (the platform down, busy, not accepting this kiosk)
        ends the round: the others would meet the same."""
        delivered = 0
        for pending in (self.pending() if force else self.due()):
            if stop is not None and stop.is_set():
                break
            try:
                decision = self.deliver(pending.application_id, send)
            except Undeliverable:
                continue  # quarantined: the next one
            except KeyError:
                continue  # delivered or quarantined meanwhile by another process
            if decision is None:
                break
            delivered += 1
        return delivered, len(self.pending())

    def requeue(self, application_id: str) -> bool:
        """Back from the quarantine into the queue (maintenance put right what made it refused); only a
        record whose document still opens."""
        with self._lock:
            row = self._db.execute("SELECT id, sealed, acceptance_no, created_at FROM quarantine WHERE "
                                   "application_id = ? ORDER BY id DESC LIMIT 1", (application_id,)).fetchone()
            if row is None:
                return False
            try:
                self._open_application(application_id, row[1])
            except (VaultError, ValueError, TypeError):
                return False
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT OR IGNORE INTO outbox (application_id, sealed, created_at, next_try_at, "
                                 "acceptance_no) VALUES (?, ?, ?, ?, ?)",
                                 (application_id, row[1], row[3], self.clock(), row[2]))
                self._db.execute("DELETE FROM quarantine WHERE id = ?", (row[0],))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self.changed.set()
        return True

    def retry_now(self, kinds: tuple[str, ...] = ("unreachable",)) -> int:
        """Make the records whose last failure was one of ``kinds`` due now (the platform is back)."""
        with self._lock:
            cur = self._db.execute(f"UPDATE outbox SET next_try_at = ? WHERE delivered_at IS NULL AND "
                                   f"error_kind IN ({','.join('?' * len(kinds))}) AND next_try_at > ?",
                                   (self.clock(), *kinds, self.clock()))
        if cur.rowcount:
            self.changed.set()
        return cur.rowcount

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
            rows = self._db.execute("SELECT application_id, attempts, next_try_at, last_error, acceptance_no, "
                                    "created_at, error_kind, last_status FROM outbox WHERE delivered_at IS NULL "
                                    "ORDER BY created_at").fetchall()
        return [Pending(*r) for r in rows]

    def due(self) -> list[Pending]:
        now = self.clock()
        return [p for p in self.pending() if p.next_try_at <= now]

    def next_due_at(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT MIN(next_try_at) FROM outbox WHERE delivered_at IS NULL").fetchone()
        return row[0] if row and row[0] is not None else None

    def is_pending(self, application_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM outbox WHERE application_id = ? AND delivered_at IS NULL",
                                   (application_id,)).fetchone()
        return row is not None

    def knows(self, application_id: str) -> bool:
        """Journalled here (pending, delivered or quarantined)."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM outbox WHERE application_id = ? UNION ALL SELECT 1 FROM quarantine "
                                   "WHERE application_id = ? LIMIT 1", (application_id, application_id)).fetchone()
        return row is not None

    def application(self, application_id: str) -> dict[str, Any] | None:
        """The journalled document while it waits (None once delivered, or when it cannot be opened)."""
        with self._lock:
            row = self._db.execute("SELECT sealed FROM outbox WHERE application_id = ?", (application_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return self._open_application(application_id, row[0])
        except (VaultError, ValueError, TypeError):
            return None

    def quarantined(self) -> list[Quarantined]:
        with self._lock:
            rows = self._db.execute("SELECT application_id, acceptance_no, kind, reason, created_at, quarantined_at "
                                    "FROM quarantine ORDER BY id").fetchall()
        return [Quarantined(*r) for r in rows]

    def decision(self, application_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT decision FROM outbox WHERE application_id = ?",
                                   (application_id,)).fetchone()
        if not row or not row[0]:
            return None
        try:
            return self._open_decision(application_id, row[0])
        except (VaultError, ValueError) as exc:  # a decision that does not open is reported, not fatal
            log.error("the stored decision of %s cannot be opened: %s", application_id, exc)
            return None

    def _open_decision(self, application_id: str, stored: bytes | str) -> dict[str, Any]:
        if isinstance(stored, str):  # written in clear by an earlier version
            return json.loads(stored)
        return self.vault.open_json(stored, application_id + ":decision")

    def summary(self) -> dict[str, Any]:
        """The alarm's figures: ``{"pending", "quarantined", "refused", "poison", "oldest_min",
        "last_error", "last_error_kind", "stuck"}`` (nothing personal)."""
        pending = self.pending()
        quarantined = self.quarantined()
        now = self.clock()
        tried = [p for p in pending if p.last_error]
        last = None
        if tried:
            with self._lock:
                row = self._db.execute("SELECT last_error, error_kind FROM outbox WHERE delivered_at IS NULL AND "
                                       "last_error IS NOT NULL ORDER BY last_try_at DESC LIMIT 1").fetchone()
            last = row
        return {"pending": len(pending), "quarantined": len(quarantined),
                "refused": sum(1 for q in quarantined if q.kind == "refused"),
                "poison": sum(1 for q in quarantined if q.kind == "poison"),
                "oldest_min": round((now - min(p.created_at for p in pending)) / 60, 1) if pending else None,
                "last_error": last[0] if last else None, "last_error_kind": last[1] if last else None,
                "stuck": sum(1 for p in pending if p.attempts >= 3)}

    def status(self) -> dict[str, Any]:
        """``yzt outbox status``: what is still to deliver, nothing personal."""
        from datetime import datetime, timezone

        def iso(t: float) -> str:
            return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")

        return {"pending": [{"application_id": p.application_id, "acceptance_no": p.acceptance_no,
                             "queued_at": iso(p.created_at), "attempts": p.attempts, "last_error": p.last_error,
                             "next_try_at": iso(p.next_try_at)} for p in self.pending()],
                "quarantined": len(self.quarantined()),
                "quarantine": [{"application_id": q.application_id, "acceptance_no": q.acceptance_no, "kind": q.kind,
                                "reason": q.reason, "quarantined_at": iso(q.quarantined_at)}
                               for q in self.quarantined()]}

    def purge_delivered(self, older_than_s: float = 7 * 86400) -> int:
        with self._lock:
            cur = self._db.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                                   (self.clock() - older_than_s,))
        return cur.rowcount
