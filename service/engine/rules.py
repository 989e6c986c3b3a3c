"""The approval rules of an establishment (设立登记): each a small function returning reasons.

Codes and severities are CONTRACT.md's (:mod:`service.contract.codes`) and never change meaning;
the decision is derived from the reasons (:func:`service.contract.codes.decide`). Messages are plain
Chinese for the citizen, naming the person and the office concerned (names, never ID numbers).
Legal facts come from :mod:`service.contract.law`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from datetime import date

from sqlalchemy.orm import Session

from service import registry
from service.contract import ids
from service.contract.codes import REASONS
from service.contract.models import ApplicationIn, Officers, Person, Reason, Shareholder
from service.contract import law
from service.contract.officers import officer_conflicts
from service.models import Entity
from service.reference import Reference, sound


@dataclass
class Identity:
    """What the platform knows of the applicant's identity (its own records, or the document offline)."""

    phone_verified: bool
    face_passed: bool
    phone_owner_ok: bool = True


@dataclass
class Context:
    app: ApplicationIn
    ref: Reference
    session: Session
    today: date
    identity: Identity
    person_key: Callable[[str], str]
    many_entities: int = 5
    crowded_address: int = 10
    entity: Entity | None = None  # the existing company (single items, lifecycle)
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def llc(self) -> bool:
        return self.app.entity_type == "llc"

    def existing(self) -> bool:
        """single_item for a company already in the registry: its name and capital are not re-judged."""
        return self.app.mode == "single_item" and self.entity is not None


Rule = Callable[[Context], Iterable[Reason]]


def reason(code: str, field_: str, message: str, severity: str | None = None) -> Reason:
    return Reason(code=code, severity=severity or REASONS[code], field=field_, message=message)


# -- people ----------------------------------------------------------------------------------------------
ROLE_ZH = {"applicant": "申请人", "legal_representative": "法定代表人", "directors": "董事", "managers": "经理",
           "supervisor": "监事", "supervisors": "监事会成员", "finance_officer": "财务负责人",
           "registration_contact": "联络员", "shareholders": "股东"}


def officer_people(o: Officers, prefix: str = "officers") -> Iterator[tuple[str, str, Person]]:
    """(field path, role, person) for every officer."""
    if o.legal_representative is not None:
        yield f"{prefix}.legal_representative", "legal_representative", o.legal_representative
    for key in ("directors", "managers", "supervisors"):
        for i, p in enumerate(getattr(o, key)):
            yield f"{prefix}.{key}[{i}]", key, p
    for key in ("supervisor", "finance_officer", "registration_contact"):
        p = getattr(o, key)
        if p is not None:
            yield f"{prefix}.{key}", key, p


def people(app: ApplicationIn) -> Iterator[tuple[str, str, Person]]:
    """(field path, role, person) for everyone named in the application."""
    yield "applicant.person", "applicant", app.applicant.person
    if app.officers is not None:
        yield from officer_people(app.officers)
    for i, s in enumerate(app.shareholders or []):
        yield f"shareholders[{i}]", "shareholders", s


def who(role: str, p: Person) -> str:
    return f"{ROLE_ZH.get(role, role)}{p.name or ''}"


def birth_of(p: Person) -> date | None:
    return ids.birth_date(p.id_number) if p.id_type != "foreign_permanent_resident_id" or \
        len(ids.normalise(p.id_number)) == 18 else None


def rule_id_numbers(ctx: Context) -> Iterator[Reason]:
    told: set[str] = set()
    for path, role, p in people(ctx.app):
        number = ids.normalise(p.id_number)
        if number in told:
            continue
        if ids.problems(number, ctx.today, p.id_type):
            told.add(number)
            yield reason("ID_NUMBER_INVALID", f"{path}.id_number",
                         f"{who(role, p)}的证件号码有误（格式或校验位不符），请重新读取证件。")


def rule_identity(ctx: Context) -> Iterator[Reason]:
    v = ctx.app.applicant.verification
    if not v.card_read:
        yield reason("IDENTITY_NOT_VERIFIED", "applicant.verification.card_read",
                     "申请人身份证件未经读卡器读取，请将证件放在读卡区。")
    if not ctx.identity.face_passed:
        yield reason("IDENTITY_NOT_VERIFIED", "applicant.verification.liveness",
                     "人脸核验未通过或已失效，请正对摄像头重新核验。")
    if not ctx.identity.phone_owner_ok:
        yield reason("PHONE_NOT_OWNER", "applicant.verification.phone",
                     "该手机号码未登记在申请人本人名下，请使用本人实名登记的手机号码。")
    elif not ctx.identity.phone_verified:
        yield reason("IDENTITY_NOT_VERIFIED", "applicant.verification.phone",
                     "手机号码未完成短信验证或验证已失效，请重新获取验证码。")


