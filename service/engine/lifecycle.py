"""The rules of a company's later life: change (变更登记), deregistration (注销) and suspension (歇业备案).

Each application names the company by USCC and must be made by its current legal representative
(``APPLICANT_NOT_LEGAL_REP``); the changed parts are judged by the establishment's own rules.
Legal facts come from :mod:`service.contract.law`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service import registry
from service.contract import ids
from service.contract.models import Officers, Person, Reason, Shareholder
from service.contract import law
from service.engine.rules import (Context, Rule, address_reasons, capital_reasons, contribution_reasons,
                                  name_reasons, officer_people, officer_reasons, reason, rule_age, rule_card_expiry,
                                  rule_dishonest, rule_id_numbers, rule_identity, scope_reasons, signature_reasons)


@dataclass
class Suspensions:
    """A company's suspensions as the registry holds them (each as planned, shortened when it ended early)."""

    all: list[tuple[date, date]] = field(default_factory=list)
    in_force: tuple[date, date] | None = None
    scheduled: list[tuple[date, date]] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days filed for suspension over the company's life (REG art. 30 counts them together)."""
        return sum(max(0, (b - a).days) for a, b in self.all)


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
            def key(rows: list[Any]) -> list[tuple[str, int, str, str]]:
                """Who holds what, paid by when and how (the articles record all four: CL art. 46)."""
                out = []
                for r in rows:
                    s = r if isinstance(r, Shareholder) else Shareholder.model_validate(r)
                    out.append((ids.normalise(s.id_number), int(s.subscribed_cny), s.contribution_deadline.isoformat(),
                                s.contribution_method))
                return sorted(out)
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
        itself = (n.region, n.trade_name, n.industry) == (getattr(ctx.entity, "region", None), own,
                                                          getattr(ctx.entity, "industry", None))
        for r in name_reasons(ctx.session, ctx.ref, n.region, n.trade_name, n.industry, n.form, n.full, ctx.today,
                              {ctx.person_key(s.id_number) for s in current_shareholders(ctx)},
                              own_uscc=getattr(ctx.entity, "uscc", None)):
            if r.code in ("NAME_SIMILAR", "NAME_SOUNDS_ALIKE") and n.trade_name == own:
                continue  # the company's own registered trade name is no conflict
            if r.code == "NAME_DUPLICATE" and itself:
                continue  # only the form changes (有限公司 → 有限责任公司): the name it holds is its own
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
        rep = new_legal_representative(ctx)
        if rep is not None:  # the one-person-many-entities rule, on the registry as it is now
            count = registry.entities_represented(ctx.session, ctx.person_key(rep.id_number))
            if count >= ctx.many_entities:
                yield reason("PERSON_MANY_ENTITIES", "changes.officers.legal_representative",
                             f"新任法定代表人{rep.name}已担任{count}家企业的法定代表人，需人工核实。")


def new_legal_representative(ctx: Context) -> Person | None:
    """The legal representative a change appoints, when it is someone else than the registered one."""
    c = ctx.app.changes
    rep = c.officers.legal_representative if c is not None and c.officers is not None else None
    if rep is None or not rep.id_number or ctx.person_key(rep.id_number) == getattr(ctx.entity, "legal_rep_key", ""):
        return None
    return rep


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
    rep = new_legal_representative(ctx) if "officers" in fields else None
    if rep is not None:  # CL art. 35: the application is signed by the new legal representative
        needed.append(rep)
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
    """歇业备案 (REG art. 30, RULES arts. 40-42): filed before it starts, at most three years in all, the address
    for legal documents meanwhile; an extension within the 30 days before the end; resuming early."""
    start, end = ctx.app.from_, ctx.app.to
    if ctx.entity is None or start is None or end is None:
        return
    if not (ctx.app.service_address or "").strip():
        yield reason("SUSPENSION_INVALID", "service_address", "请填写歇业期间的法律文书送达地址。")
    info = ctx.notes.get("suspensions")
    periods = info if isinstance(info, Suspensions) else Suspensions()
    if end <= ctx.today:  # resuming early: ends the suspension in force (and any still to come)
        if periods.in_force is None and not periods.scheduled:
            yield reason("SUSPENSION_INVALID", "to", "该企业目前没有歇业备案，无需办理恢复营业；"
                         "如需歇业，请选择歇业结束日期（晚于今天）。")
        return
    if end <= start:
        yield reason("SUSPENSION_INVALID", "to", "歇业结束日期应晚于开始日期。")
        return
    if start < ctx.today:
        yield reason("SUSPENSION_INVALID", "from", "歇业开始日期不能早于今天：歇业应在歇业前备案。")
        return
    current = periods.in_force
    if current is not None and start == current[1]:  # an extension of the suspension in force
        opens = law.days_after(current[1], -law.SUSPENSION_EXTENSION_WINDOW_DAYS)
        if ctx.today < opens:
            yield reason("SUSPENSION_INVALID", "from",
                         f"延长歇业期限应于期限届满前{law.SUSPENSION_EXTENSION_WINDOW_DAYS}日内办理，"
                         f"请于{opens:%Y年%m月%d日}起再来办理。")
            return
    else:
        for a, b in ([current] if current is not None else []) + list(periods.scheduled):
            if start < b and a < end:
                yield reason("SUSPENSION_INVALID", "from",
                             f"该企业已有{a:%Y年%m月%d日}至{b:%Y年%m月%d日}的歇业备案，期间不能重叠。"
                             "如需提前恢复营业请办理恢复营业；如需延长，请于期限届满前30日内办理。")
                return
    used = periods.days
    first = min([start] + [a for a, _ in periods.all])
    limit = (law.years_after(first, law.SUSPENSION_MAX_YEARS) - first).days
    if used + (end - start).days > limit:
        yield reason("SUSPENSION_TOO_LONG", "to",
                     f"歇业期限累计不得超过{law.SUSPENSION_MAX_YEARS}年（已备案歇业{used}天，本次最多"
                     f"{max(0, limit - used)}天），请缩短歇业期限。")


def rule_rep_signs(ctx: Context) -> Iterator[Reason]:
    yield from signature_reasons(ctx, [ctx.app.applicant.person])


COMMON: tuple[Rule, ...] = (rule_identity, rule_card_expiry, rule_entity, rule_applicant_is_rep)
LIFECYCLE_RULES: dict[str, tuple[Rule, ...]] = {
    "change": COMMON + (rule_change, rule_change_people, rule_change_signatures),
    "deregistration": COMMON + (rule_dereg, rule_dereg_signatures),
    "suspension": COMMON + (rule_suspension, rule_rep_signs),
}
