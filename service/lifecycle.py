"""What the platform does for a company's later life, around the rules of :mod:`service.engine.lifecycle`:

* before deciding: opens the company's sealed state, asks every department what is still open
  (企业退出"一张表"), sums earlier suspensions;
* on approval (:func:`take_effect`, at once or when a reviewer approves; periods count from the day of
  the decision): a change updates the registry (same USCC, a new e-licence, the departments told as
  items, a new seal when the name changes); a suspension starts, or is scheduled, or — when its end is
  today — ends the one in force and calls off those to come (resuming early); a deregistration starts
  its public announcement (20 days simplified, 45 ordinary; an individual business is not announced but
  the departments have 10 days to object, and its ordinary deregistration needs no liquidation) and
  takes effect when that ends (:func:`finish_announcements`, run by the dispatcher): the entity is
  deregistered, its name freed, the departments close their side; an objection (:func:`object_to`)
  stops it and hands it to a registration officer;
* for the legal representative at any kiosk: the company's record (prefill of a change, licence
  reprint), after the platform's own face proof.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import registry
from service.contract import elicence
from service.contract.labels import SERVICES
from service.contract.models import ApplicationIn, Officers
from service.contract import law
from service.engine.lifecycle import Suspensions, changed_fields
from service.engine.rules import Context
from service.models import Application, Entity, EntityEvent, FormerName, utcnow
from service.reference import sound

if TYPE_CHECKING:
    from service.platform import Actor, Platform

DEPARTMENTS_TOLD_OF_A_CHANGE = ("tax", "social_insurance", "housing_fund", "bank_account")


def open_state(platform: "Platform", entity: Entity) -> dict[str, Any]:
    if entity.state is None:  # a reference entity: what the registry knows without people
        return {"name": {"full": entity.name}, "address": {"code": entity.address_code, "text": ""},
                "business_scope": [], "registered_capital_cny": None, "shareholders": [], "officers": {}}
    found = platform.keys.open(entity.state, entity.uscc, {})
    return found if isinstance(found, dict) else {}


def open_matters(platform: "Platform", uscc: str) -> list[dict[str, str]]:
    """What each department still holds open for the company (deterministic in the simulators)."""
    out: list[dict[str, str]] = []
    for code in SERVICES:
        dept = platform.departments.get(code)
        if dept is None:
            continue
        try:
            out += [{"service": m.service, "what": m.what, "see": m.see} for m in dept.open_matters(uscc)]
        except Exception as exc:  # a department that cannot answer counts as open: nobody closes blind
            out.append({"service": code, "what": f"{code} 暂时无法查询（{type(exc).__name__}）",
                        "see": "请稍后重试或到窗口办理"})
    return out


def suspensions(s: Session, uscc: str, today: date) -> Suspensions:
    """The company's suspensions (REG art. 30 counts them together): all of them as filed (shortened when
    resumed early), the one in force today, those still to come."""
    out = Suspensions()
    for _ev, start, end in _suspension_events(s, uscc):
        out.all.append((start, end))
        if start <= today < end:
            out.in_force = (start, end)
        elif start > today:
            out.scheduled.append((start, end))
    return out


def _suspension_events(s: Session, uscc: str) -> list[tuple[EntityEvent, date, date]]:
    rows = []
    for ev in s.execute(select(EntityEvent).where(EntityEvent.uscc == uscc, EntityEvent.kind == "suspension")
                        .order_by(EntityEvent.id)).scalars():
        info = {d["field"]: d.get("value") for d in ev.summary if isinstance(d, dict)}
        rows.append((ev, date.fromisoformat(str(info.get("from"))), date.fromisoformat(str(info.get("to")))))
    return rows


def status_on(s: Session, entity: Entity, today: date) -> str:
    """What a live company's status is on ``today``: suspended while a suspension is in force."""
    return "suspended" if suspensions(s, entity.uscc, today).in_force is not None else "active"


def prepare(platform: "Platform", s: Session, ctx: Context) -> None:
    """Fill what the lifecycle rules need into ``ctx.notes``."""
    entity = ctx.entity
    if not isinstance(entity, Entity):
        return
    ctx.notes["state"] = open_state(platform, entity)
    if ctx.app.kind == "deregistration":
        ctx.notes["open_matters"] = open_matters(platform, entity.uscc)
        ineligible = []
        if entity.uscc in platform.ref.abnormal:
            ineligible.append("该企业被列入经营异常名录或严重违法失信名单")
        ctx.notes["ineligible"] = ineligible
    if ctx.app.kind == "suspension":
        ctx.notes["suspensions"] = suspensions(s, entity.uscc, ctx.today)


