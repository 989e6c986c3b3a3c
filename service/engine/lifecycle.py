"""The rules of a company's later life: change (变更登记), deregistration (注销) and suspension (歇业备案).

Each application names the company by USCC and must be made by its current legal representative
(``APPLICANT_NOT_LEGAL_REP``); the changed parts are judged by the establishment's own rules.
Legal facts come from :mod:`service.contract.law`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.contract import ids
from service.contract.models import Officers, Person, Reason, Shareholder
from service.contract import law
from service.engine.rules import (Context, Rule, address_reasons, capital_reasons, contribution_reasons,
                                  name_reasons, officer_people, officer_reasons, reason, rule_age, rule_card_expiry,
                                  rule_dishonest, rule_id_numbers, rule_identity, scope_reasons, signature_reasons)


def state(ctx: Context) -> dict[str, Any]:
    """The company's current state (sealed in the registry), opened by the platform into ``ctx.notes``."""
    found = ctx.notes.get("state")
    return found if isinstance(found, dict) else {}


def current_officers(ctx: Context) -> Officers:
    return Officers.model_validate(state(ctx).get("officers") or {})


def current_shareholders(ctx: Context) -> list[Shareholder]:
    return [Shareholder.model_validate(s) for s in state(ctx).get("shareholders") or []]


def rule_entity(ctx: Context) -> Iterator[Reason]:
    entity = ctx.entity
    if entity is None:
        yield reason("ENTITY_UNKNOWN", "uscc", "未找到该统一社会信用代码对应的企业，请核对营业执照。")
        return
    status = getattr(entity, "status", "active")
    allowed = {"change": ("active",), "suspension": ("active", "suspended"),
               "deregistration": ("active", "suspended")}[ctx.app.kind]
    if status not in allowed:
        words = {"suspended": "已歇业", "deregistering": "正在注销", "deregistered": "已注销"}.get(status, status)
        what = {"change": "变更登记", "suspension": "歇业备案", "deregistration": "注销登记"}[ctx.app.kind]
        yield reason("ENTITY_NOT_ACTIVE", "uscc", f"该企业{words}，不能办理{what}。"
                     + ("请先办理歇业结束（恢复营业）后再申请变更。" if status == "suspended" else ""))


def rule_applicant_is_rep(ctx: Context) -> Iterator[Reason]:
    if ctx.entity is None:
        return
    if ctx.person_key(ctx.app.applicant.person.id_number) != getattr(ctx.entity, "legal_rep_key", ""):
        yield reason("APPLICANT_NOT_LEGAL_REP", "applicant.person",
                     "只有该企业登记的法定代表人本人可以在自助终端办理。请法定代表人本人刷证办理；"
                     "委托他人办理的，请携带授权委托书到人工窗口。")


# -- change ----------------------------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    return a == b


def changed_fields(ctx: Context) -> list[str]:
    """What really changes, compared with the registry (a field sent unchanged changes nothing)."""
    c = ctx.app.changes
    if c is None:
        return []
    now = state(ctx)
    out = []
    for f in c.changed():
        value = getattr(c, f)
        if f == "name":
            if value.full != getattr(ctx.entity, "name", None):
                out.append(f)
        elif f == "address":
            if value.code != (now.get("address") or {}).get("code"):
                out.append(f)
        elif f == "business_scope":
            if sorted((s.code or s.text) for s in value) != sorted((s.get("code") or s.get("text"))
                                                                   for s in now.get("business_scope") or []):
                out.append(f)
        elif f == "registered_capital_cny":
            if value != now.get("registered_capital_cny"):
                out.append(f)
        elif f == "shareholders":
            def key(rows: list[Any]) -> list[tuple[str, int]]:
                return sorted((ids.normalise(r["id_number"] if isinstance(r, dict) else r.id_number),
                               int(r["subscribed_cny"] if isinstance(r, dict) else r.subscribed_cny)) for r in rows)
            if key(value) != key(now.get("shareholders") or []):
                out.append(f)
        elif f == "officers":
            def people_of(o: Officers) -> list[tuple[str, str]]:
                return sorted((role, ids.normalise(p.id_number)) for _, role, p in officer_people(o))
            if people_of(value) != people_of(current_officers(ctx)):
                out.append(f)
    return out


def rule_change(ctx: Context) -> Iterator[Reason]:
    if ctx.entity is None:
        return
    c = ctx.app.changes
    fields = changed_fields(ctx)
    ctx.notes["changed"] = fields
    if c is None or not fields:
        yield reason("CHANGE_EMPTY", "changes", "您提交的变更内容与登记信息相同，没有需要变更的事项。")
        return
    llc = getattr(ctx.entity, "entity_type", "llc") == "llc"
    if "name" in fields and c.name is not None:
        n = c.name
        own = getattr(ctx.entity, "trade_name", None)
        for r in name_reasons(ctx.session, ctx.ref, n.region, n.trade_name, n.industry, n.form, n.full, ctx.today,
                              {ctx.person_key(s.id_number) for s in current_shareholders(ctx)}):
            if r.code in ("NAME_SIMILAR", "NAME_SOUNDS_ALIKE") and n.trade_name == own:
                continue  # the company's own registered trade name is no conflict
            yield r.model_copy(update={"field": "changes." + r.field})
    if "address" in fields and c.address is not None:
        yield from address_reasons(ctx, c.address.code, "changes.address.code")
    if "business_scope" in fields and c.business_scope is not None:
        yield from scope_reasons(ctx, c.business_scope, "changes.business_scope")
    shareholders = c.shareholders if c.shareholders is not None else current_shareholders(ctx)
    capital = c.registered_capital_cny if c.registered_capital_cny is not None else \
        int(state(ctx).get("registered_capital_cny") or 0)
    if {"registered_capital_cny", "shareholders"} & set(fields):
        yield from (r.model_copy(update={"field": "changes." + r.field})
                    for r in capital_reasons(capital, shareholders, llc))
        low, high = law.LLC_SHAREHOLDERS
        if llc and not low <= len(shareholders) <= high:
            yield reason("SHAREHOLDERS_INVALID", "changes.shareholders", "有限责任公司应有1至50名股东。")
        established = getattr(ctx.entity, "established_on", None) or ctx.today
        yield from contribution_reasons(shareholders, established, "changes.shareholders")
    before = state(ctx).get("registered_capital_cny")
    if "registered_capital_cny" in fields and isinstance(before, int) and capital < before:
        yield reason("CAPITAL_REDUCTION", "changes.registered_capital_cny",
                     f"减少注册资本须自作出减资决议之日起十日内通知债权人，并在国家企业信用信息公示系统公示"
                     f"{law.CAPITAL_REDUCTION_ANNOUNCE_DAYS}日，期满后方可登记，申请已转工作人员办理。")
    if "officers" in fields and c.officers is not None:
        yield from officer_reasons(c.officers, llc, "changes.officers")


