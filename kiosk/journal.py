"""The visit journal: a citizen's answers kept (sealed) as they go, so a visit survives a crash.

Every visit is a row under the application id fixed at its start (:meth:`kiosk.runtime.Runtime.new_visit`).
The screens' answers are written as the citizen moves on (a snapshot of the journey, AES-GCM sealed with
the kiosk's vault, the id bound as associated data), then the submission, the platform's decision and
what was printed. After a kill, a restart or a power cut:

* what was submitted is delivered by the outbox's forwarder, and its decision lands here;
* a citizen who starts again and puts the same card on the reader is recognised (the row holds a keyed
  hash of the ID number, never the number) and gets the same application back — where they were, or its
  decision with whatever did not print yet;
* licence and receipts can be printed again from here (by acceptance number or card) for
  :data:`KEEP_DECIDED_S` after the decision; unfinished answers nobody came back for go after
  :data:`KEEP_UNFINISHED_S`.

Writes go through one writer thread (SQLite WAL, ``synchronous=FULL``); a snapshot is queued and the
caller carries on, everything else waits for its commit. :meth:`Journal.close` finishes the writes in
flight first (the kiosk's SIGTERM path).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from service.contract.vault import Vault, VaultError

log = logging.getLogger(__name__)

KEEP_UNFINISHED_S = 24 * 3600  # answers of a visit nobody came back for
KEEP_DECIDED_S = 7 * 86400  # what the decision said, for reprints (as long as the outbox keeps decisions)
RECOGNISE_WITHIN_S = 24 * 3600  # a citizen starting again after a crash is recognised this long
PROOF_FRESH_S = 25 * 60  # the platform's identity proofs live 30 minutes: older ones are done again

SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (
    application_id TEXT PRIMARY KEY,
    acceptance_no TEXT,
    kind TEXT NOT NULL,            -- open (a company) or single (items for an existing company)
    person TEXT,                   -- HMAC of the applicant's ID number (recognition), never the number
    state TEXT NOT NULL,           -- answering, submitted, decided, finished, poison
    step TEXT,
    snapshot BLOB,                 -- the journey (sealed); dropped when the visit ends
    application BLOB,              -- the submitted document (sealed), for reprints
    decision BLOB,                 -- the platform's decision (sealed)
    verdict TEXT,                  -- approved / manual_review / rejected / queued (not personal)
    printed TEXT NOT NULL DEFAULT '[]',
    proofs_at REAL,
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL,
    end_reason TEXT
);
CREATE INDEX IF NOT EXISTS visits_person ON visits (person, state);
CREATE INDEX IF NOT EXISTS visits_number ON visits (acceptance_no);
"""
LIVE = ("answering", "submitted", "decided")


@dataclass(frozen=True)
class Visit:
    application_id: str
    acceptance_no: str | None
    kind: str
    state: str
    step: str | None
    verdict: str | None
    printed: tuple[str, ...]
    started_at: float
    updated_at: float
    proofs_at: float | None
    snapshot: dict[str, Any] | None = None
    application: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None


