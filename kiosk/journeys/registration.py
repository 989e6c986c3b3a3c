"""Open a company (全链式通办 / 分链式选择办) as a state machine.

One thing per page (GOV.UK pattern): each step accepts its answer or returns the problems with it.
``back()`` never loses an answer; ``change(step)`` from the check page returns there after the edit;
a rejected decision sends the citizen straight to the step that holds the faulty field.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

from kiosk.i18n import tr
from kiosk.journeys.problems import Problem
from service.contract import law
from service.contract.ids import ID_TYPE_OF_CARD
from service.contract.labels import SERVICES as LINKED_SERVICES


class Step(str, Enum):
    LICENCE = "licence"  # single items: the existing company's e-licence
    ENTITY_TYPE = "entity_type"
    APPLICANT_CARD = "applicant_card"
    PHONE = "phone"
    LIVENESS = "liveness"
    NAME = "name"
    ADDRESS = "address"
    SCOPE = "scope"
    CAPITAL = "capital"
    SHAREHOLDERS = "shareholders"
    CONTRIBUTIONS = "contributions"  # each shareholder's amount, method and deadline (CL arts. 46-49)
    OFFICERS = "officers"
    LINKED = "linked"
    CHECK = "check"
    SIGN = "sign"
    SUBMIT = "submit"
    RESULT = "result"


LLC_STEPS: list[Step] = [s for s in Step if s is not Step.LICENCE]
COMPANY_ONLY = (Step.SHAREHOLDERS, Step.CONTRIBUTIONS, Step.OFFICERS)
INDIVIDUAL_STEPS: list[Step] = [s for s in LLC_STEPS if s not in COMPANY_ONLY]

# which step holds each application field, for "one tap back to that step" after a rejection
CONTRIBUTION_FIELD = re.compile(r"^shareholders(\[\d+\])?\.(subscribed_cny|contribution_)")
FIELD_STEPS: list[tuple[str, Step]] = [
    ("entity_type", Step.ENTITY_TYPE), ("name", Step.NAME), ("address", Step.ADDRESS), ("business_scope", Step.SCOPE),
    ("registered_capital_cny", Step.CAPITAL), ("shareholders", Step.SHAREHOLDERS), ("officers", Step.OFFICERS),
    ("applicant.verification.phone", Step.PHONE), ("applicant.verification.liveness", Step.LIVENESS),
    ("applicant", Step.APPLICANT_CARD), ("linked_services", Step.LINKED), ("signatures", Step.SIGN),
]


def _getter(card: Any) -> Any:
    return (lambda k: card.get(k)) if isinstance(card, dict) else (lambda k: getattr(card, k, None))


def person_of(card: Any) -> dict[str, Any]:
    """The application's ``person`` from a card reading (an ``IdCard`` or a dict with its fields):
    the card type decides ``id_type``; a foreign card adds the English name and nationality."""
    get = _getter(card)
    card_type = get("card_type") or "resident"
    person = {
        "name": get("name") or get("name_en"),
        "id_type": ID_TYPE_OF_CARD.get(card_type, "resident_id"),
        "id_number": get("id_number"),
        "address": get("address"),
    }
    if card_type == "foreign_permanent":
        person.update(name_en=get("name_en"), nationality=get("nationality"))
    return person


PERSON_KEYS = ("name", "id_type", "id_number", "address", "name_en", "nationality")


def display_name(person: Any) -> str:
    """A person's name as screens, receipts and the licence show it: a foreign card's Chinese name with the
    English name as on the card (田中浩（TANAKA, HIROSHI）), the English name alone when the card has no other."""
    get = _getter(person)
    name, name_en = (get("name") or "").strip(), (get("name_en") or "").strip()
    if name_en and name and name != name_en:
        return f"{name}（{name_en}）"
    return name or name_en


@dataclass
class Draft:
    """Everything answered so far; turned into the application document at submission."""

    application_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    acceptance_no: str | None = None  # 受理编号, assigned by the kiosk at the start of the visit
    entity_type: str | None = None
    applicant_card: Any = None
    phone: str | None = None
    phone_verified: bool = False
    phone_verification_id: str | None = None  # the platform's proof of the SMS step
    liveness_passed: bool = False
    face_match_score: float = 0.0
    face_verification_id: str | None = None  # the platform's proof of the face step
    name: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)
    scope: list[dict[str, Any]] = field(default_factory=list)
    capital_cny: int | None = None
    shareholders: list[dict[str, Any]] = field(default_factory=list)
    officers: dict[str, Any] = field(default_factory=dict)
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)
    signatures: dict[str, dict[str, Any]] = field(default_factory=dict)  # id_number -> {signed_at, image_sha256}


class RegistrationJourney:
    """The open-a-company journey. ``today`` is injectable so tests control dates."""

    def __init__(self, today: date | None = None, kiosk_id: str = "", preset_bank: dict[str, str] | None = None,
                 application_id: str | None = None, acceptance_no: str | None = None):
        self.draft = Draft()
        if application_id:
            self.draft.application_id = application_id
        self.draft.acceptance_no = acceptance_no
        self.today = today or date.today()
        self.kiosk_id = kiosk_id
        self.preset_bank = preset_bank or {}
        self.current: Step = Step.ENTITY_TYPE
        self.done: set[Step] = set()
        self.history: list[Step] = []
        self.changing = False  # editing from the check page: return there after the edit
        self.decision: dict[str, Any] | None = None
        self.problems: list[Problem] = []
        self._cards: dict[str, Any] = {}  # cards read by officers who are not shareholders, by ID number
        self._confirmed: set[str] = set()  # shareholders whose contribution the citizen confirmed
        self.rejection: list[dict[str, Any]] = []  # the reasons of the last rejection, shown on their steps

    # -- the path --------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        return INDIVIDUAL_STEPS if self.draft.entity_type == "individual_business" else LLC_STEPS

    def _advance(self, step: Step) -> list[Problem]:
        self.done.add(step)
        self.problems = []
        self.rejection = [r for r in self.rejection if step_of_field(r.get("field") or "", self.steps) is not step]
        if self.changing and step not in (Step.CHECK, Step.SIGN, Step.SUBMIT):
            nxt = Step.CHECK
            self.changing = False
        else:
            steps = self.steps
            nxt = steps[min(steps.index(step) + 1, len(steps) - 1)]
        self._go(nxt)
        return []

    def _go(self, step: Step) -> None:
        if step is not self.current:
            self.history.append(self.current)
        self.current = step

    def _refuse(self, problems: list[Problem]) -> list[Problem]:
        self.problems = problems
        return problems

    def back(self) -> Step:
        """One step back; every answer is kept."""
        if self.changing:
            self.changing = False
            self._go(Step.CHECK)
            return self.current
        steps = self.steps
        i = steps.index(self.current) if self.current in steps else 0
        if i > 0 and self.current not in (Step.SUBMIT, Step.RESULT):
            self.current = steps[i - 1]
        return self.current

    def change(self, step: Step) -> None:
        """From the check page: edit one answer, then come back to the check page."""
        self.changing = True
        self._go(step)

    # -- the answers -----------------------------------------------------------------------
    def choose_entity_type(self, entity_type: str) -> list[Problem]:
        if entity_type not in ("llc", "individual_business"):
            return self._refuse([Problem("entity_type", "请选择企业类型。", "Choose the kind of business.")])
        if entity_type == "individual_business" and self.draft.applicant_card is not None:
            refused = _not_eligible(self.draft.applicant_card, "entity_type")
            if refused:
                return self._refuse(refused)
        if self.draft.entity_type and self.draft.entity_type != entity_type:
            self.done -= set(COMPANY_ONLY)
        self.draft.entity_type = entity_type
        return self._advance(Step.ENTITY_TYPE)

    def card_read(self, card: Any) -> list[Problem]:
        """The applicant's card: valid, not expired, adult; for an individual business, a card of someone
        who may register one (IB arts. 2, 37: not a foreigner — who is told to open a company instead)."""
        problems = card_problems(card, self.today, "applicant_card")
        if not problems and self.draft.entity_type == "individual_business":
            problems = _not_eligible(card, "applicant_card")
        if problems:
            return self._refuse(problems)
        self.draft.applicant_card = card
        return self._advance(Step.APPLICANT_CARD)

    def phone_verified(self, phone: str, verification_id: str | None) -> list[Problem]:
        """The platform's answer to the SMS code: its verification id, or None for a wrong code."""
        if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            return self._refuse([Problem("phone", "请输入11位手机号码。", "Enter an 11-digit mobile number.")])
        if not verification_id:
            return self._refuse([Problem("sms_code", "验证码不正确或已过期，请重新获取。",
                                         "The code is wrong or expired; ask for a new one.")])
        self.draft.phone, self.draft.phone_verified = phone, True
        self.draft.phone_verification_id = verification_id
        return self._advance(Step.PHONE)

    def liveness_result(self, passed: bool, score: float, verification_id: str | None = None) -> list[Problem]:
        """The platform's face comparison after the kiosk's liveness check."""
        self.draft.liveness_passed, self.draft.face_match_score = passed, score
        self.draft.face_verification_id = verification_id if passed else None
        if not passed or not verification_id:
            return self._refuse([Problem("liveness", "人脸核验未通过，请正对摄像头、摘下帽子后重试。",
                                         "Face check failed: face the camera without a hat and try again.")])
        return self._advance(Step.LIVENESS)

    def set_name(self, region: str, trade_name: str, industry: str, form: str,
                 check: dict[str, Any] | None) -> list[Problem]:
        """``check`` is the platform's name-check answer for these parts (``available``, ``reasons``)."""
        trade_name = trade_name.strip()
        if len(trade_name) < law.TRADE_NAME_MIN_CHARS:
            return self._refuse([Problem("name.trade_name", "字号至少需要2个汉字。",
                                         "The trade name needs at least 2 characters.")])
        if law.trade_name_problem(trade_name):
            return self._refuse([Problem("name.trade_name", law.trade_name_problem(trade_name) or "",
                                         "Use Chinese characters only: no letters, digits, symbols or spaces.")])
        if check is None:
            return self._refuse([Problem("name", "名称查重服务暂时无法连接，请稍后重试。",
                                         "The name check is unreachable; try again shortly.")])
        errors = [r for r in check.get("reasons", []) if r.get("severity") == "error"]
        if errors or not check.get("available", False):
            msg = "；".join(r.get("message", "") for r in errors) or "该名称不可用，请换一个字号。"
            en = " ".join(name_reason_en(r, trade_name) for r in errors) or "This name cannot be registered; choose another."
            return self._refuse([Problem("name.trade_name", msg, en)])
        self.draft.name = {"region": region, "trade_name": trade_name, "industry": industry, "form": form,
                           "full": f"{region}{trade_name}{industry}{form}"}
        return self._advance(Step.NAME)

    def set_address(self, code: str, text: str) -> list[Problem]:
        if not code or not text:
            return self._refuse([Problem("address", "请选择标准地址。", "Choose a standard address.")])
        self.draft.address = {"code": code, "text": text}
        return self._advance(Step.ADDRESS)

    def set_scope(self, items: list[dict[str, Any]]) -> list[Problem]:
        if not items:
            return self._refuse([Problem("business_scope", "请至少选择一项经营范围。",
                                         "Choose at least one business activity.")])
        self.draft.scope = [dict(i) for i in items]
        return self._advance(Step.SCOPE)

    def set_capital(self, amount_cny: int) -> list[Problem]:
        if not isinstance(amount_cny, int) or amount_cny <= 0:
            return self._refuse([Problem("registered_capital_cny", "注册资本须为大于0的整数（元）。",
                                         "Registered capital must be a positive whole number of yuan.")])
        self.draft.capital_cny = amount_cny
        return self._advance(Step.CAPITAL)

    # -- shareholders, their contributions, the officers ------------------------------------------
    def add_shareholder(self, card: Any, subscribed_cny: int | None = None, deadline: date | None = None,
                        method: str = "currency") -> list[Problem]:
        """Each shareholder reads their own card; the same card twice replaces the earlier entry. Without an
        amount the contribution is proposed on the contributions step (the citizen confirms it there)."""
        problems = card_problems(card, self.today, "shareholders", role="shareholder")
        person = person_of(card)
        if subscribed_cny is not None or deadline is not None:
            problems += self._contribution_problems(person, subscribed_cny or 0, method,
                                                    deadline or self.default_deadline())
        if problems:
            return self._refuse(problems)
        old = {s["id_number"]: s for s in self.draft.shareholders}.get(person["id_number"], {})
        self.draft.shareholders = [s for s in self.draft.shareholders if s["id_number"] != person["id_number"]]
        self.draft.shareholders.append({
            **{k: v for k, v in person.items() if v is not None or k in ("name", "id_number")},
            "subscribed_cny": subscribed_cny if subscribed_cny is not None else old.get("subscribed_cny", 0),
            "contribution_deadline": (deadline.isoformat() if deadline else
                                      old.get("contribution_deadline") or self.default_deadline().isoformat()),
            "contribution_method": method if subscribed_cny is not None else old.get("contribution_method", method)})
        if subscribed_cny is not None:
            self._confirmed.add(person["id_number"])
        self._cards[person["id_number"]] = card
        self.problems = []
        return []

    def remove_shareholder(self, id_number: str) -> None:
        """Take a shareholder off (a person who cannot be one, or a mistake); their offices go too."""
        self.draft.shareholders = [s for s in self.draft.shareholders if s["id_number"] != id_number]
        self._confirmed.discard(id_number)
        self._cards.pop(id_number, None)
        if any(p.get("id_number") == id_number for p in _officer_people(self.draft.officers)):
            self.done.discard(Step.OFFICERS)

    def shareholders_done(self) -> list[Problem]:
        low, high = law.LLC_SHAREHOLDERS
        n = len(self.draft.shareholders)
        if not low <= n <= high:
            return self._refuse([Problem("shareholders", "有限责任公司须有1至50名股东，请至少一位股东刷证。" if not n
                                         else "有限责任公司须有1至50名股东。",
                                         "A limited company needs 1 to 50 shareholders: at least one must read "
                                         "their card." if not n else "A limited company needs 1 to 50 shareholders.")])
        self.propose_contributions()
        if self._confirmed >= {s["id_number"] for s in self.draft.shareholders} and not self.contribution_problems():
            self.done.add(Step.CONTRIBUTIONS)  # all given with the cards (the API); the step still shows them
        return self._advance(Step.SHAREHOLDERS)

    def default_deadline(self) -> date:
        """The proposed deadline: the last day the law allows (CL art. 47), which the citizen may bring forward."""
        return law.contribution_limit(self.today)

    def propose_contributions(self) -> None:
        """Shareholders without an amount share what is left of the capital equally (in 万元 where it
        divides, the remainder to the first of them)."""
        open_ = [s for s in self.draft.shareholders if not s.get("subscribed_cny")]
        left = (self.draft.capital_cny or 0) - sum(s["subscribed_cny"] for s in self.draft.shareholders)
        if not open_ or left <= 0:
            return
        unit = 10_000 if left % 10_000 == 0 and left // 10_000 >= len(open_) else 1
        share, rest = divmod(left // unit, len(open_))
        for i, s in enumerate(open_):
            s["subscribed_cny"] = (share + (rest if i == 0 else 0)) * unit

    def _contribution_problems(self, person: dict[str, Any], amount: int, method: str,
                               deadline: date) -> list[Problem]:
        out = []
        who = display_name(person)
        if not isinstance(amount, int) or amount <= 0:
            out.append(Problem("shareholders.subscribed_cny", f"请填写股东{who}认缴的出资额（须大于0）。",
                               f"Enter the amount {who} subscribes (more than 0)."))
        if method not in law.CONTRIBUTION_METHODS:
            out.append(Problem("shareholders.contribution_method", "请选择出资方式。", "Choose how it is paid."))
        late = law.contribution_too_late(person.get("name") or "", deadline, self.today, person.get("name_en") or "")
        if late:
            out.append(Problem("shareholders.contribution_deadline", *late))
        elif deadline < self.today:
            out.append(Problem("shareholders.contribution_deadline", "认缴出资期限不能早于今天。",
                               "The contribution deadline cannot be in the past."))
        return out

    def set_contribution(self, id_number: str, subscribed_cny: int, method: str, deadline: date) -> list[Problem]:
        """One shareholder's contribution as confirmed on the contributions step (CL art. 46(5): the amount,
        the method and the date go into the articles)."""
        holder = next((s for s in self.draft.shareholders if s["id_number"] == id_number), None)
        if holder is None:
            return self._refuse([Problem("shareholders", "请先让该股东刷证。", "That shareholder must read their card first.")])
        problems = self._contribution_problems(holder, subscribed_cny, method, deadline)
        if problems:
            return self._refuse(problems)
        holder.update(subscribed_cny=subscribed_cny, contribution_method=method,
                      contribution_deadline=deadline.isoformat())
        self._confirmed.add(id_number)
        self.problems = []
        return []

    def contribution_problems(self) -> list[Problem]:
        """What stops the contributions as they stand: each shareholder's, then the total against the capital."""
        out: list[Problem] = []
        for s in self.draft.shareholders:
            out += self._contribution_problems(s, s.get("subscribed_cny") or 0, s.get("contribution_method", ""),
                                               date.fromisoformat(s["contribution_deadline"]))
        total, capital = sum(s.get("subscribed_cny") or 0 for s in self.draft.shareholders), self.draft.capital_cny
        if not out and total != capital:
            out.append(Problem("shareholders", f"股东认缴合计{wan_text(total)}，与注册资本{wan_text(capital or 0)}不一致。",
                               f"The subscriptions add up to {wan_text(total, 'en')}, not the registered capital "
                               f"{wan_text(capital or 0, 'en')}."))
        return out

    def contributions_done(self) -> list[Problem]:
        problems = self.contribution_problems()
        if problems:
            return self._refuse(problems)
        self._confirmed |= {s["id_number"] for s in self.draft.shareholders}
        return self._advance(Step.CONTRIBUTIONS)

    @property
    def people(self) -> dict[str, dict[str, Any]]:
        """Everyone whose card was read in this journey, by ID number (to choose officers from)."""
        out = {}
        if self.draft.applicant_card is not None:
            p = person_of(self.draft.applicant_card)
            out[p["id_number"]] = p
        for s in self.draft.shareholders:
            out[s["id_number"]] = {k: s[k] for k in PERSON_KEYS if k in s}
        for card in self._cards.values():
            p = person_of(card)
            out.setdefault(p["id_number"], p)
        return out

    def person_read(self, card: Any) -> list[Problem]:
        """An officer who is not a shareholder reads their own card."""
        problems = card_problems(card, self.today, "officers", role="officer")
        if problems:
            return self._refuse(problems)
        self._cards[person_of(card)["id_number"]] = card
        self.problems = []
        return []

    def officers_of(self, legal_rep: str | None, directors: list[str], supervisor: str | None = None,
                    finance_officer: str | None = None, managers: list[str] | None = None, *,
                    supervisors: list[str] | None = None, no_supervisor_consent: bool = False,
                    registration_contact: str | None = None) -> dict[str, Any]:
        """The application's ``officers`` for offices given by ID number (people read in this visit)."""
        people = self.people

        def one(n: str | None) -> dict[str, Any] | None:
            return {k: v for k, v in people[n].items() if v is not None} if n and n in people else None

        contact = registration_contact or (person_of(self.draft.applicant_card)["id_number"]
                                           if self.draft.applicant_card is not None else None)
        out: dict[str, Any] = {
            "legal_representative": one(legal_rep),
            "directors": [p for p in map(one, directors) if p],
            "managers": [p for p in map(one, managers or []) if p],
            "supervisors": [p for p in map(one, supervisors or []) if p],
            "no_supervisor_consent": bool(no_supervisor_consent and not supervisor and not supervisors),
        }
        for key, n in (("supervisor", supervisor), ("finance_officer", finance_officer),
                       ("registration_contact", contact)):
            if one(n):
                out[key] = one(n)
        return out

    def officer_problems(self, officers: dict[str, Any]) -> list[Problem]:
        """The conflicts in ``officers`` — the platform's OFFICERS_INVALID, the same function and words."""
        from pydantic import ValidationError

        from service.contract.models import Officers
        from service.contract.officers import officer_conflicts

        try:
            model = Officers.model_validate({k: v for k, v in officers.items() if v is not None})
        except ValidationError:
            return [Problem("officers", "人员信息有误，请重新刷证。", "A person's details are wrong: read the card again.")]
        return [Problem(c.field, c.zh, c.en) for c in officer_conflicts(model, self.draft.entity_type != "individual_business")]

    def set_officers(self, legal_rep: str, directors: list[str], supervisor: str | None = None,
                     finance_officer: str | None = None, managers: list[str] | None = None, *,
                     supervisors: list[str] | None = None, no_supervisor_consent: bool = False,
                     registration_contact: str | None = None) -> list[Problem]:
        """Officers by ID number, chosen from the people read in this visit (Company Law 2023: a single
        director or a board, the manager, a supervisor, a board of supervisors or none with all shareholders'
        consent, the finance officer, the registration contact — by default the applicant)."""
        chosen = [legal_rep, *directors, *(managers or []), *(supervisors or []),
                  *(x for x in (supervisor, finance_officer, registration_contact) if x)]
        if not legal_rep:
            return self._refuse([Problem("officers.legal_representative", "请确定法定代表人。",
                                         "Choose the legal representative.")])
        if any(x not in self.people for x in chosen):
            return self._refuse([Problem("officers", "请先让该人员在读卡器上刷身份证。",
                                         "That person must read their ID card first.")])
        officers = self.officers_of(legal_rep, directors, supervisor, finance_officer, managers,
                                    supervisors=supervisors, no_supervisor_consent=no_supervisor_consent,
                                    registration_contact=registration_contact)
        problems = self.officer_problems(officers)
        if problems:
            return self._refuse(problems)
        self.draft.officers = officers
        return self._advance(Step.OFFICERS)

    def set_linked(self, chosen: dict[str, dict[str, Any]]) -> list[Problem]:
        """The linked items with their answers; all five makes it 全链式通办."""
        unknown = set(chosen) - set(LINKED_SERVICES)
        if unknown:
            return self._refuse([Problem("linked_services", "未知的关联事项。", "Unknown linked item.")])
        problems = []
        if "bank_account" in chosen and not chosen["bank_account"].get("bank"):
            problems.append(Problem("linked_services.bank_account", "请选择开户银行。", "Choose the bank."))
        if "housing_fund" in chosen:
            ratio = chosen["housing_fund"].get("deposit_ratio_percent", 0)
            if not 5 <= ratio <= 12:
                problems.append(Problem("linked_services.housing_fund", "公积金缴存比例须在5%至12%之间。",
                                        "The deposit ratio must be 5–12 %."))
        if problems:
            return self._refuse(problems)
        self.draft.linked = {k: dict(v) for k, v in chosen.items()}
        return self._advance(Step.LINKED)

    def default_linked(self) -> dict[str, dict[str, Any]]:
        """Sensible answers for all five items, the bank preselected where the kiosk stands in one."""
        return {
            "seal": {"shop": "", "kinds": ["公章", "财务专用章", "发票专用章"]},
            "tax": {"invoice_kinds": ["增值税普通发票"], "ukey": True},
            "social_insurance": {"employees": []},
            "housing_fund": {"deposit_ratio_percent": 5},
            "bank_account": {"bank": self.preset_bank.get("bank", ""), "branch": self.preset_bank.get("branch", "")},
        }

    def confirm_answers(self) -> list[Problem]:
        missing = [s for s in self.steps[: self.steps.index(Step.CHECK)] if s not in self.done]
        if missing:
            self._go(missing[0])
            return self._refuse([Problem(missing[0].value, "还有未完成的步骤。", "Some steps are not finished.")])
        self.changing = False
        return self._advance(Step.CHECK)

    @property
    def signers(self) -> list[dict[str, Any]]:
        """Who must sign: every shareholder and the legal representative (or the operator)."""
        out: dict[str, dict[str, Any]] = {}
        for s in self.draft.shareholders:
            out[s["id_number"]] = {"name": display_name(s), "id_number": s["id_number"]}
        rep = self.draft.officers.get("legal_representative")
        if rep:
            out.setdefault(rep["id_number"], {"name": display_name(rep), "id_number": rep["id_number"]})
        if not out and self.draft.applicant_card is not None:
            p = person_of(self.draft.applicant_card)
            out[p["id_number"]] = {"name": display_name(p), "id_number": p["id_number"]}
        return list(out.values())

    def signed(self, id_number: str, image_sha256: str, at: datetime | None = None) -> list[Problem]:
        if id_number not in {s["id_number"] for s in self.signers}:
            return self._refuse([Problem("signatures", "该人员无需签名。", "This person does not sign.")])
        self.draft.signatures[id_number] = {"signed_at": (at or datetime.now(timezone.utc)).isoformat(),
                                            "image_sha256": image_sha256}
        if all(s["id_number"] in self.draft.signatures for s in self.signers):
            return self._advance(Step.SIGN)
        self.problems = []
        return []

    # -- what the check page shows -------------------------------------------------------------
    def entity_type_label(self) -> str:
        """类型 as the licence will print it (what kind of investor holds the company)."""
        return law.entity_type_label(self.draft.entity_type or "llc",
                                     [s.get("id_type") or "resident_id" for s in self.draft.shareholders])

    def people_rows(self, lang: str) -> list[tuple[str, str, str]]:
        """Check-your-answers rows for a company: 类型, the shareholders, their contributions, the officers
        (step, label, value); ID numbers masked."""
        from service.contract.privacy import mask_id

        d = self.draft
        rows = [("shareholders", tr("law.check.type", lang), self.entity_type_label())]
        rows.append(("shareholders", tr("step.shareholders", lang), "；".join(
            f"{display_name(s)}（{mask_id(s['id_number'])}）" for s in d.shareholders)))
        rows.append(("contributions", tr("step.contributions", lang), "\n".join(
            contribution_line(s, lang) for s in d.shareholders)))
        rows.append(("officers", tr("step.officers", lang), "\n".join(officer_lines(d.officers, lang))))
        return rows

    @property
    def unsigned(self) -> list[dict[str, Any]]:
        return [s for s in self.signers if s["id_number"] not in self.draft.signatures]

    # -- submission and result -------------------------------------------------------------
    def application(self, submitted_at: datetime | None = None) -> dict[str, Any]:
        """The application document of CONTRACT.md (application.schema.json)."""
        d = self.draft
        card = d.applicant_card
        applicant: dict[str, Any] = person_of(card) if card is not None else {"name": "", "id_number": ""}
        applicant["phone"] = d.phone
        valid_to = _getter(card)("valid_to") if card is not None else None
        officers = dict(d.officers)
        if d.entity_type == "individual_business" and not officers:
            operator = {k: v for k, v in applicant.items() if k != "phone" and v is not None}
            officers = {"legal_representative": operator, "registration_contact": operator}
        shareholders = d.shareholders
        mode = "full_chain" if set(d.linked) == set(LINKED_SERVICES) else "partial_chain"
        return {
            "application_id": d.application_id,
            **({"acceptance_no": d.acceptance_no} if d.acceptance_no else {}),
            "kiosk_id": self.kiosk_id,
            "entity_type": d.entity_type,
            "mode": mode,
            "submitted_at": (submitted_at or datetime.now(timezone.utc)).isoformat(),
            "name": d.name,
            "address": d.address,
            "business_scope": [{"code": s.get("code"), "text": s["text"]} for s in d.scope],
            "registered_capital_cny": d.capital_cny or 0,
            "shareholders": shareholders,
            "officers": officers,
            "applicant": {"person": applicant, "verification": {
                "card_read": card is not None, "card_valid_to": str(valid_to) if valid_to else None,
                "liveness_passed": d.liveness_passed, "face_match_score": d.face_match_score,
                "phone_verified": d.phone_verified, "phone_verification_id": d.phone_verification_id,
                "face_verification_id": d.face_verification_id,
                "verified_at": datetime.now(timezone.utc).isoformat()}},
            "linked_services": d.linked,
            "signatures": [{"id_number": k, **v} for k, v in d.signatures.items()],
        }

    def submitting(self) -> None:
        self._go(Step.SUBMIT)

    def decided(self, decision: dict[str, Any]) -> Step:
        """The platform's decision; a rejection leads back to the first faulty step, answers kept."""
        self.decision = decision
        self._go(Step.RESULT)
        return self.current

    def fix_step(self) -> Step | None:
        """Where to correct a rejected application: the step holding the first error's field."""
        if not self.decision or self.decision.get("decision") != "rejected":
            return None
        for reason in self.decision.get("reasons", []):
            if reason.get("severity") != "error":
                continue
            step = step_of_field(reason.get("field") or "", self.steps)
            if step is not None:
                return step
        return Step.CHECK

    def rejected_here(self, step: Step) -> list[dict[str, Any]]:
        """The last rejection's error reasons that belong to ``step`` (to show there, with what to do)."""
        return [r for r in self.rejection if r.get("severity") == "error" and
                step_of_field(r.get("field") or "", self.steps) is step]

    def explain(self, reason: dict[str, Any]) -> Problem:
        """A platform reason as a Problem in both languages, with what the applicant can do next: the
        platform's Chinese words, the English said again from the code and the person it names."""
        from kiosk.i18n import catalogue

        code, f, zh = reason.get("code", ""), reason.get("field") or "", reason.get("message", "")
        person, office = self._person_at(f)
        values = {"name": display_name(person) if person else "", "trade": self.draft.name.get("trade_name", ""),
                  "role_en": tr(f"law.role.{office}", "en") if office else "", "message": zh}
        en = ""
        if code == "OFFICERS_INVALID":
            en = next((p.message_en for p in self.officer_problems(self.draft.officers) if p.field == f), "")
        elif code == "CONTRIBUTION_TOO_LATE" and person:
            late = law.contribution_too_late(person.get("name") or "", date.fromisoformat(
                person["contribution_deadline"]), self.today, person.get("name_en") or "")
            en = late[1] if late else ""
        elif code == "INVESTOR_NOT_ELIGIBLE":
            en = law.individual_business_refusal("foreign_permanent_resident_id")[1]  # type: ignore[index]
        if not en:
            key = f"law.reason.{code}" if f"law.reason.{code}" in catalogue("en") else "law.reason.other"
            en = tr(key, "en", **values)
        then = f"law.next.{code}"
        if then in catalogue("zh"):
            zh, en = zh + tr(then, "zh", **values), en + " " + tr(then, "en", **values)
        return Problem(f, zh, en)

    def _person_at(self, f: str) -> tuple[dict[str, Any] | None, str]:
        """The person an application field names (``officers.managers[0]``, ``shareholders[1].…``), and the office."""
        m = re.match(r"^(officers\.(\w+)|shareholders)(?:\[(\d+)\])?", f)
        if not m:
            return None, ""
        office = m.group(2) or "shareholders"
        value: Any = self.draft.shareholders if office == "shareholders" else self.draft.officers.get(office)
        if isinstance(value, list):
            i = int(m.group(3) or 0)
            value = value[i] if i < len(value) else None
        return (value if isinstance(value, dict) else None), office

    def correct(self) -> Step:
        """Go and fix a rejected application: the same application id is NOT reused (a new submission)."""
        step = self.fix_step() or Step.CHECK
        self.rejection = list((self.decision or {}).get("reasons") or [])
        self.draft.application_id = str(uuid.uuid4())
        self.draft.acceptance_no = None  # a new submission: the platform numbers it (the kiosk is online now)
        self.draft.signatures.clear()  # the signed content changes: sign again
        self.done -= {Step.SIGN, Step.SUBMIT}
        self.decision = None
        self.change(step)
        return step


def name_reason_en(reason: dict[str, Any], trade: str) -> str:
    """A name-check reason in English: the words for its code (the platform speaks Chinese)."""
    from kiosk.i18n import catalogue

    key = f"law.reason.{reason.get('code', '')}"
    return tr(key if key in catalogue("en") else "law.reason.other", "en", trade=trade,
              message=reason.get("message", ""))


def step_of_field(f: str, steps: list[Step]) -> Step | None:
    """The step that holds an application field (``shareholders[1].contribution_deadline`` → contributions)."""
    if CONTRIBUTION_FIELD.match(f) and Step.CONTRIBUTIONS in steps:
        return Step.CONTRIBUTIONS
    for prefix, step in FIELD_STEPS:
        if f.startswith(prefix) and step in steps:
            return step
    return None


def _officer_people(officers: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for value in officers.values():
        if isinstance(value, dict):
            out.append(value)
        elif isinstance(value, list):
            out += [p for p in value if isinstance(p, dict)]
    return out


def _not_eligible(card: Any, field_name: str) -> list[Problem]:
    refused = law.individual_business_refusal(person_of(card)["id_type"])
    return [Problem(field_name, refused[0] + "已填写的内容不会丢失：点“返回”可改选有限责任公司。",
                    refused[1] + " Nothing you entered is lost: tap Back to choose a limited company.")] \
        if refused else []


OFFICES = ("directors", "managers", "legal_representative", "supervisor", "supervisors", "finance_officer",
           "registration_contact")


def officer_lines(officers: dict[str, Any], lang: str) -> list[str]:
    """One line per office: 董事：张伟明 … (the check page, the receipts)."""
    out = []
    for office in OFFICES:
        value = officers.get(office)
        people = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        if office == "directors" and len(people) >= law.BOARD_MIN:
            office = "board"
        if people:
            out.append(tr(f"law.office.{office}", lang) + ("：" if lang == "zh" else ": ") +
                       "、".join(display_name(p) for p in people))
    if officers.get("no_supervisor_consent"):
        out.append(tr("law.officers.no_supervisor_line", lang))
    return out


def contribution_line(s: dict[str, Any], lang: str) -> str:
    """张伟明：60万元，货币，2031年11月22日前缴足."""
    method = tr(f"law.method.{s.get('contribution_method', 'currency')}", lang)
    deadline = date.fromisoformat(s["contribution_deadline"])
    when = f"{deadline:%Y年%m月%d日}" if lang == "zh" else f"{deadline:%Y-%m-%d}"
    return tr("law.contribution.line", lang, name=display_name(s), amount=wan_text(s.get("subscribed_cny") or 0, lang),
              method=method, deadline=when)


def wan_text(cny: int, lang: str = "zh") -> str:
    """An amount as people say it: 万元 when it is whole, else yuan."""
    if lang != "zh":
        return f"{cny:,} yuan"
    return f"{cny // 10_000}万元" if cny % 10_000 == 0 else f"{cny}元"


def card_problems(card: Any, today: date, field_name: str, role: str = "applicant") -> list[Problem]:
    """A card that cannot be used here: a bad number, expired, or a minor (who is told kindly where to go:
    a minor may hold shares through a guardian, which needs a staffed counter; no minor may be an officer)."""
    from service.contract import ids

    get = _getter(card)
    id_type = ID_TYPE_OF_CARD.get(get("card_type") or "resident", "resident_id")
    id_number = get("id_number") or ""
    if ids.problems(id_number, today, id_type):
        return [Problem(field_name, "证件号码校验不通过，可能是证件损坏或读取有误，请到人工窗口办理。",
                        "The card number does not check out (a damaged card or a misread); please go to a "
                        "staffed counter.")]
    problems = []
    valid_to = get("valid_to")
    if valid_to and valid_to != "长期":
        try:
            if date.fromisoformat(str(valid_to)) < today:
                problems.append(Problem(field_name, "证件已过期，请使用有效证件；如需换证，请到公安机关办理。",
                                        "This card has expired; use a valid card."))
        except ValueError:
            pass
    birth = get("birth")
    try:
        born = date.fromisoformat(str(birth)) if birth else ids.birth_date(id_number)
    except ValueError:
        born = None
    age = ids.age_on(born, today)
    if age is not None and age < law.ADULT_AGE:
        if role == "shareholder":
            problems.append(Problem(field_name, "未满18周岁的股东须由监护人陪同并提交监护关系证明，自助终端无法办理，"
                                                "请到人工窗口办理。已填写的内容不会丢失。",
                                    "A shareholder under 18 needs a guardian and proof of guardianship, which "
                                    "this kiosk cannot take: please go to a staffed counter. Nothing you entered "
                                    "is lost."))
        elif role == "officer":
            problems.append(Problem(field_name, "未满18周岁不能担任法定代表人、董事、监事或高级管理人员，请另选一位成年人。"
                                                "已填写的内容不会丢失。",
                                    "Under 18 you cannot be the legal representative, a director, supervisor or "
                                    "manager: please choose an adult. Nothing you entered is lost."))
        else:
            problems.append(Problem(field_name, "未满18周岁不能担任法定代表人、董事、监事或高级管理人员，也不能在自助终端"
                                                "申请。请由成年人办理，或到人工窗口咨询。",
                                    "Under 18 you cannot be the legal representative, a director, supervisor or "
                                    "manager, nor apply at this kiosk. Please ask an adult to apply, or go to a "
                                    "staffed counter."))
    return problems