def rule_card_expiry(ctx: Context) -> Iterator[Reason]:
    valid_to = (ctx.app.applicant.verification.card_valid_to or "").strip()
    if not valid_to or valid_to == "长期":
        return
    try:
        end = date.fromisoformat(valid_to.replace(".", "-"))
    except ValueError:
        yield reason("ID_CARD_EXPIRED", "applicant.verification.card_valid_to", "无法识别证件有效期，请重新读取证件。")
        return
    if end < ctx.today:
        yield reason("ID_CARD_EXPIRED", "applicant.verification.card_valid_to",
                     f"申请人证件已于{end:%Y年%m月%d日}过期，请持有效证件办理。")


def rule_investor_eligible(ctx: Context) -> Iterator[Reason]:
    """An individual business is for citizens and Hong Kong/Macao/Taiwan residents (IB arts. 2, 37)."""
    if ctx.app.entity_type != "individual_business" or ctx.existing():
        return
    operator = ctx.app.applicant.person
    refused = law.individual_business_refusal(operator.id_type)
    if refused:
        yield reason("INVESTOR_NOT_ELIGIBLE", "entity_type", refused[0])


def rule_age(ctx: Context) -> Iterator[Reason]:
    """No minor as legal representative, director, supervisor or senior manager (CL art. 178(1), REG
    art. 12); a minor shareholder needs a guardian, which a kiosk cannot take: a staffed counter."""
    told: set[str] = set()
    for path, role, p in people(ctx.app):
        if role in ("applicant", "registration_contact") or p.id_number in told:
            continue
        age = ids.age_on(birth_of(p), ctx.today)
        if age is None or age >= law.ADULT_AGE:
            continue
        told.add(p.id_number)
        if role == "shareholders":
            yield reason("PERSON_UNDERAGE", path, f"股东{p.name}未满18周岁：未成年人可以成为股东，但须由监护人"
                         "代为办理并提交监护关系证明，自助终端无法办理，请到人工窗口。")
        else:
            yield reason("PERSON_UNDERAGE", path, f"{who(role, p)}未满18周岁，依法不能担任{ROLE_ZH[role]}，"
                         "请更换人选。")


def rule_dishonest(ctx: Context) -> Iterator[Reason]:
    """Everyone named is checked against the dishonest-persons list (CL art. 178(5))."""
    told: set[tuple[str, str]] = set()
    for path, role, p in people(ctx.app):
        number = ids.normalise(p.id_number)
        if role == "applicant" or (number, role) in told or number not in ctx.ref.dishonest:
            continue
        told.add((number, role))
        yield reason("PERSON_DISHONEST", path,
                     f"{who(role, p)}被列入失信被执行人名单，依法不能担任{ROLE_ZH[role]}。"
                     "请更换人选；如已履行完毕，请先向法院申请删除失信信息后再办理。")


def rule_many_entities(ctx: Context) -> Iterator[Reason]:
    o = ctx.app.officers
    rep = o.legal_representative if o is not None else None
    if rep is None or not rep.id_number or ctx.existing():
        return
    count = registry.entities_represented(ctx.session, ctx.person_key(rep.id_number))
    if count >= ctx.many_entities:
        yield reason("PERSON_MANY_ENTITIES", "officers.legal_representative",
                     f"法定代表人{rep.name}已担任{count}家企业的法定代表人，需人工核实。")


