"""The approval rules: each a small function of the application returning reasons.

Codes and severities are CONTRACT.md's and never change meaning; the decision is derived from
the reasons in :mod:`service.approval`. Messages are plain Chinese for the citizen, naming the
person or item concerned (names, never ID numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator

from sqlalchemy.orm import Session

from kiosk import idnumber
from service import registry
from service.reference import Reference, sound
from service.schemas import ApplicationIn, Person, Reason
from service.settings import Settings


@dataclass
class Context:
    app: ApplicationIn
    ref: Reference
    session: Session
    today: date
    settings: Settings

    @property
    def llc(self) -> bool:
        return self.app.entity_type == "llc"

    def existing(self) -> bool:
        """single_item for a company already in the registry: its name and capital are not re-judged."""
        return self.app.mode == "single_item" and bool(self.app.uscc) and \
            registry.entity_by_uscc(self.session, self.app.uscc or "") is not None


Rule = Callable[[Context], Iterable[Reason]]


def reason(code: str, severity: str, field: str, message: str) -> Reason:
    return Reason(code=code, severity=severity, field=field, message=message)


# -- people ----------------------------------------------------------------------------------
def people(app: ApplicationIn) -> Iterator[tuple[str, str, Person]]:
    """(field path, role in Chinese, person) for everyone named in the application."""
    yield "applicant.person", "申请人", app.applicant.person
    o = app.officers
    if o.legal_representative is not None:
        yield "officers.legal_representative", "法定代表人", o.legal_representative
    for i, p in enumerate(o.directors):
        yield f"officers.directors[{i}]", "董事", p
    for i, p in enumerate(o.managers):
        yield f"officers.managers[{i}]", "经理", p
    for role, label in (("supervisor", "监事"), ("finance_officer", "财务负责人"), ("registration_contact", "联络员")):
        p = getattr(o, role)
        if p is not None:
            yield f"officers.{role}", label, p
    for i, p in enumerate(app.shareholders):
        yield f"shareholders[{i}]", "股东", p


_FOREIGN_2017 = re.compile(r"^[A-Z]{3}\d{12}$")


def id_problems(person: Person, today: date) -> list[str]:
    number = (person.id_number or "").strip().upper()
    if person.id_type == "foreign_permanent_resident_id" and _FOREIGN_2017.match(number):
        return []  # the 2004/2017 permanent-residence number: 3 letters + 12 digits
    return idnumber.problems(number, today)


def age_on(id_number: str, today: date) -> int | None:
    born = idnumber.birth_date((id_number or "").strip()) if len((id_number or "").strip()) == 18 else None
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def rule_id_numbers(ctx: Context) -> Iterator[Reason]:
    for path, role, p in people(ctx.app):
        if id_problems(p, ctx.today):
            yield reason("ID_NUMBER_INVALID", "error", f"{path}.id_number",
                         f"{role}{p.name or ''}的身份证件号码有误（格式或校验位不符），请重新读取身份证。")


def rule_identity(ctx: Context) -> Iterator[Reason]:
    v = ctx.app.applicant.verification
    if not v.card_read:
        yield reason("IDENTITY_NOT_VERIFIED", "error", "applicant.verification.card_read",
                     "申请人身份证未经读卡器读取，请将身份证放在读卡区。")
    threshold = v.face_match_threshold if v.face_match_threshold is not None else ctx.settings.face_threshold
    if not v.liveness_passed or v.face_match_score < threshold:
        yield reason("IDENTITY_NOT_VERIFIED", "error", "applicant.verification.liveness",
                     "人脸识别未通过，请正对摄像头重新核验。")
    if not v.phone_verified:
        yield reason("IDENTITY_NOT_VERIFIED", "error", "applicant.verification.phone",
                     "手机号码未完成短信验证，请重新获取验证码。")


def rule_card_expiry(ctx: Context) -> Iterator[Reason]:
    valid_to = (ctx.app.applicant.verification.card_valid_to or "").strip()
    if not valid_to or valid_to == "长期":
        return
    try:
        end = date.fromisoformat(valid_to.replace(".", "-"))
    except ValueError:
        yield reason("ID_CARD_EXPIRED", "error", "applicant.verification.card_valid_to",
                     "无法识别身份证有效期，请重新读取身份证。")
        return
    if end < ctx.today:
        yield reason("ID_CARD_EXPIRED", "error", "applicant.verification.card_valid_to",
                     f"申请人身份证已于{end:%Y年%m月%d日}过期，请持有效证件办理。")


def rule_age(ctx: Context) -> Iterator[Reason]:
    for path, role, p in people(ctx.app):
        if role in ("申请人", "经理", "财务负责人", "联络员"):
            continue
        age = age_on(p.id_number, ctx.today)
        if age is not None and age < 18:
            yield reason("PERSON_UNDERAGE", "error", path, f"{role}{p.name}未满18周岁，不能担任{role}。")


def rule_dishonest(ctx: Context) -> Iterator[Reason]:
    for path, role, p in people(ctx.app):
        if role in ("法定代表人", "股东") and (p.id_number or "").strip().upper() in ctx.ref.dishonest:
            yield reason("PERSON_DISHONEST", "error", path,
                         f"{role}{p.name}被列入失信被执行人名单，依法不能担任{role}，请更换人选或到窗口咨询。")


def rule_many_entities(ctx: Context) -> Iterator[Reason]:
    rep = ctx.app.officers.legal_representative
    if rep is None or not rep.id_number or ctx.existing():
        return
    count = registry.entities_represented(ctx.session, rep.id_number)
    if count >= ctx.settings.many_entities:
        yield reason("PERSON_MANY_ENTITIES", "review", "officers.legal_representative",
                     f"法定代表人{rep.name}已担任{count}家企业的法定代表人，需人工核实。")


# -- name ------------------------------------------------------------------------------------
def rule_name(ctx: Context) -> Iterator[Reason]:
    if ctx.existing():
        return
    yield from name_reasons(ctx.session, ctx.ref, ctx.app.name.region, ctx.app.name.trade_name,
                            ctx.app.name.industry, ctx.app.name.form, ctx.app.name.full)


def name_reasons(session: Session, ref: Reference, region: str, trade: str, industry: str, form: str,
                 full: str | None = None) -> Iterator[Reason]:
    """The name rules on their own (also what ``/names/check`` answers while the citizen types)."""
    expected = f"{region}{trade}{industry}{form}"
    missing = [label for value, label in ((region, "行政区划"), (trade, "字号"), (industry, "行业"), (form, "组织形式"))
               if not value]
    if missing:
        yield reason("NAME_FORMAT", "error", "name", f"企业名称缺少{'、'.join(missing)}，请补充。")
    elif full is not None and full != expected:
        yield reason("NAME_FORMAT", "error", "name.full",
                     f"企业名称应为“行政区划+字号+行业+组织形式”，即“{expected}”。")
    if trade and len(trade) < 2:
        yield reason("NAME_TRADE_TOO_SHORT", "error", "name.trade_name", "字号应不少于2个汉字，请修改。")
    text = f"{trade}{industry}" + (full or "")
    hits = [w for w in ref.prohibited if w in text]
    if hits:
        yield reason("NAME_PROHIBITED", "error", "name.trade_name",
                     f"企业名称含有禁用字词“{hits[0]}”，请修改字号或行业表述。")
    if not (region and trade):
        return
    same = registry.same_trade_name(session, region, trade)
    if any(ind == industry for ind, _ in same):
        yield reason("NAME_DUPLICATE", "error", "name.trade_name",
                     f"{region}已有字号和行业相同的企业（{region}{trade}{industry}…），请更换字号。")
    others = [n for ind, n in same if ind != industry]
    if others:
        yield reason("NAME_SIMILAR", "review", "name.trade_name",
                     f"{region}已有同字号企业“{others[0]}”，名称将转人工审核。")
    if industry:
        alike = registry.sounds_alike(session, region, sound(trade), industry, trade)
        if alike:
            yield reason("NAME_SOUNDS_ALIKE", "review", "name.trade_name",
                         f"字号与已登记的“{alike[0]}”读音相同，容易混淆，名称将转人工审核。")


# -- address, scope, capital -------------------------------------------------------------------
def rule_address(ctx: Context) -> Iterator[Reason]:
    if ctx.existing():
        return
    code = ctx.app.address.code
    found = ctx.ref.addresses.get(code)
    if found is None:
        yield reason("ADDRESS_UNKNOWN", "review", "address.code", "住所不在标准地址库中，将由工作人员核实。")
        return
    if found.negative:
        yield reason("ADDRESS_RESTRICTED", "error", "address.code",
                     "该地址在禁止登记名单（负面清单）中，不能作为住所，请选择其他地址。")
    count = registry.entities_at(ctx.session, code)
    if count >= ctx.settings.crowded_address:
        yield reason("ADDRESS_CROWDED", "review", "address.code",
                     f"该地址已登记{count}户市场主体，需人工核实实际经营场所。")


def rule_scope(ctx: Context) -> Iterator[Reason]:
    if ctx.existing():
        return
    items = [s for s in ctx.app.business_scope if (s.text or s.code)]
    if not items:
        yield reason("SCOPE_EMPTY", "error", "business_scope", "请至少选择一项经营范围。")
        return
    for i, s in enumerate(items):
        entry = ctx.ref.scopes.get(s.code or "")
        field = f"business_scope[{i}]"
        if entry is None:
            yield reason("SCOPE_NONSTANDARD", "review", field,
                         f"经营范围“{s.text}”不是规范表述，将由工作人员审核。")
        elif entry.permit == "pre":
            yield reason("SCOPE_PRE_APPROVAL", "review", field,
                         f"“{entry.text}”须在登记前取得许可，将转人工审核，请准备许可文件。")
        elif entry.permit == "post":
            yield reason("SCOPE_POST_PERMIT", "notice", field,
                         f"“{entry.text}”为许可项目，取得营业执照后须取得相关许可方可开展经营。")


def rule_capital(ctx: Context) -> Iterator[Reason]:
    if ctx.existing():
        return
    app = ctx.app
    if app.registered_capital_cny <= 0:
        yield reason("CAPITAL_INVALID", "error", "registered_capital_cny", "注册资本（资金数额）应大于零。")
    elif ctx.llc and app.shareholders:
        total = sum(s.subscribed_cny for s in app.shareholders)
        if total != app.registered_capital_cny or any(s.subscribed_cny <= 0 for s in app.shareholders):
            yield reason("CAPITAL_INVALID", "error", "shareholders",
                         f"各股东认缴出资合计{total}元，与注册资本{app.registered_capital_cny}元不一致。")


def five_years_after(day: date) -> date:
    if day.year + 5 > date.max.year:
        return date.max
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year + 5, day=28)
    return day.replace(year=day.year + 5)


def rule_contribution(ctx: Context) -> Iterator[Reason]:
    if not ctx.llc or ctx.existing():
        return
    limit = five_years_after(ctx.today)
    for i, s in enumerate(ctx.app.shareholders):
        if s.contribution_deadline > limit:
            yield reason("CONTRIBUTION_TOO_LATE", "error", f"shareholders[{i}].contribution_deadline",
                         f"股东{s.name}的认缴出资期限应在{limit:%Y年%m月%d日}之前（自成立之日起五年内）。")


def rule_shareholders(ctx: Context) -> Iterator[Reason]:
    if ctx.llc and not ctx.existing() and not 1 <= len(ctx.app.shareholders) <= 50:
        yield reason("SHAREHOLDERS_INVALID", "error", "shareholders",
                     "有限责任公司应有1至50名股东。" if ctx.app.shareholders else "请添加至少一名股东。")


def rule_officers(ctx: Context) -> Iterator[Reason]:
    o = ctx.app.officers
    rep = o.legal_representative
    if rep is None or not rep.name or not rep.id_number:
        yield reason("OFFICERS_INVALID", "error", "officers.legal_representative", "请确定法定代表人。")
    if o.supervisor is not None and o.supervisor.id_number:
        sup = o.supervisor.id_number.strip().upper()
        if any((p.id_number or "").strip().upper() == sup for p in (*o.directors, *o.managers)):
            yield reason("OFFICERS_INVALID", "error", "officers.supervisor",
                         f"监事{o.supervisor.name}不能同时担任董事或经理，请更换监事。")


def rule_signatures(ctx: Context) -> Iterator[Reason]:
    signed = {(s.id_number or "").strip().upper() for s in ctx.app.signatures}
    needed: list[tuple[str, Person]] = []
    if ctx.app.officers.legal_representative is not None:
        needed.append(("officers.legal_representative", ctx.app.officers.legal_representative))
    needed += [(f"shareholders[{i}]", p) for i, p in enumerate(ctx.app.shareholders)]
    told: set[str] = set()
    for path, p in needed:
        number = (p.id_number or "").strip().upper()
        if number and number not in signed and number not in told:
            told.add(number)
            yield reason("SIGNATURE_MISSING", "error", "signatures",
                         f"{p.name}尚未签名，请{p.name}本人在屏幕上签名。")


def rule_existing(ctx: Context) -> Iterator[Reason]:
    if ctx.app.mode == "single_item" and ctx.app.uscc and not ctx.existing():
        yield reason("ENTITY_UNKNOWN", "error", "uscc", "未找到该统一社会信用代码对应的企业，请核对电子营业执照。")
        return
    if ctx.existing():
        entity = registry.entity_by_uscc(ctx.session, ctx.app.uscc or "")
        rep = ctx.app.officers.legal_representative
        if entity is not None and entity.legal_rep_id and \
                (rep is None or (rep.id_number or "").strip().upper() != entity.legal_rep_id):
            yield reason("LEGAL_REP_MISMATCH", "error", "officers.legal_representative",
                         "单独办理关联事项须由该企业的法定代表人本人刷证办理，请法定代表人到场。")


RULES: tuple[Rule, ...] = (
    rule_identity, rule_card_expiry, rule_id_numbers, rule_age, rule_dishonest, rule_many_entities,
    rule_existing, rule_name, rule_address, rule_scope, rule_capital, rule_contribution, rule_shareholders,
    rule_officers, rule_signatures,
)
