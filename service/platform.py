"""The platform's work without HTTP: decide, issue, dispatch, answer progress, review, SMS, fleet.

The FastAPI app (:mod:`service.app`) is a thin layer over one :class:`Platform`; ``yzt review``
uses the same engine against an in-memory database. Every write is one transaction, so an
approval either registers the entity, assigns the USCC, signs the e-licence and queues the linked
items together, or does none of it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import elicence
from kiosk.paths import write_private
from service import registry
from service.approval import decide, evaluate
from service.db import Application, Entity, Item, Kiosk, Store, utcnow
from service.departments import Department, expected_duration, simulated
from service.reference import Reference, load, sound
from service.rules import name_reasons, reason
from service.schemas import SERVICES, ApplicationIn, Decision, ReviewIn
from service.settings import Settings
from service.sms import LogGateway, SmsCodes, SmsError, SmsGateway
from service.uscc import make as make_uscc

log = logging.getLogger("service.platform")

SUGGESTION_CHARS = "达信源盛恒泰瑞丰华成"


class Conflict(Exception):
    """The request is well formed but cannot be done in the application's present state."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _secret_file(path: Path, size: int = 32) -> bytes:
    """A random secret kept 0600 beside the signing key, made on first use."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_bytes(size)
    write_private(path, data)
    return data


def _division(app: ApplicationIn) -> str:
    """The registering division: the address's district, else the city."""
    code = app.address.code[:6]
    return code if len(code) == 6 and code.isdigit() else "441700"