# -- name ------------------------------------------------------------------------------------------------
def name_reasons(session: Session, ref: Reference, region: str, trade: str, industry: str, form: str,
                 full: str | None = None, today: date | None = None,
                 investor_keys: set[str] | None = None, own_uscc: str | None = None) -> Iterator[Reason]:
    """The name rules on their own (also what ``/names/check`` answers while the citizen types).
    ``investor_keys`` and ``own_uscc`` say who has an investment relation to a name given up within the
    year (its investors; the company that changed away from it), who may take it back."""
    expected = f"{region}{trade}{industry}{form}"
    missing = [label for value, label in ((region, "行政区划"), (trade, "字号"), (industry, "行业"), (form, "组织形式"))
               if not value]
    if missing:
        yield reason("NAME_FORMAT", "name", f"企业名称缺少{'、'.join(missing)}，请补充。")
    elif full is not None and full != expected:
        yield reason("NAME_FORMAT", "name.full", f"企业名称应为“行政区划+字号+行业+组织形式”，即“{expected}”。")
    problem = law.trade_name_problem(trade)
    if problem:
        yield reason("NAME_FORMAT", "name.trade_name", problem)
        return
    if trade and len(trade) < law.TRADE_NAME_MIN_CHARS:
        yield reason("NAME_TRADE_TOO_SHORT", "name.trade_name", "字号应不少于2个汉字，请修改。")
    if trade and trade in ref.region_names:
        yield reason("NAME_TRADE_IS_REGION", "name.trade_name",
                     f"“{trade}”是行政区划名称，依法不能作为字号，请换一个字号。")
    text = f"{trade}{industry}" + (full or "")
    hits = [w for w in ref.prohibited if w in text]
    if hits:
        yield reason("NAME_PROHIBITED", "name.trade_name", f"企业名称含有禁用字词“{hits[0]}”，请修改字号或行业表述。")
    if not (region and trade):
        return
    same = registry.same_trade_name(session, region, trade)
    if any(ind == industry for ind, _ in same):
        yield reason("NAME_DUPLICATE", "name.trade_name",
                     f"{region}已有字号和行业相同的企业（{region}{trade}{industry}…），请更换字号。")
    elif industry and today is not None:
        since = law.days_after(today, -law.NAME_PROTECTED_AFTER_CANCEL_DAYS)
        released = registry.recently_released(session, region, trade, industry, since)
        if released and not any(uscc == own_uscc or set(keys.split()) & (investor_keys or set())
                                for uscc, keys in released):
            yield reason("NAME_DUPLICATE", "name.trade_name",
                         f"“{region}{trade}{industry}…”注销未满一年或变更名称未满一年，除原投资人外不能使用，请更换字号。")
    others = [n for ind, n in same if ind != industry]
    if others:
        yield reason("NAME_SIMILAR", "name.trade_name", f"{region}已有同字号企业“{others[0]}”，名称将转人工审核。")
    if industry:
        alike = registry.sounds_alike(session, region, sound(trade), industry, trade)
        if alike:
            yield reason("NAME_SOUNDS_ALIKE", "name.trade_name",
                         f"字号与已登记的“{alike[0]}”读音相同，容易混淆，名称将转人工审核。")


def investors(ctx: Context) -> set[str]:
    return {ctx.person_key(s.id_number) for s in ctx.app.shareholders or []} | \
        {ctx.person_key(ctx.app.applicant.person.id_number)}


def rule_name(ctx: Context) -> Iterator[Reason]:
    if ctx.existing():
        return
    n = ctx.app.the_name
    yield from name_reasons(ctx.session, ctx.ref, n.region, n.trade_name, n.industry, n.form, n.full, ctx.today,
                            investors(ctx))


# -- address, scope, capital --------------------------------------------------------------------------------
def address_reasons(ctx: Context, code: str, field_: str = "address.code") -> Iterator[Reason]:
    found = ctx.ref.addresses.get(code)
    if found is None:
        yield reason("ADDRESS_UNKNOWN", field_, "住所不在标准地址库中，将由工作人员核实。")
        return
    if found.negative:
        yield reason("ADDRESS_RESTRICTED", field_, "该地址在禁止登记名单（负面清单）中，不能作为住所，请选择其他地址。")
    count = registry.entities_at(ctx.session, code)
    if count >= ctx.crowded_address:
        yield reason("ADDRESS_CROWDED", field_, f"该地址已登记{count}户市场主体，需人工核实实际经营场所。")


def rule_address(ctx: Context) -> Iterator[Reason]:
    if not ctx.existing() and ctx.app.address is not None:
        yield from address_reasons(ctx, ctx.app.address.code)


def scope_reasons(ctx: Context, scope: list, prefix: str = "business_scope") -> Iterator[Reason]:
    items = [s for s in scope if (s.text or s.code)]
    if not items:
        yield reason("SCOPE_EMPTY", prefix, "请至少选择一项经营范围。")
        return
    for i, s in enumerate(items):
        entry = ctx.ref.scopes.get(s.code or "")
        where = f"{prefix}[{i}]"
        if entry is None:
            yield reason("SCOPE_NONSTANDARD", where, f"经营范围“{s.text}”不是规范表述，将由工作人员审核。")
        elif entry.permit == "pre":
            yield reason("SCOPE_PRE_APPROVAL", where, f"“{entry.text}”须在登记前取得许可，将转人工审核，请准备许可文件。")
        elif entry.permit == "post":
            yield reason("SCOPE_POST_PERMIT", where, f"“{entry.text}”为许可项目，取得营业执照后须取得相关许可方可开展经营。")


def rule_scope(ctx: Context) -> Iterator[Reason]:
    if not ctx.existing():
        yield from scope_reasons(ctx, ctx.app.business_scope or [])


def capital_reasons(capital: int, shareholders: list[Shareholder], llc: bool,
                    field_: str = "registered_capital_cny", prefix: str = "shareholders") -> Iterator[Reason]:
    if capital <= 0:
        yield reason("CAPITAL_INVALID", field_, "注册资本（资金数额）应大于零。")
    elif llc and shareholders:
        total = sum(s.subscribed_cny for s in shareholders)
        if total != capital or any(s.subscribed_cny <= 0 for s in shareholders):
            yield reason("CAPITAL_INVALID", prefix,
                         f"各股东认缴出资合计{total}元，与注册资本{capital}元不一致。")


