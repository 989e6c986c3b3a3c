"""The platform's work without HTTP: decide, register, issue, dispatch, answer progress, review,
identity, fleet. The FastAPI app (:mod:`service.main`) is a thin layer over one :class:`Platform`;
``yzt review`` uses the same engine against an in-memory database.

Every write is one transaction, so an approval registers the entity, assigns the USCC, signs the
e-licence, queues the linked items and writes the audit entry together, or does none of it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import registry
from service.contract import acceptance, elicence, ids
from service.contract.labels import LINKED_SERVICES, SERVICES
from service.contract.models import ApplicationIn, Decision, Reason
from service.contract.uscc import make as make_uscc
from service.core.calendar import WorkCalendar
from service.core.db import Store, run
from service.core.keys import PlatformKeys
from service.core.migrate import upgrade
from service.core.security import KioskKeys, RateLimiter, forget_old_nonces, remember_nonce
from service.core.settings import Settings
from service.departments import Department, simulated
from service.contract import law
from service.engine.approval import decide, evaluate, submission_day
from service.engine.rules import Context, Identity, name_reasons, people, reason
from service.identity import (HttpGateway, IdentityError, LogGateway, NoIdentity, Proofs, SimulatedIdentity, SmsCodes,
                              SmsGateway)
from service.models import (Application, AuditEntry, CardRead, Entity, EntityEvent, HelpRequest, Item, Kiosk, Lookup,
                            Rating, utcnow)
from service.reference import Reference, load, sound

log = logging.getLogger("service.platform")

SUGGESTION_CHARS = "达信源盛恒泰瑞丰华成嘉润"
LIVE_DECISIONS = ("approved", "manual_review")


class Conflict(Exception):
    """The request is well formed but cannot be done in the present state (HTTP 409)."""

    def __init__(self, message: str, detail: str = "conflict") -> None:
        super().__init__(message)
        self.message, self.detail = message, detail


class NotFound(Exception):
    """HTTP 404 with a Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooMany(Exception):
    """HTTP 429: a per-kiosk or per-person limit."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.message, self.retry_after_s = message, retry_after_s


# The approval's statements, built once (see service.core.db.run)
_KNOWN = select(Application.application_id).where(Application.application_id == bindparam("id"))
_NUMBER_HELD = select(Application.application_id).where(Application.acceptance_no == bindparam("number"))
_VISIT = (Application.applicant_key == bindparam("applicant"), Application.kind == "establishment",
          or_(*(Application.decision == d for d in LIVE_DECISIONS)),  # not IN: no list expanded per call
          ~exists().where(Entity.uscc == Application.uscc, Entity.status == "deregistered"))  # closed since: no visit
_SAME_VISIT_NAME = (select(Application.application_id)
                    .where(*_VISIT, Application.region == bindparam("region"),
                           Application.trade_name == bindparam("trade"), Application.industry == bindparam("industry"))
                    .order_by(Application.received_at).limit(1))
_SAME_VISIT_ITEMS = (select(Application.application_id)
                     .where(*_VISIT, Application.uscc == bindparam("uscc"), Application.mode == "single_item")
                     .order_by(Application.received_at.desc()).limit(5))
_OPEN_ITEMS_OF = select(Item.service).where(Item.application_id == bindparam("id"),
                                            Item.status.in_(("pending", "in_progress")))
_STILL_LEASED = select(Item.id).where(Item.id.in_(bindparam("ids", expanding=True)), Item.due_at == bindparam("lease"))
_NEW_APPLICATION = insert(Application)
_NEW_ENTITY = insert(Entity)
_NEW_EVENT = insert(EntityEvent)
_NEW_ITEM = insert(Item)
_AUDIT = insert(AuditEntry)


def _division(app: ApplicationIn) -> str:
    """The registering division: the address's district, else the city."""
    code = (app.address.code if app.address else "")[:6]
    return code if len(code) == 6 and code.isdigit() else "441700"


