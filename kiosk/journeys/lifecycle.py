"""A company's later life at the kiosk, as state machines: change (变更登记), deregistration (注销),
suspension (歇业备案, and resuming early) and the licence reprinted anywhere (全城通取).

Every journey starts the same way: the company (its e-licence QR code, or its USCC typed), then the legal
representative's own card, phone and face — the establishment's steps. The platform then hands the
company's record to its legal representative (nobody else) and the journey goes on:

* change: what changes → only those steps, each the establishment's own screen, prefilled from the
  record → check → every signer the law requires reads their own card and signs → submit → result;
* deregistration: the one table (企业退出"一张表": what each department still holds open, and who to see)
  → the procedure (simplified only when the company qualifies; the announcement period shown) → check →
  every shareholder signs → submit → result;
* suspension: from, to (at most three years), the cause and the address for legal documents; or, when
  suspended, resume now or extend → check → sign → submit → result;
* reprint: the copies (正本 A3, 副本 A4) → printed on the document printer.

The legal facts come from :mod:`service.contract.law`; the platform judges again with the same codes.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

from kiosk.journeys.problems import Problem
from kiosk.journeys.registration import RegistrationJourney, Step, card_problems, officer_lines, person_of
from service.contract import law, uscc as uscc_rules

KINDS = ("change", "deregistration", "suspension", "reprint")


class LifeStep(str, Enum):
    COMPANY = "company"  # the e-licence QR code or the USCC typed
    CHANGE_WHAT = "change_what"  # which registered items change
    EQUITY = "equity"  # shareholders: equity transfer and subscriptions
    CLEARANCE = "clearance"  # 企业退出"一张表"
    PROCEDURE = "procedure"  # simplified or ordinary, and why
    SUSPENSION = "suspension"  # from, to, cause, address for legal documents; or resume / extend
    COPIES = "copies"  # reprint: 正本 / 副本
    CHECK = "life_check"
    SIGN = "life_sign"
    RESULT = "life_result"


AnyStep = Step | LifeStep
IDENTITY: list[AnyStep] = [LifeStep.COMPANY, Step.APPLICANT_CARD, Step.PHONE, Step.LIVENESS]
# what a change may touch, in the order its steps come, and the step holding each
CHANGE_ITEMS: list[tuple[str, AnyStep]] = [
    ("name", Step.NAME), ("address", Step.ADDRESS), ("business_scope", Step.SCOPE),
    ("registered_capital_cny", Step.CAPITAL), ("shareholders", LifeStep.EQUITY), ("officers", Step.OFFICERS)]
LLC_ONLY = ("shareholders", "officers")
# which step holds each field of a lifecycle document, for "one tap back" after a rejection
FIELD_STEPS: list[tuple[str, AnyStep]] = [
    ("changes.name", Step.NAME), ("changes.address", Step.ADDRESS), ("changes.business_scope", Step.SCOPE),
    ("changes.registered_capital_cny", Step.CAPITAL), ("changes.shareholders", LifeStep.EQUITY),
    ("changes.officers", Step.OFFICERS), ("changes", LifeStep.CHANGE_WHAT), ("procedure", LifeStep.PROCEDURE),
    ("from", LifeStep.SUSPENSION), ("to", LifeStep.SUSPENSION), ("service_address", LifeStep.SUSPENSION),
    ("uscc", LifeStep.COMPANY), ("applicant.verification.phone", Step.PHONE),
    ("applicant.verification.liveness", Step.LIVENESS), ("applicant", Step.APPLICANT_CARD),
    ("signatures", LifeStep.SIGN),
]
DEREG_REASONS = ("股东会决议解散", "营业期限届满", "章程规定的解散事由出现", "其他原因")
SUSPENSION_MONTHS = (3, 6, 12, 24, 36)
COPIES = {"original": "A3", "duplicate": "A4"}  # 正本 A3 landscape, 副本 A4 portrait


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter); 36 months is three years."""
    if months % 12 == 0:
        return law.years_after(day, months // 12)
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def step_named(name: str) -> AnyStep:
    try:
        return Step(name)
    except ValueError:
        return LifeStep(name)


class LifecycleJourney(RegistrationJourney):
    """One of :data:`KINDS` for an existing company; ``today`` is injectable so tests control dates."""

    def __init__(self, kind: str, today: date | None = None, kiosk_id: str = "", application_id: str | None = None,
                 acceptance_no: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown lifecycle journey {kind!r}")
        super().__init__(today, kiosk_id, None, application_id, acceptance_no)
        self.kind = kind
        self.current: AnyStep = LifeStep.COMPANY  # type: ignore[assignment]
        self.company: dict[str, Any] = {}  # uscc, name, status as the company was identified
        self.record: dict[str, Any] | None = None  # the platform's record, for the legal representative
        self.refused = False  # the person identified is not the company's legal representative
        self.chosen: list[str] = []  # change: what changes
        self.clearance: dict[str, Any] | None = None
        self.procedure: str | None = None
        self.reason: str | None = None
        self.period: dict[str, Any] = {}  # suspension: from, to, cause, service_address, resume
        self.copies: list[str] = []
        self.reprinted: dict[str, Any] | None = None
        self._signer_cards: dict[str, Any] = {}

    # -- the path --------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        tail: list[AnyStep] = [LifeStep.CHECK, LifeStep.SIGN, Step.SUBMIT, LifeStep.RESULT]
        if self.kind == "change":
            middle: list[AnyStep] = [LifeStep.CHANGE_WHAT]
            middle += [step for item, step in CHANGE_ITEMS if item in self.chosen]
            if "registered_capital_cny" in self.chosen and self.llc and LifeStep.EQUITY not in middle:
                middle.insert(middle.index(Step.CAPITAL) + 1, LifeStep.EQUITY)  # subscriptions must add up
        elif self.kind == "deregistration":
            middle = [LifeStep.CLEARANCE, LifeStep.PROCEDURE]
        elif self.kind == "suspension":
            middle = [LifeStep.SUSPENSION]
        else:  # the licence prints at once: no application (SUBMIT is never visited, it keeps the count right)
            middle, tail = [LifeStep.COPIES], [Step.SUBMIT, LifeStep.RESULT]
        return IDENTITY + middle + tail  # type: ignore[return-value]

    @property
    def llc(self) -> bool:
        return (self.draft.entity_type or "llc") == "llc"

    def _go(self, step: Any) -> None:
        super()._go(step)

    def _advance(self, step: Any) -> list[Problem]:
        self.done.add(step)
        self.problems = []
        steps: list[Any] = self.steps
        if self.changing and step not in (LifeStep.CHECK, LifeStep.SIGN, Step.SUBMIT) and LifeStep.CHECK in steps:
            nxt: Any = LifeStep.CHECK
            self.changing = False
        else:
            nxt = steps[min(steps.index(step) + 1, len(steps) - 1)] if step in steps else steps[0]
        self._go(nxt)
        return []

    def back(self) -> Any:
        if self.changing:
            self.changing = False
            self._go(LifeStep.CHECK)
            return self.current
        steps: list[Any] = self.steps
        i = steps.index(self.current) if self.current in steps else 0
        if i > 0 and self.current not in (Step.SUBMIT, LifeStep.RESULT):
            self.current = steps[i - 1]
        return self.current

    def change(self, step: Any) -> None:
        self.changing = True
        self._go(step)

    # -- the company -------------------------------------------------------------------------
    def licence_read(self, verified: dict[str, Any] | None) -> list[Problem]:
        """The platform's check of the scanned e-licence: ``{"valid", "uscc", "name", "registered", "status"}``."""
        if not verified or not verified.get("valid"):
            message = (verified or {}).get("message") or "电子营业执照二维码无法核验，请刷新后重新出示。"
            return self._refuse([Problem("licence", message, "The e-licence code does not verify; refresh it and "
                                                              "show it again, or type the company's USCC.")])
        if not verified.get("registered"):
            return self._refuse([Problem("licence", "未查询到该企业的登记信息，请到窗口办理。",
                                         "The company is not in the registry; please go to a counter.")])
        return self._company(verified["uscc"], verified.get("current_name") or verified.get("name") or "",
                             verified.get("status") or "active")

    def uscc_typed(self, text: str, found: dict[str, Any] | None) -> list[Problem]:
        """The USCC typed on the keyboard and what the platform holds under it (None: nothing)."""
        code = "".join(text.split()).upper()
        if not uscc_rules.is_valid(code):
            return self._refuse([Problem("uscc", "统一社会信用代码有误：应为18位，请核对营业执照上的代码（不含字母I、O、S、V、Z）。",
                                         "That is not a valid unified social credit code: 18 characters, as printed "
                                         "on the licence (no I, O, S, V or Z).")])
        if not found:
            return self._refuse([Problem("uscc", "未查询到该统一社会信用代码对应的企业，请核对。",
                                         "No company is registered under that code; please check it.")])
        return self._company(code, str(found.get("name") or ""), str(found.get("status") or "active"))

    def _company(self, code: str, name: str, status: str) -> list[Problem]:
        if status == "deregistered":
            return self._refuse([Problem("uscc", "该企业已注销，不能再办理变更、歇业、注销或补打执照。",
                                         "The company is deregistered: nothing more can be filed for it.")])
        if status == "deregistering" and self.kind != "reprint":
            return self._refuse([Problem("uscc", "该企业正在办理注销（公示期内），暂不能办理其他登记。",
                                         "The company is being deregistered (its announcement is running).")])
        if status == "suspended" and self.kind == "change":
            return self._refuse([Problem("uscc", "该企业处于歇业期间，请先办理恢复营业（歇业备案 → 恢复营业），再申请变更。",
                                         "The company is suspended: resume business first, then file the change.")])
        self.company = {"uscc": code, "name": name, "status": status}
        return self._advance(LifeStep.COMPANY)

    # -- the record (the platform's answer after the face check) --------------------------------
    def record_loaded(self, record: dict[str, Any]) -> list[Problem]:
        """The company's record: what a change starts from, what a reprint prints, who signs."""
        self.record, self.refused = record, False
        state = record.get("state") or {}
        d = self.draft
        d.entity_type = record.get("entity_type") or "llc"
        d.name = dict(state.get("name") or {"full": record.get("name", "")})
        d.address = dict(state.get("address") or {})
        d.scope = [dict(s) for s in state.get("business_scope") or []]
        d.capital_cny = state.get("registered_capital_cny")
        d.shareholders = [dict(s) for s in state.get("shareholders") or []]
        d.officers = dict(state.get("officers") or {})
        self.company.update(name=record.get("name") or self.company.get("name", ""),
                            status=record.get("status") or self.company.get("status", "active"))
        self.problems = []
        return []

    def record_refused(self) -> list[Problem]:
        """Nobody but the registered legal representative may go on (APPLICANT_NOT_LEGAL_REP)."""
        self.refused = True
        return self._refuse([Problem("applicant", "只有该企业登记的法定代表人本人可以在自助终端办理。请法定代表人本人刷证办理；"
                                                  "委托他人办理的，请携带授权委托书和营业执照到人工窗口。",
                                     "Only the company's registered legal representative can do this at the kiosk. "
                                     "Ask them to come and read their own card; someone acting for them goes to a "
                                     "staffed counter with a power of attorney and the licence.")])

    @property
    def current_state(self) -> dict[str, Any]:
        return (self.record or {}).get("state") or {}

    # -- change -------------------------------------------------------------------------------
    def choose_changes(self, items: list[str]) -> list[Problem]:
        allowed = [i for i, _ in CHANGE_ITEMS if self.llc or i not in LLC_ONLY]
        chosen = [i for i in allowed if i in items]
        if not chosen:
            return self._refuse([Problem("changes", "请选择要变更的事项。", "Choose what changes.")])
        self.chosen = chosen
        return self._advance(LifeStep.CHANGE_WHAT)

    def set_name(self, region: str, trade_name: str, industry: str, form: str,
                 check: dict[str, Any] | None) -> list[Problem]:
        """The new name; the company's own trade name is no conflict with itself."""
        now = self.current_state.get("name") or {}
        if f"{region}{trade_name.strip()}{industry}{form}" == now.get("full"):
            return self._refuse([Problem("name", "新名称与现名称相同，请修改字号、行业或组织形式。",
                                         "The new name is the one registered now; change something.")])
        if check is not None and trade_name.strip() == now.get("trade_name") and region == now.get("region"):
            own = {"NAME_SIMILAR", "NAME_SOUNDS_ALIKE"} | ({"NAME_DUPLICATE"} if industry == now.get("industry")
                                                          else set())
            reasons = [r for r in check.get("reasons", []) if r.get("code") not in own]
            check = {**check, "reasons": reasons,
                     "available": not any(r.get("severity") == "error" for r in reasons)}
        return super().set_name(region, trade_name, industry, form, check)

    def set_address(self, code: str, text: str) -> list[Problem]:
        if code and code == (self.current_state.get("address") or {}).get("code"):
            return self._refuse([Problem("address", "这是现登记的住所，请选择新的住所。",
                                         "That is the registered address now; choose the new one.")])
        return super().set_address(code, text)

    def set_capital(self, amount_cny: int) -> list[Problem]:
        """A new capital: the subscriptions are rescaled in proportion (each shareholder keeps their share);
        the shareholders' step that follows shows them and lets them be changed."""
        problems = super().set_capital(amount_cny)
        if problems or not self.llc:
            return problems
        holders = self.draft.shareholders
        before = sum(s["subscribed_cny"] for s in holders)
        if holders and before and before != amount_cny:
            amounts = [s["subscribed_cny"] * amount_cny // before for s in holders]
            amounts[0] += amount_cny - sum(amounts)  # the rounding to the first holder
            for s, amount in zip(holders, amounts):
                s["subscribed_cny"] = amount
        return []

    def transfer(self, from_id: str, card: Any, amount_cny: int) -> list[Problem]:
        """Equity transfer (股权转让, CL art. 84): ``amount_cny`` of ``from_id``'s subscription to the person whose
        own card was just read (a shareholder already, or a newcomer)."""
        problems = card_problems(card, self.today, "shareholders", role="shareholder")
        if problems:
            return self._refuse(problems)
        holders = self.draft.shareholders
        giver = next((s for s in holders if s["id_number"] == from_id), None)
        taker = person_of(card)
        if giver is None or amount_cny <= 0 or amount_cny > giver["subscribed_cny"]:
            return self._refuse([Problem("shareholders", "转让的出资额应大于0且不超过转让方的认缴出资额。",
                                         "The amount transferred must be positive and at most the transferor's.")])
        if taker["id_number"] == from_id:
            return self._refuse([Problem("shareholders", "受让方不能是转让方本人，请受让方本人刷身份证。",
                                         "The transferee must be someone else: let them read their own card.")])
        giver["subscribed_cny"] -= amount_cny
        existing = next((s for s in holders if s["id_number"] == taker["id_number"]), None)
        if existing is not None:
            existing["subscribed_cny"] += amount_cny
        else:
            holders.append({**taker, "subscribed_cny": amount_cny,
                            "contribution_deadline": giver["contribution_deadline"],
                            "contribution_method": giver.get("contribution_method", "currency")})
        self.draft.shareholders = [s for s in holders if s["subscribed_cny"] > 0]
        self._cards[taker["id_number"]] = card
        self.problems = []
        return []

    def shareholders_done(self) -> list[Problem]:
        d = self.draft
        total = sum(s["subscribed_cny"] for s in d.shareholders)
        low, high = law.LLC_SHAREHOLDERS
        if not low <= len(d.shareholders) <= high:
            return self._refuse([Problem("shareholders", "有限责任公司须有1至50名股东。",
                                         "A limited company needs 1 to 50 shareholders.")])
        if total != d.capital_cny:
            return self._refuse([Problem("shareholders", f"股东认缴合计{total}元，与注册资本{d.capital_cny}元不一致。",
                                         f"Subscriptions add up to {total}, not the capital {d.capital_cny}.")])
        return self._advance(LifeStep.EQUITY)

    @property
    def people(self) -> dict[str, dict[str, Any]]:
        """Everyone who can be chosen as an officer: the registered officers, the shareholders, cards read."""
        out = super().people
        officers = self.current_state.get("officers") or {}
        for role in ("legal_representative", "supervisor", "finance_officer"):
            p = officers.get(role)
            if p and p.get("id_number"):
                out.setdefault(p["id_number"], {k: p.get(k) for k in ("name", "id_type", "id_number", "address")})
        for role in ("directors", "managers", "supervisors"):
            for p in officers.get(role) or []:
                out.setdefault(p["id_number"], {k: p.get(k) for k in ("name", "id_type", "id_number", "address")})
        return out

    def current_roles(self) -> dict[str, str | None]:
        """The registered officers as the officers' step shows them (role → ID number)."""
        o = self.current_state.get("officers") or {}
        return {"legal_representative": (o.get("legal_representative") or {}).get("id_number"),
                "director": ((o.get("directors") or [{}])[0]).get("id_number"),
                "supervisor": (o.get("supervisor") or {}).get("id_number"),
                "finance_officer": (o.get("finance_officer") or {}).get("id_number")}

    def changes(self) -> dict[str, Any]:
        """What the application asks to change: only the chosen items, in the establishment's shape."""
        d = self.draft
        out: dict[str, Any] = {}
        items = set(self.chosen)
        if "registered_capital_cny" in items and self.llc:
            items.add("shareholders")  # the subscriptions that make the new capital up
        if "name" in items:
            out["name"] = d.name
        if "address" in items:
            out["address"] = d.address
        if "business_scope" in items:
            out["business_scope"] = [{"code": s.get("code"), "text": s["text"]} for s in d.scope]
        if "registered_capital_cny" in items:
            out["registered_capital_cny"] = d.capital_cny
        if "shareholders" in items:
            out["shareholders"] = d.shareholders
        if "officers" in items:
            out["officers"] = d.officers
        return out

    @property
    def new_legal_representative(self) -> dict[str, Any] | None:
        if "officers" not in self.chosen:
            return None
        rep = self.draft.officers.get("legal_representative") or {}
        now = (self.current_state.get("officers") or {}).get("legal_representative") or {}
        return rep if rep.get("id_number") and rep.get("id_number") != now.get("id_number") else None

    # -- deregistration -------------------------------------------------------------------------
    def clearance_loaded(self, table: dict[str, Any]) -> None:
        self.clearance = table
        if not table.get("simplified_eligible") and self.procedure == "simplified":
            self.procedure = None

    @property
    def simplified_allowed(self) -> bool:
        return bool((self.clearance or {}).get("simplified_eligible"))

    def clearance_seen(self) -> list[Problem]:
        if self.clearance is None:
            return self._refuse([Problem("clearance", "正在查询各部门办理情况，请稍候。",
                                         "Asking the departments; a moment please.")])
        return self._advance(LifeStep.CLEARANCE)

    def announcement(self, procedure: str | None = None) -> dict[str, Any]:
        """What the chosen procedure means in days: the public announcement (or the departments' period for an
        individual business) and the day it would take effect, counted from today."""
        procedure = procedure or self.procedure or "simplified"
        if not self.llc:
            days = law.INDIVIDUAL_DEREG_OBJECTION_DAYS if procedure == "simplified" else 0
            public = False
        else:
            days = law.SIMPLE_DEREG_ANNOUNCE_DAYS if procedure == "simplified" else law.LIQUIDATION_ANNOUNCE_DAYS
            public = True
        until = law.days_after(self.today, days)
        return {"days": days, "public": public and days > 0, "until": until if days else None,
                "effective": law.days_after(until, 1) if days else self.today}

    def choose_procedure(self, procedure: str, reason: str) -> list[Problem]:
        if procedure not in ("simplified", "ordinary"):
            return self._refuse([Problem("procedure", "请选择注销方式。", "Choose how to deregister.")])
        if procedure == "simplified" and not self.simplified_allowed:
            why = "；".join((self.clearance or {}).get("why_not") or []) or "尚有未办结事项"
            return self._refuse([Problem("procedure", f"不符合简易注销条件：{why}。请先办结，或选择普通注销。",
                                         "The company does not qualify for simplified deregistration (see what is "
                                         "open); settle it first, or choose ordinary deregistration.")])
        if not reason:
            return self._refuse([Problem("reason", "请选择注销原因。", "Choose why the company closes.")])
        self.procedure, self.reason = procedure, reason
        return self._advance(LifeStep.PROCEDURE)

    # -- suspension -----------------------------------------------------------------------------
    @property
    def suspended(self) -> bool:
        return (self.company.get("status") or "") == "suspended"

    def address_choices(self) -> list[str]:
        """Where legal documents may be served meanwhile: the registered address, the representative's home."""
        out = []
        registered = (self.current_state.get("address") or {}).get("text")
        if registered:
            out.append(str(registered))
        card = self.draft.applicant_card
        home = person_of(card).get("address") if card is not None else None
        if home and home not in out:
            out.append(str(home))
        return out

    def set_suspension(self, start: date, months: int, cause: str, service_address: str) -> list[Problem]:
        """A suspension (REG art. 30): filed before it starts, at most three years, with the address for legal
        documents meanwhile and the cause."""
        end = add_months(start, months)
        problems = []
        if start < self.today:
            problems.append(Problem("from", "歇业开始日期不能早于今天。", "The suspension cannot start in the past."))
        if end > law.years_after(start, law.SUSPENSION_MAX_YEARS) or months <= 0:
            problems.append(Problem("to", f"歇业期限最长{law.SUSPENSION_MAX_YEARS}年（累计计算）。",
                                    f"A suspension lasts at most {law.SUSPENSION_MAX_YEARS} years in all."))
        if not service_address.strip():
            problems.append(Problem("service_address", "请选择歇业期间的法律文书送达地址。",
                                    "Choose where legal documents are served meanwhile."))
        if not cause:
            problems.append(Problem("reason", "请选择歇业原因。", "Choose the cause of the suspension."))
        if problems:
            return self._refuse(problems)
        self.period = {"from": start, "to": end, "cause": cause, "service_address": service_address.strip(),
                       "resume": False}
        return self._advance(LifeStep.SUSPENSION)

    def resume(self, service_address: str = "") -> list[Problem]:
        """Resuming early (RULES art. 42): the suspension in force ends today."""
        if not self.suspended:
            return self._refuse([Problem("to", "该企业目前没有歇业，无需恢复营业。",
                                         "The company is not suspended: nothing to resume.")])
        where = service_address or next(iter(self.address_choices()), "")
        self.period = {"from": self.today, "to": self.today, "cause": "", "service_address": where, "resume": True}
        return self._advance(LifeStep.SUSPENSION)

    # -- reprint ----------------------------------------------------------------------------------
    def choose_copies(self, copies: list[str]) -> list[Problem]:
        chosen = [c for c in COPIES if c in copies]
        if not chosen:
            return self._refuse([Problem("copies", "请选择要打印的执照：正本或副本。",
                                         "Choose which licence to print: the original or the duplicate.")])
        if self.record is None:
            return self._refuse([Problem("copies", "尚未取得企业登记信息，请稍候。", "The company's record is not here yet.")])
        self.copies = chosen
        self.problems = []
        return []

    def printed(self, outcome: dict[str, Any]) -> None:
        self.reprinted = outcome
        self.done.add(LifeStep.COPIES)  # type: ignore[arg-type]
        self._go(LifeStep.RESULT)

    def licence_application(self) -> dict[str, Any]:
        """The company as the licence shows it (establishment shape): the record with the changes applied."""
        state = self.current_state
        d = self.draft
        doc: dict[str, Any] = {
            "entity_type": d.entity_type or "llc", "name": state.get("name") or {},
            "address": state.get("address") or {}, "business_scope": state.get("business_scope") or [],
            "registered_capital_cny": state.get("registered_capital_cny"),
            "shareholders": state.get("shareholders") or [], "officers": state.get("officers") or {}}
        for key, value in self.changes().items():
            doc[key] = value
        if not (doc["officers"] or {}).get("legal_representative") and d.applicant_card is not None:
            doc["officers"] = {"legal_representative": person_of(d.applicant_card)}
        doc["established_on"] = (self.record or {}).get("established_on")
        return doc

    # -- signing: each signer reads their own card first -------------------------------------------
    @property
    def signers(self) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.draft.applicant_card is not None:
            p = person_of(self.draft.applicant_card)
            out[p["id_number"]] = {"name": p["name"], "id_number": p["id_number"]}

        def add(people: list[dict[str, Any]]) -> None:
            for p in people:
                if p.get("id_number"):
                    out.setdefault(p["id_number"], {"name": p.get("name", ""), "id_number": p["id_number"]})

        current = self.current_state.get("shareholders") or []
        if self.kind == "deregistration":
            add(current)  # every investor commits in writing (REG art. 33, CL art. 240)
        elif self.kind == "change":
            if set(self.changes()) & set(law.ARTICLES_CHANGES):
                add(current)  # the shareholders' resolution amending the articles
                add(self.draft.shareholders if "shareholders" in self.changes() else [])
            rep = self.new_legal_representative
            if rep is not None:
                add([rep])  # CL art. 35: the new legal representative signs
        return list(out.values())

    def card_read_for(self, id_number: str) -> bool:
        """Whether this signer's own card was read in this visit."""
        if self.draft.applicant_card is not None and person_of(self.draft.applicant_card)["id_number"] == id_number:
            return True
        return id_number in self._signer_cards or id_number in self._cards

    def signer_card(self, card: Any) -> list[Problem]:
        """The next signer puts their own card on the reader before signing."""
        problems = card_problems(card, self.today, "signatures", role="shareholder")
        if problems:
            return self._refuse(problems)
        p = person_of(card)
        if p["id_number"] not in {s["id_number"] for s in self.unsigned}:
            return self._refuse([Problem("signatures", f"{p['name']}无需签名或已签名，请由下一位签名人刷本人身份证。",
                                         "This person does not sign now; the next signer reads their own card.")])
        self._signer_cards[p["id_number"]] = card
        self.problems = []
        return []

    def signed(self, id_number: str, image_sha256: str, at: datetime | None = None) -> list[Problem]:
        if id_number not in {s["id_number"] for s in self.signers}:
            return self._refuse([Problem("signatures", "该人员无需签名。", "This person does not sign.")])
        if not self.card_read_for(id_number):
            return self._refuse([Problem("signatures", "请先在读卡器上刷签名人本人的身份证，再签名。",
                                         "The signer reads their own ID card first, then signs.")])
        self.draft.signatures[id_number] = {"signed_at": (at or datetime.now(timezone.utc)).isoformat(),
                                            "image_sha256": image_sha256}
        if all(s["id_number"] in self.draft.signatures for s in self.signers):
            return self._advance(LifeStep.SIGN)
        self.problems = []
        return []

    def confirm_answers(self) -> list[Problem]:
        steps: list[Any] = self.steps
        missing = [s for s in steps[: steps.index(LifeStep.CHECK)] if s not in self.done]
        if missing:
            self._go(missing[0])
            return self._refuse([Problem(missing[0].value, "还有未完成的步骤。", "Some steps are not finished.")])
        self.changing = False
        return self._advance(LifeStep.CHECK)

    # -- the document --------------------------------------------------------------------------------
    def application(self, submitted_at: datetime | None = None) -> dict[str, Any]:
        """The lifecycle document of CONTRACT.md ("Lifecycle applications")."""
        d = self.draft
        card = d.applicant_card
        applicant: dict[str, Any] = person_of(card) if card is not None else {"name": "", "id_number": ""}
        applicant["phone"] = d.phone
        valid_to = card.get("valid_to") if isinstance(card, dict) else getattr(card, "valid_to", None)
        now = (submitted_at or datetime.now(timezone.utc)).isoformat()
        doc: dict[str, Any] = {
            "application_id": d.application_id,
            **({"acceptance_no": d.acceptance_no} if d.acceptance_no else {}),
            "kind": self.kind, "uscc": self.company.get("uscc"), "kiosk_id": self.kiosk_id, "submitted_at": now,
            "company_name": self.company.get("name", ""),  # for the receipts; the platform reads the registry
            "entity_type": d.entity_type,
            "applicant": {"person": applicant, "verification": {
                "card_read": card is not None, "card_valid_to": str(valid_to) if valid_to else None,
                "liveness_passed": d.liveness_passed, "face_match_score": d.face_match_score,
                "phone_verified": d.phone_verified, "phone_verification_id": d.phone_verification_id,
                "face_verification_id": d.face_verification_id, "verified_at": now}},
            "signatures": [{"id_number": k, **v} for k, v in d.signatures.items()],
        }
        if self.kind == "change":
            doc["changes"] = self.changes()
        elif self.kind == "deregistration":
            doc.update(procedure=self.procedure, reason=self.reason)
        elif self.kind == "suspension":
            p = self.period
            doc.update({"from": p["from"].isoformat(), "to": p["to"].isoformat(),
                        "service_address": p["service_address"], "reason": p.get("cause") or "恢复营业"})
        return doc

    def decided(self, decision: dict[str, Any]) -> Any:
        self.decision = decision
        self._go(LifeStep.RESULT)
        return self.current

    def fix_step(self) -> Any:
        if not self.decision or self.decision.get("decision") != "rejected":
            return None
        steps: list[Any] = self.steps
        for reason in self.decision.get("reasons", []):
            if reason.get("severity") != "error":
                continue
            f = reason.get("field") or ""
            for prefix, step in FIELD_STEPS:
                if f.startswith(prefix) and step in steps:
                    return step
        return LifeStep.CHECK

    def correct(self) -> Any:
        """Go and fix a rejected application: a new submission (new id, new number), signed again."""
        step = self.fix_step() or LifeStep.CHECK
        self.draft.application_id = str(uuid.uuid4())
        self.draft.acceptance_no = None
        self.draft.signatures.clear()
        self.done -= {LifeStep.SIGN, Step.SUBMIT}
        self.decision = None
        self.change(step)
        return step

    # -- check your answers ------------------------------------------------------------------------------
    def summary_rows(self, t: Any, person: Any, phone: Any, lang: str = "zh") -> list[tuple[str, str, str]]:
        """(step, label, value) for the check page; ``t`` translates, ``person``/``phone`` mask."""
        d = self.draft
        rows = [(LifeStep.COMPANY.value, t("life.row.company"),
                 f"{self.company.get('name', '')}（{self.company.get('uscc', '')}）")]
        if d.applicant_card is not None:
            rows.append((Step.APPLICANT_CARD.value, t("life.row.legal_rep"), person(person_of(d.applicant_card))))
        rows.append((Step.PHONE.value, t("step.phone"), phone(d.phone or "")))
        if self.kind == "change":
            c = self.changes()
            rows.append((LifeStep.CHANGE_WHAT.value, t("life.row.what"),
                         "、".join(t(f"life.item.{i}") for i in self.chosen)))
            if "name" in c:
                rows.append((Step.NAME.value, t("step.name"), c["name"].get("full", "")))
            if "address" in c:
                rows.append((Step.ADDRESS.value, t("step.address"), c["address"].get("text", "")))
            if "business_scope" in c:
                rows.append((Step.SCOPE.value, t("step.scope"), "、".join(s["text"] for s in c["business_scope"])))
            if "registered_capital_cny" in c:
                rows.append((Step.CAPITAL.value, t("step.capital"),
                             f"{(c['registered_capital_cny'] or 0) // 10_000} {t('capital.unit')}"))
            if "shareholders" in c:
                rows.append((LifeStep.EQUITY.value, t("step.shareholders"), "；".join(
                    f"{person(s)} {s['subscribed_cny'] // 10_000}{t('capital.unit')}" for s in c["shareholders"])))
            if "officers" in c:
                o = c["officers"]
                rows.append((Step.OFFICERS.value, t("step.officers"), "；".join(officer_lines(o, lang))))
        elif self.kind == "deregistration":
            a = self.announcement()
            rows.append((LifeStep.PROCEDURE.value, t("life.row.procedure"),
                         t(f"life.procedure.{self.procedure}") + "；" + (self.reason or "")))
            rows.append((LifeStep.PROCEDURE.value, t("life.row.effective"),
                         t("life.announce.until", until=a["until"].isoformat(), effective=a["effective"].isoformat())
                         if a["until"] else t("life.announce.none", effective=a["effective"].isoformat())))
        elif self.kind == "suspension":
            p = self.period
            if p.get("resume"):
                rows.append((LifeStep.SUSPENSION.value, t("life.row.period"),
                             t("life.resume.on", day=p["from"].isoformat())))
            else:
                rows.append((LifeStep.SUSPENSION.value, t("life.row.period"),
                             f"{p['from'].isoformat()} — {p['to'].isoformat()}（{p.get('cause', '')}）"))
                rows.append((LifeStep.SUSPENSION.value, t("life.row.service_address"), p.get("service_address", "")))
        return rows