def rule_capital(ctx: Context) -> Iterator[Reason]:
    if not ctx.existing():
        yield from capital_reasons(ctx.app.registered_capital_cny or 0, ctx.app.the_shareholders, ctx.llc)


def contribution_reasons(shareholders: list[Shareholder], established: date,
                         prefix: str = "shareholders") -> Iterator[Reason]:
    for i, s in enumerate(shareholders):
        late = law.contribution_too_late(s.name, s.contribution_deadline, established)
        if late:
            yield reason("CONTRIBUTION_TOO_LATE", f"{prefix}[{i}].contribution_deadline", late[0])


def rule_contribution(ctx: Context) -> Iterator[Reason]:
    if ctx.llc and not ctx.existing():
        yield from contribution_reasons(ctx.app.the_shareholders, ctx.today)


def rule_shareholders(ctx: Context) -> Iterator[Reason]:
    low, high = law.LLC_SHAREHOLDERS
    n = len(ctx.app.the_shareholders)
    if ctx.llc and not ctx.existing() and not low <= n <= high:
        yield reason("SHAREHOLDERS_INVALID", "shareholders",
                     "有限责任公司应有1至50名股东。" if n else "请添加至少一名股东。")


def officer_reasons(o: Officers, llc: bool, prefix: str = "officers") -> Iterator[Reason]:
    """Who may hold which office, and together (CL arts. 10, 68, 75, 76, 83, 265): the contract's one rule,
    which the kiosk's officers step also calls (:func:`service.contract.officers.officer_conflicts`)."""
    for c in officer_conflicts(o, llc, prefix):
        yield reason("OFFICERS_INVALID", c.field, c.zh)


def rule_officers(ctx: Context) -> Iterator[Reason]:
    if ctx.app.officers is not None and not ctx.existing():
        yield from officer_reasons(ctx.app.officers, ctx.llc)
    elif ctx.app.officers is None or ctx.app.officers.legal_representative is None:
        yield reason("OFFICERS_INVALID", "officers.legal_representative", "请确定法定代表人。")


def signature_reasons(ctx: Context, needed: list[Person]) -> Iterator[Reason]:
    signed = {ids.normalise(s.id_number) for s in ctx.app.signatures}
    told: set[str] = set()
    for p in needed:
        number = ids.normalise(p.id_number)
        if number and number not in signed and number not in told:
            told.add(number)
            yield reason("SIGNATURE_MISSING", "signatures", f"{p.name}尚未签名，请{p.name}本人在屏幕上签名。")


def rule_signatures(ctx: Context) -> Iterator[Reason]:
    """The legal representative signs the application, every shareholder the articles (CL art. 46)."""
    o = ctx.app.the_officers
    needed = ([o.legal_representative] if o.legal_representative is not None else []) + list(ctx.app.the_shareholders)
    yield from signature_reasons(ctx, needed)


def rule_existing(ctx: Context) -> Iterator[Reason]:
    if ctx.app.mode != "single_item":
        return
    if not ctx.app.uscc or ctx.entity is None:
        yield reason("ENTITY_UNKNOWN", "uscc", "未找到该统一社会信用代码对应的企业，请核对电子营业执照。")
        return
    entity = ctx.entity
    if getattr(entity, "status", "active") != "active":
        yield reason("ENTITY_NOT_ACTIVE", "uscc", "该企业当前不是存续状态（已歇业、注销中或已注销），不能办理关联事项。")
    rep = ctx.app.the_officers.legal_representative
    rep_key = getattr(entity, "legal_rep_key", "")
    if rep_key and (rep is None or ctx.person_key(rep.id_number) != rep_key or
                    ctx.person_key(ctx.app.applicant.person.id_number) != rep_key):
        yield reason("LEGAL_REP_MISMATCH", "officers.legal_representative",
                     "单独办理关联事项须由该企业的法定代表人本人刷证办理，请法定代表人到场。")
    open_items = ctx.notes.get("open_items")
    if isinstance(open_items, set):
        for service in sorted(open_items & set(ctx.app.the_linked.chosen())):
            yield reason("ITEM_ALREADY_OPEN", f"linked_services.{service}",
                         f"该企业已有正在办理的“{service_label(service)}”，请在进度查询中查看，不要重复申请。")


def service_label(code: str) -> str:
    from service.contract.labels import linked_name

    return linked_name(code)


RULES: tuple[Rule, ...] = (
    rule_identity, rule_card_expiry, rule_id_numbers, rule_investor_eligible, rule_age, rule_dishonest,
    rule_many_entities, rule_existing, rule_name, rule_address, rule_scope, rule_capital, rule_contribution,
    rule_shareholders, rule_officers, rule_signatures,
)