def canonical_body(document: dict[str, Any]) -> bytes:
    """What makes two submissions "the same document": the parsed document, keys sorted."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class Actor:
    """Who asks: ``kiosk:ID``, ``account:NAME``, ``cli`` or ``system``; the address for the audit log."""

    name: str
    address: str = ""
    nonce: str = ""  # a signed request's nonce that the action's own transaction records (see deps)

    @property
    def kiosk_id(self) -> str:
        return self.name.split(":", 1)[1] if self.name.startswith("kiosk:") else ""


SYSTEM = Actor("system")


class Platform:
    def __init__(self, settings: Settings, reference: Reference | None = None,
                 departments: dict[str, Department] | None = None, sms_gateway: SmsGateway | None = None,
                 migrate: bool = True) -> None:
        self.settings = settings
        self.ref = reference if reference is not None else load(settings.reference_dir)
        self.keys = PlatformKeys.load(settings.keys)
        self.store = Store(settings.database_url())
        if migrate:
            self.schema = upgrade(self.store.engine, self.keys)
        self.seeded = self.seed()
        self.calendar = WorkCalendar.from_reference(settings.reference_dir)
        self.departments = departments if departments is not None else simulated(settings.dispatch_scale)
        gateway = sms_gateway or (HttpGateway(settings.sms_http_url, settings.sms_http_user,
                                              settings.sms_http_password.get_secret_value())
                                  if settings.sms_gateway == "http" else LogGateway())
        self.sms_gateway = gateway
        self.sms = SmsCodes(self.keys.secret, gateway, settings.sms_ttl_s, settings.sms_cooldown_s,
                            settings.sms_max_tries)
        self.identity = SimulatedIdentity(settings.reference_dir) if settings.identity == "simulated" else NoIdentity()
        self.proofs = Proofs(self.keys.token_key, settings.verification_ttl_s)
        self.kiosk_keys = KioskKeys(settings.kiosks)
        self.limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Decisions are made on threads of their own, not FastAPI's pool of 40: on SQLite they take the
        # one write lock in turn anyway (one thread, no queue of blocked threads handing the lock and the
        # GIL to each other); PostgreSQL decides on several at once.
        self._deciders: ThreadPoolExecutor | None = None

    @property
    def deciders(self) -> ThreadPoolExecutor:
        """Where the API runs :meth:`submit` (made again after :meth:`stop`)."""
        if self._deciders is None:
            self._deciders = ThreadPoolExecutor(max_workers=1 if self.store.sqlite else 8,
                                                thread_name_prefix="yzt-decide")
        return self._deciders

    @property
    def key(self) -> Any:
        return self.keys.signing

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the dispatcher that moves linked items through their departments."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._dispatch_loop, name="yzt-dispatch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._deciders is not None:
            self._deciders.shutdown(wait=True)
            self._deciders = None
        self.store.dispose()

    def seed(self) -> int:
        """Load the reference entities once (an empty entities table); returns how many went in."""
        with self.store.read() as s:
            if s.execute(select(Entity.id).limit(1)).first() is not None:
                return 0
        seen: set[tuple[str, str, str]] = set()
        usccs: set[str] = set()
        rows = []
        now = utcnow()
        for e in self.ref.entities:
            key = (e.region, e.trade_name, e.industry)
            if key in seen or e.uscc in usccs:
                self.ref.warnings.append(f"entities.csv: duplicate {e.uscc}; skipped")
                continue
            seen.add(key)
            usccs.add(e.uscc)
            rows.append({"uscc": e.uscc, "name": e.name, "region": e.region, "trade_name": e.trade_name,
                         "industry": e.industry, "trade_sound": sound(e.trade_name),
                         "legal_rep_key": self.keys.person_key(e.legal_rep_id) if e.legal_rep_id else "",
                         "address_code": e.address_code, "entity_type": "individual_business"
                         if e.uscc[:2] == "92" else "llc", "status": "active", "name_live": 1,
                         "investor_keys": "", "source": "reference", "created_at": now, "updated_at": now})
        with self.store.write() as s:
            if s.execute(select(Entity.id).limit(1)).first() is not None:  # another worker was quicker
                return 0
            for start in range(0, len(rows), 5000):
                s.execute(insert(Entity), rows[start:start + 5000])
        return len(rows)

    # -- the audit log ---------------------------------------------------------------------------------
    @staticmethod
    def audit(s: Session, actor: Actor, action: str, target: str = "", **detail: Any) -> None:
        run(s, _AUDIT, {"at": utcnow(), "actor": actor.name[:100], "action": action[:40], "target": target[:100],
                        "detail": detail, "address": actor.address[:64]})

    # -- identity ----------------------------------------------------------------------------------------
    def send_sms(self, actor: Actor, phone: str, id_number: str, name: str) -> int:
        """三要素 first (the phone must belong to this person), then a code to the phone."""
        owner = self.identity.owner(phone, id_number, name)
        if owner == "mismatch":
            with self.store.write() as s:
                self.audit(s, actor, "sms.phone_not_owner", self.keys.person_key(id_number)[:12])
            raise IdentityError(422, "PHONE_NOT_OWNER", "该手机号码未登记在您本人名下，请使用本人实名登记的手机号码。")
        with self.store.write() as s:
            return self.sms.send(s, phone, self.keys.person_key(id_number), keep=self.settings.dev_sms)

    def verify_sms(self, actor: Actor, phone: str, code: str, id_number: str) -> str:
        person = self.keys.person_key(id_number)
        with self.store.write() as s:
            problem = self.sms.verify(s, phone, code, person)
            token = None if problem else self.proofs.issue(s, "phone", person, actor.kiosk_id,
                                                           phone_key=self.keys.phone_key(phone))
        if problem is not None:
            raise problem
        assert token is not None
        return token

    def verify_face(self, actor: Actor, id_number: str, name: str, image: bytes) -> tuple[bool, float, str | None]:
        """Compare a live image with the person's photo on file; the image is not kept."""
        score = self.identity.compare(id_number, name, image)
        passed = score >= self.settings.face_threshold
        with self.store.write() as s:
            token = self.proofs.issue(s, "face", self.keys.person_key(id_number), actor.kiosk_id,
                                      score=score) if passed else None
            self.audit(s, actor, "identity.face", self.keys.person_key(id_number)[:12], passed=passed,
                       score=round(score, 3))
        return passed, score, token

    def _identity(self, s: Session, app: ApplicationIn, person_key: Callable[[str], str]
                  ) -> tuple[Identity, list[Any]]:
        """The applicant's identity from the platform's own proofs (and the proofs to spend)."""
        person = person_key(app.applicant.person.id_number)
        v = app.applicant.verification
        app_id = str(app.application_id)
        phone = self.proofs.valid(s, v.phone_verification_id, "phone", person, app_id)
        face = self.proofs.valid(s, v.face_verification_id, "face", person, app_id)
        phone_ok = phone is not None and (not app.applicant.person.phone or
                                          phone.phone_key == self.keys.phone_key(app.applicant.person.phone))
        owner_ok = True
        if app.applicant.person.phone:
            try:
                owner_ok = self.identity.owner(app.applicant.person.phone, app.applicant.person.id_number,
                                               app.applicant.person.name) != "mismatch"
            except IdentityError:
                owner_ok = True  # no register to ask: the SMS proof stands alone
        face_ok = face is not None and (face.score or 0) >= self.settings.face_threshold
        return Identity(phone_verified=phone_ok, face_passed=face_ok, phone_owner_ok=owner_ok), \
            [p for p in (phone if phone_ok else None, face if face_ok else None) if p is not None]

    # -- applications --------------------------------------------------------------------------------------
    def submit(self, app: ApplicationIn, actor: Actor) -> Decision:
        """Decide ``app``; the same ``application_id`` with the same body answers the stored decision,
        with another body :class:`Conflict`."""
        app_id = str(app.application_id)
        document = app.model_dump(mode="json", by_alias=True)
        digest = hashlib.sha256(canonical_body(document)).hexdigest()
        for _attempt in range(5):
            try:
                with self.store.write() as s:
                    if actor.nonce:  # first, so a replay decides nothing (AuthError)
                        remember_nonce(s.connection(), actor.kiosk_id, actor.nonce)
                    if run(s, _KNOWN, {"id": app_id}).first() is not None:
                        return self._answer_again(s.get_one(Application, app_id), digest)
                    return self._decide_and_store(s, app, document, digest, actor)
            except IntegrityError:
                # a concurrent approval took the name or the number, or a copy of this application
                # landed first: decide again against what is now registered
                continue
        raise Conflict("并发提交冲突，请稍后重试。")

    def _answer_again(self, row: Application, digest: str) -> Decision:
        if row.body_sha256 != digest:
            raise Conflict("该申请编号已用于另一份申请材料，不能更改已提交的内容。", "application_id reused with another body")
        return self._decision(row)

    def _context(self, s: Session, app: ApplicationIn, identity: Identity,
                 person_key: Callable[[str], str] | None = None) -> Context:
        ctx = Context(app=app, ref=self.ref, session=s, today=submission_day(app.submitted_at), identity=identity,
                      person_key=person_key or self.keys.person_key, many_entities=self.settings.many_entities,
                      crowded_address=self.settings.crowded_address,
                      entity=registry.entity_by_uscc(s, app.uscc) if app.uscc else None)
        if app.mode == "single_item" and ctx.entity is not None:
            ctx.notes["open_items"] = self._open_items(s, app.uscc or "")
        if app.kind != "establishment":
            from service.lifecycle import prepare

            prepare(self, s, ctx)
        return ctx

    def _open_items(self, s: Session, uscc: str) -> set[str]:
        rows = s.execute(select(Item.service).where(Item.uscc == uscc, Item.action == "open",
                                                    Item.status.in_(("pending", "in_progress")))).scalars()
        return set(rows)

    def _first_of_visit(self, s: Session, app: ApplicationIn, applicant: str) -> Application | None:
        """A citizen who starts again after a crash: the live application of the same applicant for the
        same name (or, for single items, the same company and items) is answered instead."""
        if app.kind != "establishment":
            return None
        if app.mode == "single_item":
            wanted = sorted(app.the_linked.chosen())
            for (found,) in run(s, _SAME_VISIT_ITEMS, {"applicant": applicant, "uscc": app.uscc or ""}):
                items = sorted(run(s, _OPEN_ITEMS_OF, {"id": found}).scalars())
                if items == wanted:
                    return s.get_one(Application, found)
            return None
        n = app.the_name
        found = run(s, _SAME_VISIT_NAME, {"applicant": applicant, "region": n.region, "trade": n.trade_name,
                                          "industry": n.industry}).scalar_one_or_none()
        return None if found is None else s.get_one(Application, found)

    def _acceptance_no(self, s: Session, app: ApplicationIn, actor: Actor) -> str:
        """The kiosk's number when it gave a valid one for itself; otherwise the platform's own."""
        given = app.acceptance_no
        if given and acceptance.is_valid(given):
            if run(s, _NUMBER_HELD, {"number": given}).first() is None:
                return given
            log.warning("acceptance number %s sent again for another application; the platform assigns one", given)
        day = submission_day(utcnow())
        serial = self.store.next_serial(s, f"acceptance:{day:%y%m%d}") - 1
        return acceptance.make(day, acceptance.PLATFORM_NUMBER, serial, self.keys.acceptance)

    def _decide_and_store(self, s: Session, app: ApplicationIn, document: dict[str, Any], digest: str,
                          actor: Actor) -> Decision:
        """Judge and record one new application in the caller's transaction: the row, the spent proofs,
        the entity and its items for an approval, the audit entry — as prepared Core statements."""
        app_id = str(app.application_id)
        person_key = functools.cache(self.keys.person_key)  # people are keyed many times in one decision
        applicant = person_key(app.applicant.person.id_number)
        first = self._first_of_visit(s, app, applicant)
        if first is not None:
            self.audit(s, actor, "application.same_visit", app_id, answered_with=first.application_id)
            log.info("application %s is the same visit as %s: answered with it", app_id, first.application_id)
            return self._decision(first)
        identity, proofs = self._identity(s, app, person_key)
        ctx = self._context(s, app, identity, person_key)
        reasons = evaluate(ctx)
        decision = decide(reasons)
        number = self._acceptance_no(s, app, actor)
        n = app.name or (app.changes.name if app.changes else None)
        keys = {person_key(p.id_number) for _, _, p in people(app) if p.id_number}
        uscc, licence = app.uscc, None
        if decision == "approved" and app.kind == "establishment":
            uscc, licence = self._establish(s, app, ctx, app_id)
        row = {"application_id": app_id, "acceptance_no": number, "kind": app.kind, "kiosk_id": actor.kiosk_id,
               "mode": app.mode or "", "entity_type": app.entity_type or "",
               "name_full": (n.full if n else "") or (ctx.entity.name if ctx.entity is not None else ""),
               "region": n.region if n else "", "trade_name": n.trade_name if n else "",
               "industry": n.industry if n else "", "applicant_key": applicant, "submitted_at": app.submitted_at,
               "received_at": utcnow(), "decision": decision, "reason_codes": ",".join(r.code for r in reasons),
               "reasons_sealed": self.keys.seal([r.model_dump() for r in reasons], app_id + ":reasons"),
               "body_sha256": digest, "document": self.keys.seal(document, app_id),
               "person_keys": " " + " ".join(sorted(keys)) + " ", "uscc": uscc, "e_license": licence}
        run(s, _NEW_APPLICATION, row)
        if decision in LIVE_DECISIONS:  # a rejected application leaves its proofs for the corrected one
            for proof in proofs:
                if not self.proofs.spend(s, proof, app_id):
                    raise IntegrityError("proof spent meanwhile", None, Exception())  # decide again
        answer = Decision(application_id=app_id, acceptance_no=number, decision=decision, reasons=reasons,
                          uscc=uscc if decision == "approved" else None, e_license=licence, kind=app.kind,
                          progress_url=self.progress_url(number))
        if decision == "approved":
            if app.kind == "establishment":
                self._queue_opening(s, app_id, uscc or "", app)
            else:
                from service.lifecycle import take_effect

                stored = s.get_one(Application, app_id)
                take_effect(self, s, stored, app, ctx)
                answer = self._decision(stored, reasons)
        self.audit(s, actor, "application.decided", app_id, acceptance_no=number, kind=app.kind,
                   decision=decision, codes=row["reason_codes"])
        log.info("application %s (%s %s, %s): %s %s", app_id, app.kind, app.entity_type or "", app.mode or "",
                 decision, row["reason_codes"] or "-")
        return answer

    def judge(self, app: ApplicationIn) -> dict[str, Any]:
        """The decision on ``app`` alone, registering nothing (``yzt review``), its identity judged as
        written; an approval still gets a USCC and a signed e-licence, as the real one would."""
        v = app.applicant.verification
        threshold = v.face_match_threshold if v.face_match_threshold is not None else self.settings.face_threshold
        identity = Identity(phone_verified=v.phone_verified,
                            face_passed=v.liveness_passed and v.face_match_score >= threshold)
        with self.store.write() as s:
            ctx = self._context(s, app, identity)
            reasons = evaluate(ctx)
            out: dict[str, Any] = {"application_id": str(app.application_id), "decision": decide(reasons),
                                   "reasons": [r.model_dump() for r in reasons],
                                   "acceptance_no": app.acceptance_no if acceptance.is_valid(app.acceptance_no)
                                   else self._acceptance_no(s, app, SYSTEM)}
            if out["decision"] == "approved" and app.kind == "establishment" and app.mode != "single_item":
                out["uscc"] = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type or "llc")
                out["e_license"] = elicence.sign(self.key, out["uscc"], app.the_name.full)
            elif out["decision"] == "approved" and app.kind == "change" and ctx.entity is not None:
                name = app.changes.name.full if app.changes and app.changes.name else ctx.entity.name
                out["uscc"], out["e_license"] = ctx.entity.uscc, elicence.sign(self.key, ctx.entity.uscc, name)
        return out

    def _issue(self, s: Session, row: Application, app: ApplicationIn, ctx: Context) -> None:
        """What approving a stored application does (a reviewer's approval): register or change the
        entity, and queue its linked items."""
        if app.kind != "establishment":
            from service.lifecycle import take_effect

            take_effect(self, s, row, app, ctx)
            return
        row.uscc, licence = self._establish(s, app, ctx, row.application_id)
        if licence is not None:
            row.e_license = licence
        self._queue_opening(s, row.application_id, row.uscc or "", app)

    def _establish(self, s: Session, app: ApplicationIn, ctx: Context, application_id: str
                   ) -> tuple[str | None, str | None]:
        """(USCC, signed e-licence) of an approved establishment: a new entity registered (its unique
        live-name index speaks at once, inside this transaction), or for single items the company's own
        USCC and no new licence."""
        if app.mode == "single_item" and ctx.entity is not None:
            return ctx.entity.uscc, None
        uscc = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type or "llc")
        while registry.uscc_held(s, uscc):  # a reference entity may hold it
            uscc = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type or "llc")
        n = app.the_name
        rep = app.the_officers.legal_representative
        now = utcnow()
        run(s, _NEW_ENTITY, {
            "uscc": uscc, "name": n.full, "region": n.region, "trade_name": n.trade_name, "industry": n.industry,
            "trade_sound": sound(n.trade_name), "legal_rep_key": ctx.person_key(rep.id_number if rep else ""),
            "address_code": app.address.code if app.address else "", "entity_type": app.entity_type or "llc",
            "status": "active", "name_live": 1, "source": "approved", "established_on": ctx.today,
            "investor_keys": " " + " ".join(sorted({ctx.person_key(p.id_number) for p in app.the_shareholders})) + " ",
            "state": self.keys.seal(entity_state(app), uscc), "created_at": now, "updated_at": now})
        run(s, _NEW_EVENT, {"uscc": uscc, "at": now, "effective_on": ctx.today, "kind": "establishment",
                            "application_id": application_id, "summary": []})
        return uscc, elicence.sign(self.key, uscc, n.full)

    def _queue_opening(self, s: Session, application_id: str, uscc: str, app: ApplicationIn) -> None:
        chosen = list(SERVICES) if app.mode == "full_chain" else app.the_linked.chosen()
        self.queue_items(s, application_id, uscc, chosen, "open", {k: getattr(app.the_linked, k) for k in chosen})

    def queue_items(self, s: Session, application_id: str, uscc: str, services: list[str], action: str,
                    params: dict[str, Any]) -> None:
        now = utcnow()
        rows = []
        for service in services:
            p = params.get(service)
            body = p.model_dump(mode="json") if p is not None and hasattr(p, "model_dump") else (p or {})
            rows.append({"application_id": application_id, "service": service, "action": action,
                         "uscc": uscc, "status": "pending",
                         "params": self.keys.seal(body, f"{application_id}:{service}"),
                         "detail": "已受理，等待推送至部门。", "reference": "", "attempts": 0, "failures": 0,
                         "dead": False, "notified": "", "created_at": now, "updated_at": now, "due_at": now,
                         "expected_by": self.calendar.due(now, LINKED_SERVICES[service].working_days)})
        if rows:  # one statement for all of them (not one ORM object each)
            run(s, _NEW_ITEM, rows)

    def _reasons(self, row: Application) -> list[Reason]:
        raw = self.keys.open(row.reasons_sealed, row.application_id + ":reasons", [])
        return [Reason(**r) for r in raw]

    def _decision(self, row: Application, reasons: list[Reason] | None = None) -> Decision:
        approved = row.decision == "approved"
        return Decision(application_id=row.application_id, acceptance_no=row.acceptance_no,
                        decision=row.decision,
                        reasons=reasons if reasons is not None else self._reasons(row),
                        uscc=row.uscc if approved else None, e_license=row.e_license if approved else None,
                        progress_url=self.progress_url(row.acceptance_no), kind=row.kind,
                        effective_on=row.effective_on, announcement_until=row.announcement_until)

    def progress_url(self, number: str) -> str | None:
        return acceptance.progress_link(self.settings.public_url, number) if self.settings.public_url else None

    def application_kiosk(self, application_id: str) -> str | None:
        with self.store.read() as s:
            return s.execute(select(Application.kiosk_id).where(Application.application_id == application_id)
                             ).scalar_one_or_none()

    def document(self, row: Application) -> dict[str, Any] | None:
        return self.keys.open(row.document, row.application_id) if row.document is not None else None

    def status(self, application_id: str) -> dict[str, Any] | None:
        """The full answer for a signed kiosk (it may name people: never public)."""
        with self.store.read() as s:
            row = s.get(Application, application_id)
            if row is None:
                return None
            return self._status_of(s, row)

    def _items(self, s: Session, application_id: str) -> list[Item]:
        return list(s.execute(select(Item).where(Item.application_id == application_id).order_by(Item.id)).scalars())

    def _status_of(self, s: Session, row: Application) -> dict[str, Any]:
        out = self._decision(row).model_dump()
        out["items"] = [{"service": i.service, "status": i.status, "updated_at": i.updated_at, "detail": i.detail,
                         "expected_by": i.expected_by, "action": i.action} for i in self._items(s, row.application_id)]
        out.update(name=row.name_full, submitted_at=row.submitted_at, received_at=row.received_at,
                   review_comment=self.keys.open(row.review_sealed, row.application_id + ":review"))
        return out

    def progress(self, number: str) -> dict[str, Any] | None:
        """The public progress: the proposed name, the decision and each item with its time — nobody's
        name, number, phone or address, and no reason about a person."""
        number = acceptance.normalise(number)
        if not acceptance.is_valid(number):
            return None
        with self.store.read() as s:
            row = s.execute(select(Application).where(Application.acceptance_no == number)).scalar_one_or_none()
            if row is None:
                return None
            items = self._items(s, row.application_id)
        return {"acceptance_no": row.acceptance_no, "name": row.name_full, "decision": row.decision, "kind": row.kind,
                "received_at": row.received_at, "effective_on": row.effective_on,
                "announcement_until": row.announcement_until,
                "items": [{"service": i.service, "status": i.status, "expected_by": i.expected_by} for i in items]}

    def card_read(self, actor: Actor, id_number: str) -> None:
        """A kiosk has just read this person's card: lookups by that number are allowed for a while."""
        person = self.keys.person_key(id_number)
        with self.store.write() as s:
            row = s.get(CardRead, (actor.kiosk_id, person))
            if row is None:
                s.add(CardRead(kiosk_id=actor.kiosk_id, person_key=person, at=utcnow()))
            else:
                row.at = utcnow()

    def lookup(self, actor: Actor, id_number: str, limit: int = 20) -> list[dict[str, Any]]:
        """Every application where this person is named, newest first — only for the kiosk that has
        just read their card, within the per-kiosk and per-person hourly limits."""
        person = self.keys.person_key(id_number)
        now = utcnow()
        hour = now - timedelta(hours=1)
        refusal: Exception | None = None
        with self.store.write() as s:  # a refusal is audited in its own committed transaction
            read = s.get(CardRead, (actor.kiosk_id, person))
            per_kiosk = s.execute(select(func.count()).select_from(Lookup).where(
                Lookup.kiosk_id == actor.kiosk_id, Lookup.at >= hour)).scalar_one()
            per_person = s.execute(select(func.count()).select_from(Lookup).where(
                Lookup.person_key == person, Lookup.at >= hour)).scalar_one()
            if read is None or (now - read.at).total_seconds() > 300:
                self.audit(s, actor, "lookup.refused", person[:12], why="card not just read at this kiosk")
                refusal = NotFound("请先在本机读卡器上读取本人身份证件，再查询办理进度。")
            elif per_kiosk >= self.settings.lookup_per_hour * 10 or per_person >= self.settings.lookup_per_hour:
                self.audit(s, actor, "lookup.limited", person[:12])
                refusal = TooMany("查询过于频繁，请稍后再试。", 600)
            else:
                s.add(Lookup(kiosk_id=actor.kiosk_id, person_key=person, at=now))
                self.audit(s, actor, "lookup", person[:12])
                rows = s.execute(select(Application).where(Application.person_keys.like(f"% {person} %"))
                                 .order_by(Application.received_at.desc()).limit(limit)).scalars().all()
                return [self._status_of(s, r) for r in rows]
        raise refusal

    def review(self, application_id: str, action: str, comment: str, actor: Actor) -> Decision:
        """A reviewer's approve/reject of an application in manual review."""
        try:
            with self.store.write() as s:
                row = s.get(Application, application_id)
                if row is None:
                    raise NotFound("未找到该申请。")
                if row.decision != "manual_review":
                    raise Conflict(f"该申请当前状态为“{row.decision}”，不在人工审核中。")
                row.reviewer, row.reviewed_at = actor.name.removeprefix("account:"), utcnow()
                row.review_sealed = self.keys.seal(comment, application_id + ":review") if comment else None
                if action == "reject":
                    row.decision = "rejected"
                    reasons = self._reasons(row) + [reason("REVIEW_REJECTED", "",
                                                           f"人工审核未通过：{comment or '请到窗口咨询。'}")]
                    row.reasons_sealed = self.keys.seal([r.model_dump() for r in reasons], application_id + ":reasons")
                    row.reason_codes += ",REVIEW_REJECTED"
                else:
                    row.decision = "approved"
                    doc = self.document(row)
                    if doc is None:
                        raise Conflict("该申请的材料已清除，无法审核通过。")
                    app = ApplicationIn.model_validate(doc)
                    ctx = self._context(s, app, Identity(True, True))
                    self._issue(s, row, app, ctx)
                self.audit(s, actor, "review." + action, application_id, decision=row.decision)
                log.info("application %s reviewed by %s: %s", application_id, actor.name, row.decision)
                return self._decision(row)
        except IntegrityError:
            raise Conflict("该名称已被其他企业登记，无法通过，请驳回并告知申请人更换字号。") from None

    def review_queue(self) -> list[dict[str, Any]]:
        with self.store.read() as s:
            rows = s.execute(select(Application).where(Application.decision == "manual_review")
                             .order_by(Application.received_at).limit(200)).scalars().all()
            return [{"application_id": r.application_id, "acceptance_no": r.acceptance_no, "kind": r.kind,
                     "name": r.name_full, "received_at": r.received_at, "reasons": [x.model_dump() for x in
                                                                                    self._reasons(r)]} for r in rows]

    def retry_item(self, application_id: str, service: str, actor: Actor) -> None:
        with self.store.write() as s:
            item = s.execute(select(Item).where(Item.application_id == application_id,
                                                Item.service == service)).scalar_one_or_none()
            if item is None:
                raise NotFound("该申请没有这个事项。")
            if item.status != "failed" and not item.dead:
                raise Conflict("只有办理失败或推送中断的事项可以重新提交。")
            now = utcnow()
            item.status = "pending" if item.status == "failed" or not item.reference else item.status
            item.dead, item.failures, item.last_error = False, 0, None
            item.detail, item.updated_at, item.due_at = "已重新提交，等待推送至部门。", now, now
            self.audit(s, actor, "item.retry", f"{application_id}:{service}")

    def dead_items(self) -> list[dict[str, Any]]:
        with self.store.read() as s:
            rows = s.execute(select(Item, Application.acceptance_no).join(
                Application, Application.application_id == Item.application_id).where(Item.dead.is_(True))
                .order_by(Item.updated_at)).all()
            return [{"application_id": i.application_id, "acceptance_no": no, "service": i.service,
                     "attempts": i.attempts, "last_error": i.last_error, "updated_at": i.updated_at}
                    for i, no in rows]

    # -- names ---------------------------------------------------------------------------------------------
    def check_name(self, region: str, trade_name: str, industry: str, form: str) -> dict[str, Any]:
        full = f"{region}{trade_name}{industry}{form}"
        with self.store.read() as s:
            today = submission_day(utcnow())
            reasons = list(name_reasons(s, self.ref, region, trade_name, industry, form, today=today))
            available = not any(r.severity == "error" for r in reasons)
            suggestions: list[str] = []
            codes = {r.code for r in reasons}
            if not available and trade_name and region and industry and \
                    not codes & {"NAME_PROHIBITED", "NAME_FORMAT"}:
                for c in SUGGESTION_CHARS:
                    candidate = (trade_name + c) if len(trade_name) < 4 else (trade_name[:3] + c)
                    if c in trade_name or registry.taken(s, region, candidate, industry):
                        continue
                    if not any(r.severity == "error" for r in name_reasons(s, self.ref, region, candidate, industry,
                                                                           form, today=today)):
                        suggestions.append(candidate)
                    if len(suggestions) >= 4:
                        break
        return {"available": available, "full": full, "reasons": [r.model_dump() for r in reasons],
                "suggestions": suggestions}

    # -- fleet, help, ratings ----------------------------------------------------------------------------------
    def heartbeat(self, kiosk_id: str, site: str, version: str, status: dict[str, Any],
                  fleet_number: int | None = None) -> None:
        now = utcnow()
        with self.store.write() as s:
            row = s.get(Kiosk, kiosk_id)
            if row is None:
                row = Kiosk(kiosk_id=kiosk_id, site=site, version=version, status=status, first_seen=now, last_seen=now)
                s.add(row)
            else:
                row.site, row.version, row.status, row.last_seen = site or row.site, version, status, now
            if fleet_number is not None and row.fleet_number != fleet_number:
                holder = s.execute(select(Kiosk.kiosk_id).where(Kiosk.fleet_number == fleet_number,
                                                                Kiosk.kiosk_id != kiosk_id)).first()
                if holder is not None:
                    raise Conflict(f"终端编号 {fleet_number:04d} 已被终端 {holder[0]} 使用，请运维人员重新配置。",
                                   "fleet number taken")
                row.fleet_number = fleet_number

    def kiosks(self) -> list[dict[str, Any]]:
        """Every kiosk's latest heartbeat; those that stopped reporting first, then the unwell, then the rest."""
        now = utcnow()
        with self.store.read() as s:
            rows = s.execute(select(Kiosk).order_by(Kiosk.kiosk_id)).scalars().all()
            open_help = dict(s.execute(select(HelpRequest.kiosk_id, func.count()).where(
                HelpRequest.answered_at.is_(None)).group_by(HelpRequest.kiosk_id)).all())
            ratings = {k: (n, avg) for k, n, avg in s.execute(select(Rating.kiosk_id, func.count(),
                                                                     func.avg(Rating.level))
                                                              .group_by(Rating.kiosk_id)).all()}
            out = []
            for k in rows:
                since = (now - k.last_seen).total_seconds()
                status = k.status if isinstance(k.status, dict) else {}
                health = "stale" if since > self.settings.stale_after_s else (
                    "ok" if status.get("health") == "ok" else "degraded")
                n, avg = ratings.get(k.kiosk_id, (0, None))
                out.append({"kiosk_id": k.kiosk_id, "site": k.site, "version": k.version, "last_seen": k.last_seen,
                            "seconds_since": round(since, 1), "health": health, "status": status,
                            "fleet_number": k.fleet_number, "help_waiting": int(open_help.get(k.kiosk_id, 0)),
                            "ratings": int(n), "rating_average": round(float(avg), 2) if avg is not None else None})
        order = {"stale": 0, "degraded": 1, "ok": 2}
        return sorted(out, key=lambda k: (0 if k["help_waiting"] else 1, order[k["health"]], k["kiosk_id"]))

    def help_request(self, kiosk_id: str, step: str) -> int:
        with self.store.write() as s:
            row = HelpRequest(kiosk_id=kiosk_id, step=step, at=utcnow())
            s.add(row)
            s.flush()
            self.audit(s, Actor(f"kiosk:{kiosk_id}"), "help.requested", str(row.id), step=step)
            return row.id

    def help_requests(self, waiting_only: bool = True) -> list[dict[str, Any]]:
        with self.store.read() as s:
            query = select(HelpRequest).order_by(HelpRequest.at.desc()).limit(100)
            if waiting_only:
                query = query.where(HelpRequest.answered_at.is_(None))
            return [{"id": h.id, "kiosk_id": h.kiosk_id, "step": h.step, "at": h.at, "answered_at": h.answered_at,
                     "answered_by": h.answered_by} for h in s.execute(query).scalars()]

    def answer_help(self, request_id: int, actor: Actor) -> None:
        with self.store.write() as s:
            row = s.get(HelpRequest, request_id)
            if row is None:
                raise NotFound("未找到该求助。")
            if row.answered_at is None:
                row.answered_at, row.answered_by = utcnow(), actor.name.removeprefix("account:")[:60]
                self.audit(s, actor, "help.answered", str(request_id))

    def rate(self, kiosk_id: str, journey: str, level: int, reasons: list[str]) -> None:
        with self.store.write() as s:
            s.add(Rating(kiosk_id=kiosk_id, journey=journey, level=level, reasons=reasons, at=utcnow()))

    def audit_log(self, limit: int = 200, action: str | None = None) -> list[dict[str, Any]]:
        with self.store.read() as s:
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if action:
                query = query.where(AuditEntry.action.like(action.replace("%", "") + "%"))
            return [{"id": a.id, "at": a.at, "actor": a.actor, "action": a.action, "target": a.target,
                     "detail": a.detail, "address": a.address} for a in s.execute(query).scalars()]

    # -- housekeeping ----------------------------------------------------------------------------------------
    def purge(self, now: datetime | None = None) -> int:
        """Documents of rejected applications older than ``purge_after_days`` are deleted; the decision stays."""
        cutoff = (now or utcnow()) - timedelta(days=self.settings.purge_after_days)
        with self.store.write() as s:
            rows = s.execute(select(Application).where(Application.decision == "rejected",
                                                       Application.received_at < cutoff,
                                                       Application.purged_at.is_(None))).scalars().all()
            for row in rows:
                row.document, row.reasons_sealed, row.review_sealed = None, None, None
                row.purged_at = utcnow()
            if rows:
                self.audit(s, SYSTEM, "purge", "", count=len(rows))
            forget_old_nonces(s)
            s.execute(delete(CardRead).where(CardRead.at < utcnow() - timedelta(hours=1)))
            s.execute(delete(Lookup).where(Lookup.at < utcnow() - timedelta(days=2)))
        return len(rows)

    # -- linked items ----------------------------------------------------------------------------------------
    def _claim_due(self, limit: int = 200) -> tuple[datetime, list[Any]]:
        """Take the due items for this worker in one conditional update (``RETURNING`` what was taken),
        so two workers never call a department for the same item at once: on PostgreSQL the outer
        condition is checked again on each row another worker has just leased. The lease is the
        ``due_at`` written here (returned first): whoever holds that value holds the item."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.dispatch_lease_s)
        due = (select(Item.id).where(Item.status.in_(("pending", "in_progress")), Item.dead.is_(False),
                                     Item.due_at <= now).order_by(Item.due_at).limit(limit))
        with self.store.write() as s:
            return lease, list(s.execute(
                update(Item).where(Item.id.in_(due.scalar_subquery()), Item.status.in_(("pending", "in_progress")),
                                   Item.dead.is_(False), Item.due_at <= now)
                .values(due_at=lease)
                .returning(Item.id, Item.status, Item.service, Item.application_id, Item.reference, Item.params,
                           Item.action, Item.uscc, Item.failures, Item.notified)
                .execution_options(synchronize_session=False)).all())

    def _step(self, d: Any) -> dict[str, Any]:
        """One department call for one leased item: the values its row takes."""
        dept = self.departments[d.service]
        try:
            if d.status == "pending":
                params = self.keys.open(d.params, f"{d.application_id}:{d.service}", {})
                ticket = dept.submit(d.application_id, d.uscc, d.action, params)
                return {"status": "in_progress", "reference": ticket.reference, "detail": ticket.detail,
                        "due_at": utcnow() + timedelta(seconds=ticket.answer_in_s), "failures": 0}
            outcome = dept.finish(d.application_id, d.reference, d.action)
            return {"status": "done" if outcome.done else "failed", "detail": outcome.detail, "due_at": None,
                    "failures": 0}
        except Exception as exc:  # a department that fails to answer is asked again later
            failures = d.failures + 1
            dead = failures >= self.settings.dispatch_max_attempts
            log.warning("department %s failed for %s (%d/%d): %s", d.service, d.application_id, failures,
                        self.settings.dispatch_max_attempts, exc)
            return {"failures": failures, "last_error": f"{type(exc).__name__}: {exc}"[:300], "dead": dead,
                    "due_at": None if dead else utcnow() + timedelta(seconds=min(3600, 5 * 2 ** failures))}

    def dispatch_once(self) -> int:
        """Move every due item one step; returns how many moved. Safe with many workers: the due items
        are leased in one statement, the departments called outside any transaction, and the outcomes
        written in one more (two commits a tick, however many items moved). A department that raises is
        asked again with backoff; after ``dispatch_max_attempts`` the item is a dead letter an operator
        retries (``/api/v1/items/dead``)."""
        lease, claimed = self._claim_due()
        leased = [d for d in claimed if d.service in self.departments]
        if not leased:
            return 0
        outcomes = [(d, self._step(d)) for d in leased]
        notices: list[tuple[str, str]] = []
        now = utcnow()
        with self.store.write() as s:
            # only outcomes of items still held: a lease that ran out while a department was slow may
            # have been taken again (another tick, another worker), and that later answer stands
            ours = set(run(s, _STILL_LEASED, {"ids": [d.id for d, _ in outcomes], "lease": lease}).scalars())
            for d, _values in outcomes:
                if d.id not in ours:
                    log.warning("item %s:%s: the department answered after the lease ran out; this answer is "
                                "dropped (the item was taken again)", d.application_id, d.service)
            outcomes = [(d, values) for d, values in outcomes if d.id in ours]
            same: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # one statement per shape of outcome
            ends: list[bool] = []
            for d, values in outcomes:
                ended = values.get("status") in ("done", "failed") and d.notified != values["status"]
                ends.append(ended)
                if ended:
                    values["notified"] = values["status"]
                same.setdefault(tuple(sorted(values)), []).append(
                    {"item_id": d.id, "lease": lease, **{f"new_{k}": v for k, v in values.items()}})
            table = cast(Table, Item.__table__)
            for keys, rows in same.items():
                run(s,  # Core executemany: compiled once, however many items moved
                    update(table).where(table.c.id == bindparam("item_id"), table.c.due_at == bindparam("lease"))
                    .values(updated_at=now, attempts=table.c.attempts + 1,
                            **{k: bindparam(f"new_{k}") for k in keys}), rows)
            for (d, values), ended in zip(outcomes, ends):
                if values.get("dead"):
                    self.audit(s, SYSTEM, "item.dead", f"{d.application_id}:{d.service}")
                if ended:
                    notice = self._notice(s, d.application_id, d.service, str(values["status"]))
                    if notice is not None:
                        notices.append(notice)
        for phone, text in notices:
            try:
                self.sms_gateway.send(phone, text)
            except Exception as exc:  # a notice that cannot be sent never stops the dispatcher
                log.warning("progress SMS not sent: %s", exc)
        return len(outcomes)

    def _notice(self, s: Session, application_id: str, service: str, status: str) -> tuple[str, str] | None:
        """The SMS telling the applicant (the phone the platform verified) that an item is done or needs
        them; sent after the outcome is committed."""
        row = s.get(Application, application_id)
        doc = self.document(row) if row is not None else None
        phone = (((doc or {}).get("applicant") or {}).get("person") or {}).get("phone")
        if row is None or not phone:
            return None
        label = LINKED_SERVICES[service].name_zh
        return phone, (f"【银政通】您的申请（受理编号{row.acceptance_no}）“{label}”已办结。" if status == "done" else
                       f"【银政通】您的申请（受理编号{row.acceptance_no}）“{label}”未能办结，请查看进度或到窗口办理。")

    def _dispatch_loop(self) -> None:
        last_purge = last_lifecycle = 0.0
        while not self._stop.wait(self.settings.dispatch_tick_s):
            try:
                self.dispatch_once()
                if time.monotonic() - last_lifecycle > 30:
                    from service.lifecycle import finish_announcements

                    finish_announcements(self, today_in_china())
                    last_lifecycle = time.monotonic()
                if time.monotonic() - last_purge > 3600:
                    self.purge()
                    last_purge = time.monotonic()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("dispatch round failed")
                time.sleep(1)

    def counts(self) -> dict[str, int]:
        return {"divisions": len(self.ref.divisions), "addresses": len(self.ref.addresses),
                "scopes": len(self.ref.scopes), "prohibited_words": len(self.ref.prohibited),
                "dishonest": len(self.ref.dishonest)}


def entity_state(app: ApplicationIn) -> dict[str, Any]:
    """What the registry keeps of a company's current state (sealed): people, scope, address, capital."""
    return {"entity_type": app.entity_type, "name": app.the_name.model_dump(),
            "address": app.address.model_dump() if app.address else None,
            "business_scope": [s.model_dump() for s in app.business_scope or []],
            "registered_capital_cny": app.registered_capital_cny,
            "shareholders": [s.model_dump(mode="json") for s in app.the_shareholders],
            "officers": app.the_officers.model_dump(mode="json"),
            "type_label": law.entity_type_label(app.entity_type or "llc",
                                                [s.id_type for s in app.the_shareholders] or
                                                [app.applicant.person.id_type])}


def today_in_china() -> date:
    return submission_day(utcnow())


__all__ = ["Actor", "Conflict", "NotFound", "Platform", "TooMany", "entity_state", "ids", "today_in_china"]