def _change_people(ctx: Context) -> Iterator[tuple[str, str, Person]]:
    c = ctx.app.changes
    if c is None:
        return
    if c.officers is not None:
        yield from officer_people(c.officers, "changes.officers")
    for i, s in enumerate(c.shareholders or []):
        yield f"changes.shareholders[{i}]", "shareholders", s


def rule_change_people(ctx: Context) -> Iterator[Reason]:
    """The new people are checked like an establishment's (age, credit, numbers)."""
    c = ctx.app.changes
    doc = ctx.app.model_copy(update={"officers": c.officers if c else None,
                                     "shareholders": c.shareholders if c else None})
    sub = Context(app=doc, ref=ctx.ref, session=ctx.session, today=ctx.today, identity=ctx.identity,
                  person_key=ctx.person_key)
    for rule in (rule_id_numbers, rule_age, rule_dishonest):
        for r in rule(sub):
            if r.field.startswith(("officers", "shareholders")):
                yield r.model_copy(update={"field": "changes." + r.field})


def rule_change_signatures(ctx: Context) -> Iterator[Reason]:
    """The legal representative signs; a change of the articles needs every shareholder (and each new one)."""
    fields = ctx.notes.get("changed") or changed_fields(ctx)
    needed: list[Person] = [ctx.app.applicant.person]
    if set(fields) & set(law.ARTICLES_CHANGES):
        needed += current_shareholders(ctx)
        if ctx.app.changes is not None and ctx.app.changes.shareholders:
            needed += list(ctx.app.changes.shareholders)
    yield from signature_reasons(ctx, needed)


# -- deregistration ----------------------------------------------------------------------------------------------
def rule_dereg(ctx: Context) -> Iterator[Reason]:
    if ctx.entity is None:
        return
    matters = ctx.notes.get("open_matters") or []
    if ctx.app.procedure == "simplified":
        why = [f"{m['what']}（{m['see']}）" for m in matters]
        why += [str(w) for w in ctx.notes.get("ineligible") or []]
        if why:
            yield reason("DEREG_SIMPLE_INELIGIBLE", "procedure",
                         "该企业不符合简易注销条件：" + "；".join(why) + "。请先办结上述事项，或选择普通注销。")
    elif matters:
        yield reason("DEREG_OPEN_ITEMS", "procedure",
                     "以下事项尚未办结，注销申请已转工作人员跟进：" +
                     "；".join(f"{m['what']}（{m['see']}）" for m in matters) + "。")


def rule_dereg_signatures(ctx: Context) -> Iterator[Reason]:
    """All investors commit in writing (CL art. 240): every shareholder and the legal representative sign."""
    yield from signature_reasons(ctx, [ctx.app.applicant.person, *current_shareholders(ctx)])


# -- suspension -------------------------------------------------------------------------------------------------
def rule_suspension(ctx: Context) -> Iterator[Reason]:
    start, end = ctx.app.from_, ctx.app.to
    if ctx.entity is None or start is None or end is None:
        return
    if not (ctx.app.service_address or "").strip():
        yield reason("SUSPENSION_INVALID", "service_address", "请填写歇业期间的法律文书送达地址。")
    current = ctx.notes.get("suspension")  # (from, to) of the suspension in force
    if isinstance(current, tuple) and end <= ctx.today:
        return  # ending the suspension in force: a resumption
    if end <= start:
        yield reason("SUSPENSION_INVALID", "to", "歇业结束日期应晚于开始日期。")
        return
    if start < ctx.today:
        yield reason("SUSPENSION_INVALID", "from", "歇业开始日期不能早于今天。")
    used = int(ctx.notes.get("suspended_days") or 0)
    limit = (law.years_after(start, law.SUSPENSION_MAX_YEARS) - start).days
    if used + (end - start).days > limit:
        yield reason("SUSPENSION_TOO_LONG", "to",
                     f"歇业期限累计不得超过{law.SUSPENSION_MAX_YEARS}年（已歇业{used}天），请缩短歇业期限。")


def rule_rep_signs(ctx: Context) -> Iterator[Reason]:
    yield from signature_reasons(ctx, [ctx.app.applicant.person])


COMMON: tuple[Rule, ...] = (rule_identity, rule_card_expiry, rule_entity, rule_applicant_is_rep)
LIFECYCLE_RULES: dict[str, tuple[Rule, ...]] = {
    "change": COMMON + (rule_change, rule_change_people, rule_change_signatures),
    "deregistration": COMMON + (rule_dereg, rule_dereg_signatures),
    "suspension": COMMON + (rule_suspension, rule_rep_signs),
}