class Journal:
    def __init__(self, path: Path, vault: Vault, person_key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.vault = vault
        self._person_key = person_key
        self.clock = clock
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._latest: dict[str, tuple[dict[str, Any], str | None]] = {}
        self._proofs: dict[str, str] = {}
        self._thread = threading.Thread(target=self._write_loop, name="yzt-journal", daemon=True)
        self._thread.start()
        self.closed = False
        self.poison = 0

    # -- the writer thread -----------------------------------------------------------------
    def _write_loop(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            fn, done, box = task
            try:
                box.append(fn())
            except BaseException as exc:  # reported to a waiting caller; logged for a queued snapshot
                box.append(exc)
                if done is None:
                    log.error("journal write failed: %s", exc)
            finally:
                if done is not None:
                    done.set()

    def _run(self, fn: Callable[[], Any], wait: bool = True, timeout: float = 30.0) -> Any:
        if self.closed:
            raise RuntimeError("the journal is closed")
        done = threading.Event() if wait else None
        box: list[Any] = []
        self._queue.put((fn, done, box))
        if done is None:
            return None
        if not done.wait(timeout):
            raise TimeoutError("journal write did not finish")
        result = box[0] if box else None
        if isinstance(result, BaseException):
            raise result
        return result

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued write is committed."""
        if self.closed:
            return True
        try:
            self._run(lambda: None, timeout=timeout)
        except (TimeoutError, RuntimeError):
            return False
        return True

    def close(self, timeout: float = 3.0) -> None:
        """Finish the writes in flight, then close."""
        if self.closed:
            return
        self.flush(timeout)
        self.closed = True
        self._queue.put(None)
        self._thread.join(timeout)
        with self._lock:
            self._db.close()

    # -- keys ------------------------------------------------------------------------------
    def person(self, id_number: str | None) -> str | None:
        if not id_number:
            return None
        return hmac.new(self._person_key, id_number.encode("utf-8"), hashlib.sha256).hexdigest()

    # -- writing ---------------------------------------------------------------------------
    def begin(self, application_id: str, acceptance_no: str | None, kind: str) -> None:
        now = self.clock()

        def write() -> None:
            with self._lock:
                self._db.execute("INSERT OR IGNORE INTO visits (application_id, acceptance_no, kind, state, started_at, "
                                 "updated_at) VALUES (?, ?, ?, 'answering', ?, ?)",
                                 (application_id, acceptance_no, kind, now, now))

        self._run(write, wait=False)  # queued in order: the snapshots after it find the row

    def save(self, journey: Any, wait: bool = False) -> None:
        """Journal the journey's answers so far (queued: the screen does not wait for the disk)."""
        snap = snapshot(journey)
        app_id = snap["draft"]["application_id"]
        person = self.person(_card_number(snap["draft"].get("applicant_card")))
        proofs = f"{snap['draft'].get('phone_verification_id')}:{snap['draft'].get('face_verification_id')}"
        with self._lock:
            self._latest[app_id] = (snap, person)
            fresh_proofs = snap["draft"].get("face_verification_id") and self._proofs.get(app_id) != proofs
            if fresh_proofs:
                self._proofs[app_id] = proofs
        now = self.clock()

        def write() -> None:
            with self._lock:
                latest = self._latest.pop(app_id, None)
            if latest is None:
                return  # a newer snapshot of this visit was written already
            doc, who = latest
            sealed = self.vault.seal_json(doc, app_id + ":visit")
            with self._lock:
                self._db.execute(
                    "INSERT INTO visits (application_id, acceptance_no, kind, person, state, step, snapshot, "
                    "proofs_at, started_at, updated_at) VALUES (?, ?, ?, ?, 'answering', ?, ?, ?, ?, ?) "
                    "ON CONFLICT(application_id) DO UPDATE SET person = COALESCE(excluded.person, visits.person), "
                    "step = excluded.step, snapshot = excluded.snapshot, updated_at = excluded.updated_at, "
                    "proofs_at = COALESCE(excluded.proofs_at, visits.proofs_at), "
                    "acceptance_no = COALESCE(visits.acceptance_no, excluded.acceptance_no) "
                    "WHERE visits.state = 'answering'",
                    (app_id, doc["draft"].get("acceptance_no"), doc["kind"], who, doc["current"], sealed,
                     now if fresh_proofs else None, now, now))

        self._run(write, wait=wait)

    def submitted(self, application_id: str, application: dict[str, Any], kind: str = "open") -> None:
        """The document as it went into the outbox (sealed): what reprints are made from."""
        sealed = self.vault.seal_json(application, application_id + ":application")
        person = self.person(((application.get("applicant") or {}).get("person") or {}).get("id_number"))
        now = self.clock()

        def write() -> None:
            with self._lock:
                self._latest.pop(application_id, None)
                self._db.execute(
                    "INSERT INTO visits (application_id, acceptance_no, kind, person, state, step, application, "
                    "started_at, updated_at) VALUES (?, ?, ?, ?, 'submitted', 'submit', ?, ?, ?) "
                    "ON CONFLICT(application_id) DO UPDATE SET application = COALESCE(visits.application, "
                    "excluded.application), person = COALESCE(visits.person, excluded.person), "
                    "state = CASE WHEN visits.state = 'answering' THEN 'submitted' ELSE visits.state END, "
                    "step = 'submit', updated_at = excluded.updated_at",
                    (application_id, application.get("acceptance_no"), kind, person, sealed, now, now))

        self._run(write)

    def decided(self, application_id: str, decision: dict[str, Any], queued: bool = False) -> None:
        """The platform's decision (or ``queued``: the acceptance receipt is what the citizen holds)."""
        sealed = None if queued else self.vault.seal_json(decision, application_id + ":decision")
        verdict = "queued" if queued else str(decision.get("decision") or "")
        number = decision.get("acceptance_no")
        now = self.clock()

        def write() -> None:
            with self._lock:
                if queued:
                    self._db.execute("UPDATE visits SET verdict = COALESCE(verdict, 'queued'), updated_at = ? "
                                     "WHERE application_id = ?", (now, application_id))
                    return
                self._db.execute("UPDATE visits SET decision = ?, verdict = ?, updated_at = ?, "
                                 "acceptance_no = COALESCE(?, acceptance_no), "
                                 "state = CASE WHEN state IN ('answering', 'submitted') THEN 'decided' ELSE state END "
                                 "WHERE application_id = ?", (sealed, verdict, now, number, application_id))

        self._run(write)

    def printed(self, application_id: str, kind: str) -> None:
        """One document came out whole (licence, result, linked_items, acceptance)."""
        def write() -> None:
            with self._lock:
                row = self._db.execute("SELECT printed FROM visits WHERE application_id = ?",
                                       (application_id,)).fetchone()
                if row is None:
                    return
                done = set(json.loads(row[0] or "[]")) | {kind}
                self._db.execute("UPDATE visits SET printed = ?, updated_at = ? WHERE application_id = ?",
                                 (json.dumps(sorted(done)), self.clock(), application_id))

        self._run(write)

    def forget_printed(self, application_id: str) -> None:
        """Everything is to be printed again (the citizen asked for it)."""
        def write() -> None:
            with self._lock:
                self._db.execute("UPDATE visits SET printed = '[]' WHERE application_id = ?", (application_id,))

        self._run(write)

    def finish(self, application_id: str, reason: str) -> None:
        """The citizen is done with the visit. A submitted one keeps its document and decision for
        reprints (its answers go); one never submitted goes whole: its answers were the citizen's to
        abandon (idle timeout, left)."""
        now = self.clock()

        def write() -> None:
            with self._lock:
                self._latest.pop(application_id, None)
                self._proofs.pop(application_id, None)
                row = self._db.execute("SELECT state FROM visits WHERE application_id = ?",
                                       (application_id,)).fetchone()
                if row is None:
                    return
                if row[0] == "answering":
                    self._db.execute("DELETE FROM visits WHERE application_id = ?", (application_id,))
                else:
                    self._db.execute("UPDATE visits SET state = 'finished', snapshot = NULL, finished_at = ?, "
                                     "end_reason = ?, updated_at = ? WHERE application_id = ?",
                                     (now, reason[:80], now, application_id))

        self._run(write, wait=False)

    def discard(self, application_id: str) -> None:
        """A visit that turned out to be the same citizen's earlier one: nothing of it is kept."""
        def write() -> None:
            with self._lock:
                self._latest.pop(application_id, None)
                self._db.execute("DELETE FROM visits WHERE application_id = ? AND state = 'answering'",
                                 (application_id,))

        self._run(write, wait=False)

    def discard_retries(self, keep: str, id_number: str | None) -> None:
        """The citizen's other unfinished starts, now that ``keep`` is taken up: they were retries of it."""
        person = self.person(id_number)
        if person is None:
            return

        def write() -> None:
            with self._lock:
                self._db.execute("DELETE FROM visits WHERE person = ? AND state = 'answering' AND application_id != ?",
                                 (person, keep))

        self._run(write, wait=False)

    def purge(self) -> int:
        now = self.clock()

        def write() -> int:
            with self._lock:
                a = self._db.execute("DELETE FROM visits WHERE state IN ('answering', 'poison') AND updated_at < ?",
                                     (now - KEEP_UNFINISHED_S,)).rowcount
                b = self._db.execute("DELETE FROM visits WHERE state IN ('submitted', 'decided', 'finished') "
                                     "AND updated_at < ?", (now - KEEP_DECIDED_S,)).rowcount
            return a + b

        return int(self._run(write) or 0)

    # -- reading ---------------------------------------------------------------------------
    _COLUMNS = ("application_id, acceptance_no, kind, state, step, verdict, printed, started_at, updated_at, "
                "proofs_at, snapshot, application, decision")

    def _visit(self, row: tuple[Any, ...], full: bool = True) -> Visit | None:
        app_id = row[0]
        opened: list[Any] = [None, None, None]
        if full:
            for i, (blob, context) in enumerate(zip(row[10:13], (":visit", ":application", ":decision"))):
                if blob is None:
                    continue
                try:
                    opened[i] = self.vault.open_json(bytes(blob), app_id + context)
                except (VaultError, ValueError) as exc:  # poison: set aside, counted, never blocking the rest
                    self._set_poison(app_id, f"{type(exc).__name__}: {exc}")
                    return None
        return Visit(app_id, row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6] or "[]")), row[7],
                     row[8], row[9], *opened)

    def _set_poison(self, application_id: str, reason: str) -> None:
        log.error("journal record %s cannot be opened (%s): set aside", application_id, reason)
        self.poison += 1

        def write() -> None:
            with self._lock:
                self._db.execute("UPDATE visits SET state = 'poison', end_reason = ? WHERE application_id = ?",
                                 (reason[:80], application_id))

        try:
            self._run(write, wait=False)
        except RuntimeError:
            pass

    def get(self, application_id: str) -> Visit | None:
        self.flush()
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE application_id = ?",
                                   (application_id,)).fetchone()
        return self._visit(row) if row else None

    def recognise(self, id_number: str | None, exclude: str | None = None) -> Visit | None:
        """The visit of this person that a crash left unfinished: a submitted one first (that application
        is the one that counts: a later start that never got as far is a retry of it), else the latest one
        being answered."""
        person = self.person(id_number)
        if person is None:
            return None
        self.flush()
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE person = ? AND state IN "
                                    f"('answering', 'submitted', 'decided') AND application_id != ? AND updated_at > ? "
                                    f"ORDER BY state = 'answering', updated_at DESC", (person, exclude or "",
                                                                  self.clock() - RECOGNISE_WITHIN_S)).fetchall()
        for row in rows:
            visit = self._visit(row)
            if visit is not None and (visit.state != "answering" or visit.snapshot is not None):
                return visit
        return None

    def visits_of(self, id_number: str | None) -> list[Visit]:
        """Every submitted visit of this person still kept (for reprints), newest first."""
        person = self.person(id_number)
        if person is None:
            return []
        self.flush()
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE person = ? AND application IS NOT NULL "
                                    f"AND state != 'poison' ORDER BY updated_at DESC", (person,)).fetchall()
        return [v for v in (self._visit(r) for r in rows) if v is not None]

    def by_number(self, acceptance_no: str) -> Visit | None:
        self.flush()
        with self._lock:
            row = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE acceptance_no = ? AND application IS "
                                   f"NOT NULL AND state != 'poison' ORDER BY updated_at DESC LIMIT 1",
                                   (acceptance_no,)).fetchone()
        return self._visit(row) if row else None

    def unfinished(self) -> list[Visit]:
        """Visits a crash interrupted (without opening their sealed parts)."""
        self.flush()
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE state IN ('answering', 'submitted', "
                                    f"'decided') ORDER BY started_at").fetchall()
        return [v for v in (self._visit(r, full=False) for r in rows) if v is not None]

    def recent(self, limit: int = 30) -> list[Visit]:
        """The newest submitted visits, for the maintenance screen (sealed parts not opened)."""
        self.flush()
        with self._lock:
            rows = self._db.execute(f"SELECT {self._COLUMNS} FROM visits WHERE application IS NOT NULL AND state != "
                                    f"'poison' ORDER BY updated_at DESC LIMIT ?", (limit,)).fetchall()
        return [v for v in (self._visit(r, full=False) for r in rows) if v is not None]

    def counts(self) -> dict[str, int]:
        self.flush()
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM visits GROUP BY state").fetchall()
        return {state: n for state, n in rows}