def take_effect(platform: "Platform", s: Session, row: Application, app: ApplicationIn, ctx: Context) -> None:
    """An approved lifecycle application (at once, or when a reviewer approves it) does what it asks. Periods
    the law sets start on the day the platform takes the decision, not on the day the document was written."""
    from service.platform import today_in_china

    entity = ctx.entity
    assert isinstance(entity, Entity)
    row.uscc = entity.uscc
    today = max(ctx.today, today_in_china())
    if app.kind == "change":
        _change(platform, s, row, app, ctx, entity, today)
    elif app.kind == "suspension":
        _suspend(s, row, app, ctx, entity)
    elif app.kind == "deregistration":
        individual = entity.entity_type == "individual_business"
        if individual:  # REG art. 33 para. 3, RULES art. 46: no announcement; the departments may object
            days = law.INDIVIDUAL_DEREG_OBJECTION_DAYS if app.procedure == "simplified" else 0
        else:
            days = law.SIMPLE_DEREG_ANNOUNCE_DAYS if app.procedure == "simplified" else law.LIQUIDATION_ANNOUNCE_DAYS
        until = law.days_after(today, days)
        entity.status, entity.updated_at = "deregistering", utcnow()
        row.announcement_until = until if days and not individual else None
        row.effective_on = law.days_after(until, 1) if days else today
        row.lifecycle_state = ("announcing" if not individual else "waiting") if days else "effective"
        s.add(EntityEvent(uscc=entity.uscc, at=utcnow(), effective_on=today, kind="deregistration_announced",
                          application_id=row.application_id,
                          summary=[{"field": "procedure", "value": app.procedure},
                                   {"field": "announcement_until", "value": until.isoformat()}]))
        if not days:
            _deregister(platform, s, row, entity, today)


def _change(platform: "Platform", s: Session, row: Application, app: ApplicationIn, ctx: Context,
            entity: Entity, today: date) -> None:
    c = app.changes
    assert c is not None
    # what the rules found changed; a reviewer's approval comes without the rules' notes: compare again
    fields = list(ctx.notes.get("changed") or changed_fields(ctx))
    current = open_state(platform, entity)
    summary: list[dict[str, Any]] = []
    if c.name is not None and "name" in fields:
        summary.append({"field": "name", "before": entity.name, "value": c.name.full})
        s.add(FormerName(uscc=entity.uscc, region=entity.region, trade_name=entity.trade_name,
                         industry=entity.industry, released_on=today, investor_keys=entity.investor_keys))
        entity.name, entity.region, entity.trade_name = c.name.full, c.name.region, c.name.trade_name
        entity.industry, entity.trade_sound = c.name.industry, sound(c.name.trade_name)
        current["name"] = c.name.model_dump()
        s.flush()  # the live-name index speaks inside this transaction
    if c.address is not None and "address" in fields:
        summary.append({"field": "address", "value": c.address.code})
        entity.address_code, current["address"] = c.address.code, c.address.model_dump()
    if c.business_scope is not None and "business_scope" in fields:
        summary.append({"field": "business_scope", "value": len(c.business_scope)})
        current["business_scope"] = [x.model_dump() for x in c.business_scope]
    if c.registered_capital_cny is not None and "registered_capital_cny" in fields:
        summary.append({"field": "registered_capital_cny", "before": current.get("registered_capital_cny"),
                        "value": c.registered_capital_cny})
        current["registered_capital_cny"] = c.registered_capital_cny
    if c.shareholders is not None and "shareholders" in fields:
        summary.append({"field": "shareholders", "value": len(c.shareholders)})
        current["shareholders"] = [x.model_dump(mode="json") for x in c.shareholders]
        entity.investor_keys = " " + " ".join(sorted({platform.keys.person_key(x.id_number)
                                                     for x in c.shareholders})) + " "
    if c.officers is not None and "officers" in fields:
        summary.append({"field": "officers", "value": sorted({k for k in Officers.model_fields
                                                              if getattr(c.officers, k)})})
        current["officers"] = c.officers.model_dump(mode="json")
        if c.officers.legal_representative is not None:
            entity.legal_rep_key = platform.keys.person_key(c.officers.legal_representative.id_number)
    current["type_label"] = law.entity_type_label(entity.entity_type, [x.get("id_type", "resident_id")
                                                                       for x in current.get("shareholders") or []])
    entity.state, entity.updated_at = platform.keys.seal(current, entity.uscc), utcnow()
    s.add(EntityEvent(uscc=entity.uscc, at=utcnow(), effective_on=today, kind="change",
                      application_id=row.application_id, summary=summary))
    row.e_license = elicence.sign(platform.key, entity.uscc, entity.name)
    row.effective_on, row.lifecycle_state = today, "effective"
    services = list(DEPARTMENTS_TOLD_OF_A_CHANGE)
    if "name" in fields:
        services.insert(0, "seal")
    platform.queue_items(s, row.application_id, row.uscc or "", services, "update",
                         {"seal": {"reason": "name_changed"}} if "name" in fields else {})