class Platform:
    def __init__(self, settings: Settings, reference: Reference | None = None,
                 departments: dict[str, Department] | None = None, sms_gateway: SmsGateway | None = None) -> None:
        self.settings = settings
        self.ref = reference if reference is not None else load(settings.reference_dir)
        self.store = Store(settings.resolved_db_url())
        self.seeded = self.store.seed(self.ref)
        self.key = elicence.load_or_create_signing_key(settings.key_dir)
        self.secret = _secret_file(settings.key_dir / "hmac.key")
        self.reviewer_token = settings.reviewer_token or \
            _secret_file(settings.key_dir / "reviewer.token", 16).hex()
        self.departments = departments if departments is not None else simulated(settings.dispatch_scale)
        self.sms = SmsCodes(self.secret, sms_gateway or LogGateway(), settings.sms_ttl_s, settings.sms_cooldown_s,
                            settings.sms_max_tries)
        from service.auth import KioskKeys, RateLimiter

        self.kiosk_keys = KioskKeys(settings.kiosk_keys_dir) if settings.kiosk_keys_dir else None
        self.limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
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
        self.store.dispose()

    # -- applications ----------------------------------------------------------------------
    def person_key(self, id_number: str) -> str:
        return hmac.new(self.secret, b"person:" + id_number.strip().upper().encode(), "sha256").hexdigest()[:32]

    def submit(self, app: ApplicationIn) -> Decision:
        """Decide ``app``; the same ``application_id`` again answers the stored decision."""
        app_id = str(app.application_id)
        body = app.model_dump_json().encode()
        digest = hashlib.sha256(body).hexdigest()
        with self.store.read() as s:
            row = s.get(Application, app_id)
            if row is not None:
                return self._answer_again(row, digest)
        for _attempt in range(3):
            try:
                with self.store.write() as s:
                    row = s.get(Application, app_id)
                    if row is not None:
                        return self._answer_again(row, digest)
                    return self._decide_and_store(s, app, digest)
            except IntegrityError:
                # a concurrent approval took the name, or a concurrent copy of this application
                # landed first: decide again against what is now registered
                continue
        raise Conflict("并发提交冲突，请稍后重试。")

    def judge(self, app: ApplicationIn) -> dict[str, Any]:
        """The decision on ``app`` alone, registering nothing (``yzt review``): an approval still
        gets a USCC from this platform's serials and a signed e-licence, as the real one would."""
        with self.store.write() as s:
            reasons = evaluate(app, self.ref, s, self.settings)
            out: dict[str, Any] = {"application_id": str(app.application_id), "decision": decide(reasons),
                                   "reasons": [r.model_dump() for r in reasons]}
            if out["decision"] == "approved":
                out["uscc"] = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type)
                out["e_license"] = elicence.sign(self.key, out["uscc"], app.name.full)
        return out

    def _answer_again(self, row: Application, digest: str) -> Decision:
        if row.body_sha256 != digest:
            log.warning("application %s re-sent with a different body; answering its stored decision",
                        row.application_id)
        return self._decision(row)

    def _decide_and_store(self, s: Session, app: ApplicationIn, digest: str) -> Decision:
        reasons = evaluate(app, self.ref, s, self.settings)
        decision = decide(reasons)
        app_id = str(app.application_id)
        rep = app.officers.legal_representative
        keys = {self.person_key(app.applicant.person.id_number)}
        if rep is not None and rep.id_number:
            keys.add(self.person_key(rep.id_number))
        row = Application(application_id=app_id, kiosk_id=app.kiosk_id or "", mode=app.mode,
                          entity_type=app.entity_type, name_full=app.name.full or "",
                          submitted_at=app.submitted_at, decision=decision,
                          reasons=[r.model_dump() for r in reasons], body_sha256=digest,
                          document=app.model_dump(mode="json"), person_keys=" " + " ".join(sorted(keys)) + " ")
        s.add(row)
        s.flush()
        if decision == "approved":
            self._issue(s, row, app)
        log.info("application %s (%s, %s): %s %s", app_id, app.entity_type, app.mode, decision,
                 ",".join(r.code for r in reasons) or "-")
        return self._decision(row)

    def _issue(self, s: Session, row: Application, app: ApplicationIn) -> None:
        """Register the entity (USCC, e-licence) unless it exists, and queue its linked items."""
        existing = registry.entity_by_uscc(s, app.uscc) if app.mode == "single_item" and app.uscc else None
        if existing is not None:
            row.uscc = existing.uscc
        else:
            uscc = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type)
            while registry.entity_by_uscc(s, uscc) is not None:  # a reference entity may hold it
                uscc = make_uscc(_division(app), self.store.next_serial(s, "uscc"), app.entity_type)
            rep = app.officers.legal_representative
            s.add(Entity(uscc=uscc, name=app.name.full, region=app.name.region, trade_name=app.name.trade_name,
                         industry=app.name.industry, trade_sound=sound(app.name.trade_name),
                         legal_rep_id=(rep.id_number if rep else "").strip().upper(),
                         address_code=app.address.code, source="approved"))
            s.flush()  # the unique name index speaks now, inside this transaction
            row.uscc = uscc
            row.e_license = elicence.sign(self.key, uscc, app.name.full)
        chosen = list(SERVICES) if app.mode == "full_chain" else app.linked_services.chosen()
        now = utcnow()
        for service in chosen:
            params = getattr(app.linked_services, service)
            s.add(Item(application_id=row.application_id, service=service, status="pending",
                       params=params.model_dump(mode="json") if params is not None else {},
                       detail="已受理，等待推送至部门。", created_at=now, updated_at=now, due_at=now,
                       expected_done_at=now + expected_duration(service)))

    def _decision(self, row: Application) -> Decision:
        approved = row.decision == "approved"
        return Decision(application_id=row.application_id, decision=row.decision, reasons=row.reasons,
                        uscc=row.uscc if approved else None, e_license=row.e_license if approved else None)

    def status(self, application_id: str) -> dict[str, Any] | None:
        with self.store.read() as s:
            row = s.get(Application, application_id)
            if row is None:
                return None
            items = s.execute(select(Item).where(Item.application_id == application_id).order_by(Item.id)).scalars()
            return self._status_of(row, list(items))

    def _status_of(self, row: Application, items: list[Item]) -> dict[str, Any]:
        out = self._decision(row).model_dump()
        out["items"] = [{"service": i.service, "status": i.status, "updated_at": i.updated_at, "detail": i.detail,
                         "expected_done_at": i.expected_done_at} for i in items]
        out.update(name=row.name_full, submitted_at=row.submitted_at, received_at=row.received_at,
                   review_comment=row.review_comment)
        return out

    def lookup(self, id_number: str, limit: int = 20) -> list[dict[str, Any]]:
        """Every application where this person is the applicant or legal representative, newest first."""
        key = f"% {self.person_key(id_number)} %"
        with self.store.read() as s:
            rows = s.execute(select(Application).where(Application.person_keys.like(key))
                             .order_by(Application.received_at.desc()).limit(limit)).scalars().all()
            out = []
            for row in rows:
                items = s.execute(select(Item).where(Item.application_id == row.application_id)
                                  .order_by(Item.id)).scalars().all()
                out.append(self._status_of(row, list(items)))
            return out

    def review(self, application_id: str, action: ReviewIn) -> Decision:
        """A reviewer's approve/reject of an application in manual review."""
        try:
            with self.store.write() as s:
                row = s.get(Application, application_id)
                if row is None:
                    raise KeyError(application_id)
                if row.decision != "manual_review":
                    raise Conflict(f"该申请当前状态为“{row.decision}”，不在人工审核中。")
                row.reviewer, row.review_comment, row.reviewed_at = action.reviewer, action.comment, utcnow()
                if action.action == "reject":
                    row.decision = "rejected"
                    row.reasons = [*row.reasons, reason("REVIEW_REJECTED", "error", "",
                                                        f"人工审核未通过：{action.comment or '请到窗口咨询。'}").model_dump()]
                else:
                    row.decision = "approved"
                    self._issue(s, row, ApplicationIn.model_validate(row.document, strict=False))
                log.info("application %s reviewed by %s: %s", application_id, action.reviewer, row.decision)
                return self._decision(row)
        except IntegrityError:
            raise Conflict("该名称已被其他企业登记，无法通过，请驳回并告知申请人更换字号。") from None

    def retry_item(self, application_id: str, service: str) -> None:
        with self.store.write() as s:
            item = s.execute(select(Item).where(Item.application_id == application_id,
                                                Item.service == service)).scalar_one_or_none()
            if item is None:
                raise KeyError(service)
            if item.status != "failed":
                raise Conflict("只有办理失败的事项可以重新提交。")
            now = utcnow()
            item.status, item.detail, item.updated_at, item.due_at = "pending", "已重新提交，等待推送至部门。", now, now

    # -- names -----------------------------------------------------------------------------
    def check_name(self, region: str, trade_name: str, industry: str, form: str) -> dict[str, Any]:
        full = f"{region}{trade_name}{industry}{form}"
        with self.store.read() as s:
            reasons = list(name_reasons(s, self.ref, region, trade_name, industry, form))
            available = not any(r.severity == "error" for r in reasons)
            suggestions: list[str] = []
            if not available and len(trade_name) >= 1 and region and industry and \
                    not any(r.code == "NAME_PROHIBITED" for r in reasons):
                for c in SUGGESTION_CHARS:
                    candidate = (trade_name + c) if len(trade_name) < 4 else (trade_name[:3] + c)
                    if c not in trade_name and not registry.taken(s, region, candidate, industry):
                        suggestions.append(candidate)
                    if len(suggestions) >= 4:
                        break
        return {"available": available, "full": full, "reasons": [r.model_dump() for r in reasons],
                "suggestions": suggestions}

    # -- SMS -------------------------------------------------------------------------------
    def send_sms(self, phone: str) -> int:
        with self.store.write() as s:
            return self.sms.send(s, phone, keep=self.settings.dev_sms)

    def verify_sms(self, phone: str, code: str) -> None:
        with self.store.write() as s:
            problem = self.sms.verify(s, phone, code)
        if problem is not None:
            raise problem

    # -- fleet -----------------------------------------------------------------------------
    def heartbeat(self, kiosk_id: str, site: str, version: str, status: dict[str, Any]) -> None:
        now = utcnow()
        with self.store.write() as s:
            row = s.get(Kiosk, kiosk_id)
            if row is None:
                s.add(Kiosk(kiosk_id=kiosk_id, site=site, version=version, status=status, first_seen=now,
                            last_seen=now))
            else:
                row.site, row.version, row.status, row.last_seen = site or row.site, version, status, now

    def kiosks(self) -> list[dict[str, Any]]:
        """Every kiosk's latest heartbeat; those that stopped reporting first, then the unwell, then the rest."""
        now = utcnow()
        with self.store.read() as s:
            rows = s.execute(select(Kiosk).order_by(Kiosk.kiosk_id)).scalars().all()
            out = []
            for k in rows:
                since = (now - k.last_seen).total_seconds()
                status = k.status if isinstance(k.status, dict) else {}
                health = "stale" if since > self.settings.stale_after_s else (
                    "ok" if status.get("health") == "ok" else "degraded")
                out.append({"kiosk_id": k.kiosk_id, "site": k.site, "version": k.version, "last_seen": k.last_seen,
                            "seconds_since": round(since, 1), "health": health, "status": status})
        order = {"stale": 0, "degraded": 1, "ok": 2}
        return sorted(out, key=lambda k: (order[k["health"]], k["kiosk_id"]))

    # -- linked items ----------------------------------------------------------------------
    def dispatch_once(self) -> int:
        """Move every item that is due one step; returns how many moved. Safe with many workers:
        an item is claimed by a conditional update before its department is called."""
        now = utcnow()
        moved = 0
        with self.store.read() as s:
            due = s.execute(select(Item.id, Item.status, Item.service, Item.application_id, Item.reference,
                                   Item.params).where(Item.status.in_(("pending", "in_progress")),
                                                      Item.due_at <= now).limit(200)).all()
            usccs = {a: u for a, u in s.execute(select(Application.application_id, Application.uscc).where(
                Application.application_id.in_({d.application_id for d in due})))} if due else {}
        for d in due:
            dept = self.departments.get(d.service)
            if dept is None:
                continue
            try:
                if d.status == "pending":
                    ticket = dept.submit(d.application_id, usccs.get(d.application_id) or "", d.params or {})
                    values = {"status": "in_progress", "reference": ticket.reference, "detail": ticket.detail,
                              "due_at": utcnow() + timedelta(seconds=ticket.answer_in_s)}
                else:
                    outcome = dept.finish(d.application_id, d.reference)
                    values = {"status": "done" if outcome.done else "failed", "detail": outcome.detail,
                              "due_at": None}
            except Exception as exc:  # a department that fails to answer is asked again later
                log.warning("department %s failed for %s: %s", d.service, d.application_id, exc)
                values = {"due_at": utcnow() + timedelta(seconds=30)}
            with self.store.write() as s:
                result = s.execute(update(Item).where(Item.id == d.id, Item.status == d.status)
                                   .values(updated_at=utcnow(), attempts=Item.attempts + 1, **values))
                moved += result.rowcount or 0
        return moved

    def _dispatch_loop(self) -> None:
        while not self._stop.wait(self.settings.dispatch_tick_s):
            try:
                self.dispatch_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("dispatch round failed")
                time.sleep(1)

    def counts(self) -> dict[str, int]:
        return {"divisions": len(self.ref.divisions), "addresses": len(self.ref.addresses),
                "scopes": len(self.ref.scopes), "prohibited_words": len(self.ref.prohibited),
                "dishonest": len(self.ref.dishonest)}

