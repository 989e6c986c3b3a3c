"""Open a company (全链式通办 / 分链式选择办) as a state machine.

One thing per page (GOV.UK pattern): each step accepts its answer or returns the problems with it.
``back()`` never loses an answer; ``change(step)`` from the check page returns there after the edit;
a rejected decision sends the citizen straight to the step that holds the faulty field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

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
    OFFICERS = "officers"
    LINKED = "linked"
    CHECK = "check"
    SIGN = "sign"
    SUBMIT = "submit"
    RESULT = "result"


LLC_STEPS: list[Step] = [s for s in Step if s is not Step.LICENCE]
INDIVIDUAL_STEPS: list[Step] = [s for s in LLC_STEPS if s not in (Step.SHAREHOLDERS, Step.OFFICERS)]

# which step holds each application field, for "one tap back to that step" after a rejection
FIELD_STEPS: list[tuple[str, Step]] = [
    ("name", Step.NAME), ("address", Step.ADDRESS), ("business_scope", Step.SCOPE),
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

    # -- the path --------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        return INDIVIDUAL_STEPS if self.draft.entity_type == "individual_business" else LLC_STEPS

    def _advance(self, step: Step) -> list[Problem]:
        self.done.add(step)
        self.problems = []
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
        if self.draft.entity_type and self.draft.entity_type != entity_type:
            self.done -= {Step.SHAREHOLDERS, Step.OFFICERS}
        self.draft.entity_type = entity_type
        return self._advance(Step.ENTITY_TYPE)

    def card_read(self, card: Any) -> list[Problem]:
        """The applicant's card: valid, not expired, adult."""
        problems = card_problems(card, self.today, "applicant_card")
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
            return self._refuse([Problem("name.trade_name", msg, "This name cannot be registered; choose another.")])
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

    def add_shareholder(self, card: Any, subscribed_cny: int, deadline: date,
                        method: str = "currency") -> list[Problem]:
        """Each shareholder reads their own card; the same card twice replaces the earlier entry."""
        problems = card_problems(card, self.today, "shareholders", role="shareholder")
        limit = law.contribution_limit(self.today)
        if subscribed_cny <= 0:
            problems.append(Problem("shareholders.subscribed_cny", "认缴出资额须大于0。",
                                    "The subscription must be positive."))
        if deadline > limit:
            problems.append(Problem("shareholders.contribution_deadline",
                                    f"认缴出资期限不得晚于{limit:%Y年%m月%d日}（五年内缴足）。",
                                    f"The contribution deadline may not be later than {limit:%Y-%m-%d}."))
        if problems:
            return self._refuse(problems)
        person = person_of(card)
        self.draft.shareholders = [s for s in self.draft.shareholders if s["id_number"] != person["id_number"]]
        self.draft.shareholders.append({**person, "subscribed_cny": subscribed_cny,
                                        "contribution_deadline": deadline.isoformat(),
                                        "contribution_method": method})
        self._cards[person["id_number"]] = card
        self.problems = []
        return []

    def remove_shareholder(self, id_number: str) -> None:
        self.draft.shareholders = [s for s in self.draft.shareholders if s["id_number"] != id_number]

    def shareholders_done(self) -> list[Problem]:
        n = len(self.draft.shareholders)
        if not 1 <= n <= 50:
            return self._refuse([Problem("shareholders", "有限责任公司须有1至50名股东。",
                                         "A limited company needs 1 to 50 shareholders.")])
        total = sum(s["subscribed_cny"] for s in self.draft.shareholders)
        if total != self.draft.capital_cny:
            return self._refuse([Problem("shareholders", f"股东认缴合计{total}元，与注册资本{self.draft.capital_cny}元不一致。",
                                         f"Subscriptions add up to {total}, not the capital {self.draft.capital_cny}.")])
        return self._advance(Step.SHAREHOLDERS)

    @property
    def people(self) -> dict[str, dict[str, Any]]:
        """Everyone whose card was read in this journey, by ID number (to choose officers from)."""
        out = {}
        if self.draft.applicant_card is not None:
            p = person_of(self.draft.applicant_card)
            out[p["id_number"]] = p
        for s in self.draft.shareholders:
            out[s["id_number"]] = {k: s[k] for k in ("name", "id_type", "id_number", "address")}
        for card in self._cards.values():
            p = person_of(card)
            out.setdefault(p["id_number"], p)
        return out

    def person_read(self, card: Any) -> list[Problem]:
        """An officer who is not a shareholder reads their own card."""
        problems = card_problems(card, self.today, "officers")
        if problems:
            return self._refuse(problems)
        self._cards[person_of(card)["id_number"]] = card
        self.problems = []
        return []

    def set_officers(self, legal_rep: str, directors: list[str], supervisor: str | None,
                     finance_officer: str | None = None, managers: list[str] | None = None) -> list[Problem]:
        """Officers by ID number, chosen from the people read in this visit."""
        people = self.people
        chosen = [legal_rep, *directors, *(managers or []), *(x for x in (supervisor, finance_officer) if x)]
        if not legal_rep:
            return self._refuse([Problem("officers.legal_representative", "请指定法定代表人。",
                                         "Choose the legal representative.")])
        unknown = [x for x in chosen if x not in people]
        if unknown:
            return self._refuse([Problem("officers", "请先让该人员在读卡器上刷身份证。",
                                         "That person must read their ID card first.")])
        if supervisor and (supervisor in directors or supervisor in (managers or []) or supervisor == legal_rep):
            return self._refuse([Problem("officers.supervisor", "监事不得由董事、经理或法定代表人兼任。",
                                         "The supervisor may not also be a director, manager or legal representative.")])
        self.draft.officers = {
            "legal_representative": people[legal_rep],
            "directors": [people[d] for d in directors],
            "managers": [people[m] for m in (managers or [])],
        }
        if supervisor:
            self.draft.officers["supervisor"] = people[supervisor]
        if finance_officer:
            self.draft.officers["finance_officer"] = people[finance_officer]
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
            out[s["id_number"]] = {"name": s["name"], "id_number": s["id_number"]}
        rep = self.draft.officers.get("legal_representative")
        if rep:
            out.setdefault(rep["id_number"], {"name": rep["name"], "id_number": rep["id_number"]})
        if not out and self.draft.applicant_card is not None:
            p = person_of(self.draft.applicant_card)
            out[p["id_number"]] = {"name": p["name"], "id_number": p["id_number"]}
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
            officers = {"legal_representative": {k: v for k, v in applicant.items() if k != "phone"}}
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
            f = reason.get("field") or ""
            for prefix, step in FIELD_STEPS:
                if f.startswith(prefix) and step in self.steps:
                    return step
        return Step.CHECK

    def correct(self) -> Step:
        """Go and fix a rejected application: the same application id is NOT reused (a new submission)."""
        step = self.fix_step() or Step.CHECK
        self.draft.application_id = str(uuid.uuid4())
        self.draft.acceptance_no = None  # a new submission: the platform numbers it (the kiosk is online now)
        self.draft.signatures.clear()  # the signed content changes: sign again
        self.done -= {Step.SIGN, Step.SUBMIT}
        self.decision = None
        self.change(step)
        return step


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
        else:
            problems.append(Problem(field_name, "未满18周岁不能担任法定代表人、董事、监事或高级管理人员，也不能在自助终端"
                                                "申请。请由成年人办理，或到人工窗口咨询。",
                                    "Under 18 you cannot be the legal representative, a director, supervisor or "
                                    "manager, nor apply at this kiosk. Please ask an adult to apply, or go to a "
                                    "staffed counter."))
    return problems