def _suspend(s: Session, row: Application, app: ApplicationIn, ctx: Context, entity: Entity) -> None:
    assert app.from_ is not None and app.to is not None
    today = ctx.today
    if app.to <= today:  # resuming early (RULES art. 42): the suspension in force ends today, those to come go
        ended = []
        for ev, start, end in _suspension_events(s, entity.uscc):
            if start <= today < end or start > today:
                stop = max(start, today)
                ev.summary = [d if d.get("field") != "to" else {"field": "to", "value": stop.isoformat()}
                              for d in ev.summary]
                ended.append(start.isoformat())
        entity.status, entity.updated_at = "active", utcnow()
        s.add(EntityEvent(uscc=entity.uscc, at=utcnow(), effective_on=today, kind="resumption",
                          application_id=row.application_id, summary=[{"field": "ended", "value": ended}]))
        row.effective_on, row.lifecycle_state = today, "effective"
        return
    s.add(EntityEvent(uscc=entity.uscc, at=utcnow(), effective_on=app.from_, kind="suspension",
                      application_id=row.application_id,
                      summary=[{"field": "from", "value": app.from_.isoformat()},
                               {"field": "to", "value": app.to.isoformat()}]))
    if app.from_ <= today:
        entity.status = "suspended"
    entity.updated_at = utcnow()
    row.effective_on, row.lifecycle_state = app.from_, "effective" if app.from_ <= today else "scheduled"


def _deregister(platform: "Platform", s: Session, row: Application, entity: Entity, day: date) -> None:
    entity.status, entity.name_live, entity.deregistered_on, entity.updated_at = "deregistered", None, day, utcnow()
    s.add(EntityEvent(uscc=entity.uscc, at=utcnow(), effective_on=day, kind="deregistration",
                      application_id=row.application_id, summary=[]))
    row.lifecycle_state, row.effective_on = "effective", day
    platform.queue_items(s, row.application_id, row.uscc or "", list(SERVICES), "close", {})


def finish_announcements(platform: "Platform", today: date) -> int:
    """Deregistrations whose announcement (or the departments' objection period) has ended take effect;
    suspensions begin and end on their days. Returns how many entities changed."""
    done = 0
    with platform.store.write() as s:
        rows = s.execute(select(Application).where(Application.kind == "deregistration",
                                                   Application.lifecycle_state.in_(("announcing", "waiting")),
                                                   Application.effective_on <= today)).scalars().all()
        for row in rows:
            entity = registry.entity_by_uscc(s, row.uscc or "")
            if entity is not None and entity.status == "deregistering":
                _deregister(platform, s, row, entity, today)
                platform.audit(s, _system(), "entity.deregistered", entity.uscc, application_id=row.application_id)
                done += 1
        suspended = select(EntityEvent.uscc).where(EntityEvent.kind == "suspension").distinct()
        for entity in s.execute(select(Entity).where(Entity.status.in_(("active", "suspended")),
                                                     Entity.uscc.in_(suspended))).scalars():
            should = status_on(s, entity, today)
            if entity.status != should:
                entity.status, entity.updated_at = should, utcnow()
                done += 1
    return done