# -- journeys to and from snapshots ------------------------------------------------------------------
CARD_FIELDS = ("card_type", "name", "sex", "nation", "birth", "address", "id_number", "authority", "valid_from",
               "valid_to", "name_en", "nationality", "pass_number", "issue_count")


def card_dict(card: Any) -> dict[str, Any] | None:
    """What the journey needs of a card reading (no photo, no fingerprint): the fields as JSON."""
    if card is None:
        return None
    get = card.get if isinstance(card, dict) else (lambda k: getattr(card, k, None))
    out = {}
    for key in CARD_FIELDS:
        value = get(key)
        out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def _card_number(card: Any) -> str | None:
    if card is None:
        return None
    return (card.get("id_number") if isinstance(card, dict) else getattr(card, "id_number", None)) or None


def snapshot(journey: Any) -> dict[str, Any]:
    """The journey as JSON: every answer, where the citizen is, what is done."""
    from kiosk.journeys.single import SingleItemJourney

    d = journey.draft
    draft = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}
    draft["applicant_card"] = card_dict(d.applicant_card)
    return {"version": 1, "kind": "single" if isinstance(journey, SingleItemJourney) else "open",
            "draft": json.loads(json.dumps(draft, ensure_ascii=False, default=str)),
            "current": journey.current.value, "done": sorted(s.value for s in journey.done),
            "history": [s.value for s in journey.history], "changing": bool(journey.changing),
            "today": journey.today.isoformat(), "kiosk_id": journey.kiosk_id,
            "preset_bank": dict(journey.preset_bank or {}),
            "cards": {k: card_dict(v) for k, v in getattr(journey, "_cards", {}).items()},
            "company": dict(getattr(journey, "company", {}) or {}), "decision": journey.decision}


