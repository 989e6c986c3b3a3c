"""The five departments a linked item is dispatched to, behind one small interface.

A real integration (the seal shop's system, the tax bureau's, the bank's) implements
:class:`Department`; the reference adapters here simulate each one with its own delay and failure
rate, so the kiosk's progress query and the dispatcher are exercised exactly as in production.
Each item has an action: ``open`` (a new company), ``update`` (a change: the department updates
what it holds), ``close`` (deregistration). Before a deregistration the platform asks every
department what is still open for the company (企业退出"一张表").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from service.contract.labels import LINKED_SERVICES


@dataclass(frozen=True)
class Ticket:
    """The department accepted the item: its own reference and when it will answer."""

    reference: str
    answer_in_s: float
    detail: str


@dataclass(frozen=True)
class Outcome:
    done: bool
    detail: str


@dataclass(frozen=True)
class OpenMatter:
    """Something a company still has open with a department, and who to see about it."""

    service: str
    what: str
    see: str


class Department(Protocol):
    code: str

    def submit(self, application_id: str, uscc: str, action: str, params: dict[str, Any]) -> Ticket: ...

    def finish(self, application_id: str, reference: str, action: str) -> Outcome: ...

    def open_matters(self, uscc: str) -> list[OpenMatter]: ...


# what each department says while working, when done (per action), and how the citizen recovers when it fails
_WORKING = {
    "seal": "刻章企业已接单，正在制作印章。",
    "tax": "税务部门正在办理。",
    "social_insurance": "社保经办机构正在办理。",
    "housing_fund": "公积金中心正在办理。",
    "bank_account": "银行正在办理。",
}
_DONE = {
    ("seal", "open"): "印章已制作完成，请按您选择的方式领取（现场领取或免费寄递）。",
    ("seal", "update"): "新印章已制作完成，请按您选择的方式领取，旧印章请交回刻章企业销毁。",
    ("seal", "close"): "印章已缴销。",
    ("tax", "open"): "发票核定和税务UKey已办结，UKey请按您选择的方式领取。",
    ("tax", "update"): "税务登记信息已同步变更。",
    ("tax", "close"): "已完成清税，税务登记已注销。",
    ("social_insurance", "open"): "社保单位参保登记已完成。",
    ("social_insurance", "update"): "社保登记信息已同步变更。",
    ("social_insurance", "close"): "社保单位登记已注销。",
    ("housing_fund", "open"): "公积金单位缴存登记已完成。",
    ("housing_fund", "update"): "公积金登记信息已同步变更。",
    ("housing_fund", "close"): "公积金单位账户已注销。",
    ("bank_account", "open"): "银行预开户已完成，请法定代表人携带身份证到开户网点激活账户。",
    ("bank_account", "update"): "银行已更新账户信息，请法定代表人到开户网点确认预留信息。",
    ("bank_account", "close"): "银行账户已销户。",
}
_FAILED = {
    "seal": "刻章企业暂时无法接单，请在进度查询中重新提交，或到窗口改选刻章企业。",
    "tax": "税务信息确认未通过，请携带营业执照到办税服务厅办理。",
    "social_insurance": "社保登记信息核验未通过，请到社保窗口补充材料。",
    "housing_fund": "公积金登记未通过，请到公积金窗口办理。",
    "bank_account": "银行业务未完成，请到所选网点柜台办理。",
}
_MATTERS = {
    "tax": ("尚有未申报的税款或未缴销的发票", "请到办税服务厅办理清税"),
    "social_insurance": ("尚有未缴纳的社会保险费", "请到社保窗口结清"),
    "housing_fund": ("尚有未结清的公积金缴存", "请到公积金窗口办理"),
    "bank_account": ("尚有未销户的银行账户", "请到开户银行办理销户"),
    "seal": ("备案印章尚未缴销", "可在注销时一并缴销"),
}


def delivery_note(params: dict[str, Any] | None) -> str:
    """How the seal or the UKey reaches the citizen, as the department's item says it (no address: the
    item's words are shown wherever the application is looked up; the receipt carries the address)."""
    delivery = (params or {}).get("delivery") or {}
    if delivery.get("method") == "mail":
        return "办结后免费寄递至申请人选择的标准地址。"
    if delivery.get("method") == "collect":
        return "办结后短信通知，到政务服务大厅企业开办综合窗口领取。"
    return ""


def _roll(*parts: str) -> float:
    return int(hashlib.sha256(":".join(parts).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


@dataclass
class SimulatedDepartment:
    """A department that answers after ``delay_s`` (times the platform's scale) and fails at ``failure_rate``.

    Outcomes are functions of the application and service, and open matters of the company, so a
    test or a rerun of the demo sees the same every time.
    """

    code: str
    delay_s: float
    failure_rate: float
    owing_rate: float
    scale: float = 1.0

    def submit(self, application_id: str, uscc: str, action: str, params: dict[str, Any]) -> Ticket:
        digest = hashlib.sha256(f"{self.code}:{application_id}".encode()).hexdigest()
        return Ticket(reference=f"{self.code[:3].upper()}-{digest[:10].upper()}",
                      answer_in_s=self.delay_s * self.scale, detail=_WORKING[self.code] + delivery_note(params))

    def finish(self, application_id: str, reference: str, action: str) -> Outcome:
        if action == "open" and _roll("outcome", self.code, application_id) < self.failure_rate:
            return Outcome(False, _FAILED[self.code])
        return Outcome(True, _DONE.get((self.code, action), "已办结。"))

    def open_matters(self, uscc: str) -> list[OpenMatter]:
        if _roll("owing", self.code, uscc) < self.owing_rate:
            what, see = _MATTERS[self.code]
            return [OpenMatter(self.code, what, see)]
        return []


# (answer delay s, failure rate of a new company's item, share of companies with something open)
DEFAULTS = {"seal": (90, 0.03, 0.0), "tax": (240, 0.05, 0.15), "social_insurance": (45, 0.02, 0.05),
            "housing_fund": (150, 0.02, 0.03), "bank_account": (200, 0.04, 0.10)}


def simulated(scale: float = 1.0) -> dict[str, Department]:
    return {code: SimulatedDepartment(code, delay, rate, owing, scale) for code, (delay, rate, owing) in DEFAULTS.items()}


def name_zh(service: str) -> str:
    found = LINKED_SERVICES.get(service)
    return found.name_zh if found else service