def object_to(platform: "Platform", number: str, actor: "Actor") -> None:
    """An objection by a department, a creditor or anyone concerned during a deregistration's announcement
    (REG art. 33): the deregistration stops, the company lives on, and a registration officer decides."""
    from service.engine.rules import reason
    from service.platform import Conflict, NotFound, today_in_china

    with platform.store.write() as s:
        row = s.execute(select(Application).where(Application.acceptance_no == number)).scalar_one_or_none()
        if row is None or row.kind != "deregistration":
            raise NotFound("未找到该注销公示。")
        if row.lifecycle_state not in ("announcing", "waiting"):
            raise Conflict("该注销申请不在公示期内。")
        row.lifecycle_state, row.decision = "objected", "manual_review"
        row.reason_codes += ",DEREG_OBJECTION"
        reasons = platform._reasons(row) + [reason("DEREG_OBJECTION", "procedure",
                                                   "公示期内有利害关系人提出异议，注销程序中止，由登记机关工作人员处理。")]
        row.reasons_sealed = platform.keys.seal([r.model_dump() for r in reasons], row.application_id + ":reasons")
        row.effective_on = None
        entity = registry.entity_by_uscc(s, row.uscc or "")
        if entity is not None and entity.status == "deregistering":
            entity.status, entity.updated_at = status_on(s, entity, today_in_china()), utcnow()
        platform.audit(s, actor, "dereg.objection", row.application_id)


def record(platform: "Platform", actor: "Actor", uscc: str, id_number: str, face_verification_id: str,
           purpose: str) -> dict[str, Any]:
    """The company's record for its legal representative (proved by the platform's face check):
    what a change is prefilled with, and what a reprinted licence shows."""
    from service.platform import NotFound

    person = platform.keys.person_key(id_number)
    with platform.store.write() as s:  # a refusal is audited in its own committed transaction
        entity = registry.entity_by_uscc(s, uscc)
        proof = platform.proofs.valid(s, face_verification_id, "face", person, "record")
        refused = entity is None or proof is None or entity.legal_rep_key != person
        if refused:
            platform.audit(s, actor, "entity.record_refused", uscc, purpose=purpose)
    if refused:
        raise NotFound("未找到该企业，或您不是该企业登记的法定代表人：只有法定代表人本人在完成人脸核验后"
                       "可以查看或打印其登记信息。")
    with platform.store.write() as s:
        entity = registry.entity_by_uscc(s, uscc)
        assert entity is not None
        current = open_state(platform, entity)
        history = [{"at": e.at, "effective_on": e.effective_on, "kind": e.kind,
                    "fields": [d.get("field") for d in e.summary if isinstance(d, dict)]}
                   for e in s.execute(select(EntityEvent).where(EntityEvent.uscc == uscc)
                                      .order_by(EntityEvent.id)).scalars()]
        from service.platform import today_in_china

        periods = suspensions(s, uscc, today_in_china())
        suspension = ({"from": periods.in_force[0], "to": periods.in_force[1]} if periods.in_force else None)
        platform.audit(s, actor, "entity.record", uscc, purpose=purpose)
        return {"uscc": entity.uscc, "name": entity.name, "status": entity.status, "entity_type": entity.entity_type,
                "suspension": suspension, "suspended_days": periods.days,
                "type_label": current.get("type_label") or law.entity_type_label(entity.entity_type, []),
                "established_on": entity.established_on, "state": current, "history": history,
                "e_license": elicence.sign(platform.key, entity.uscc, entity.name)}


def clearance(platform: "Platform", uscc: str) -> dict[str, Any]:
    from service.platform import NotFound

    with platform.store.read() as s:
        entity = registry.entity_by_uscc(s, uscc)
        if entity is None:
            raise NotFound("未找到该统一社会信用代码对应的企业，请核对。")
    matters = open_matters(platform, uscc)
    why = [f"{m['what']}（{m['see']}）" for m in matters]
    if uscc in platform.ref.abnormal:
        why.append("该企业被列入经营异常名录或严重违法失信名单")
    if entity.status not in ("active", "suspended"):
        why.append({"deregistering": "该企业正在办理注销", "deregistered": "该企业已注销"}.get(entity.status,
                                                                                  entity.status))
    return {"uscc": uscc, "name": entity.name, "status": entity.status, "open_matters": matters,
            "simplified_eligible": not why and entity.status in ("active", "suspended"), "why_not": why}


def _system() -> "Actor":
    from service.platform import SYSTEM

    return SYSTEM