def restore(snap: dict[str, Any], proofs_at: float | None = None, now: float | None = None) -> Any:
    """The journey a snapshot was taken of. Identity proofs older than :data:`PROOF_FRESH_S` are dropped
    and the phone and face steps asked again (the platform would refuse them)."""
    from kiosk.journeys.registration import RegistrationJourney, Step
    from kiosk.journeys.single import SingleItemJourney

    draft = snap["draft"]
    cls = SingleItemJourney if snap.get("kind") == "single" else RegistrationJourney
    journey = cls(today=date.fromisoformat(snap["today"]), kiosk_id=snap.get("kiosk_id", ""),
                  preset_bank=snap.get("preset_bank") or None, application_id=draft["application_id"],
                  acceptance_no=draft.get("acceptance_no"))
    for f in dataclasses.fields(journey.draft):
        if f.name in draft:
            setattr(journey.draft, f.name, draft[f.name])
    journey.current = Step(snap["current"])
    journey.done = {Step(s) for s in snap.get("done", [])}
    journey.history = [Step(s) for s in snap.get("history", [])]
    journey.changing = bool(snap.get("changing"))
    journey.decision = snap.get("decision")
    journey._cards = {k: v for k, v in (snap.get("cards") or {}).items() if v}
    if isinstance(journey, SingleItemJourney):
        journey.company = dict(snap.get("company") or {})
    stale = proofs_at is None or (now if now is not None else time.time()) - proofs_at > PROOF_FRESH_S
    if stale and (journey.draft.phone_verification_id or journey.draft.face_verification_id):
        d = journey.draft
        d.phone_verified, d.phone_verification_id = False, None
        d.liveness_passed, d.face_match_score, d.face_verification_id = False, 0.0, None
        journey.done -= {Step.PHONE, Step.LIVENESS}
        d.signatures.clear()  # what was signed is signed again after the identity steps
        journey.done -= {Step.SIGN, Step.SUBMIT}
        steps = journey.steps
        if journey.current in steps and Step.PHONE in steps and steps.index(journey.current) > steps.index(Step.PHONE):
            journey.current = Step.PHONE
    return journey


def journey_after_card(journey: Any, card: Any) -> Any:
    """A restored journey for the citizen whose card was just read: the fresh reading, and past the card step."""
    from kiosk.journeys.registration import Step

    journey.draft.applicant_card = card
    journey.done.add(Step.APPLICANT_CARD)
    steps = journey.steps
    if journey.current in steps and steps.index(journey.current) <= steps.index(Step.APPLICANT_CARD):
        journey.current = next((s for s in steps[steps.index(Step.APPLICANT_CARD) + 1:] if s not in journey.done),
                               steps[steps.index(Step.APPLICANT_CARD) + 1])
    return journey
