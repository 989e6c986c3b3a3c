"""The five departments a linked item is dispatched to, behind one small interface.

A real integration (the seal shop's system, the tax bureau's, the bank's) implements
:class:`Department`; the reference adapters here simulate each one with its own delay and failure
rate, so the kiosk's progress query and the dispatcher are exercised exactly as in production.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from kiosk.documents.labels import LINKED_SERVICES


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


class Department(Protocol):
    code: str

    def submit(self, application_id: str, uscc: str, params: dict[str, Any]) -> Ticket: ...

    def finish(self, application_id: str, reference: str) -> Outcome: ...


# what each department says, and how the citizen recovers when it fails
_TEXTS = {
    "seal": ("刻章企业已接单，正在制作印章。", "印章已制作完成，请凭营业执照到刻章企业领取（可选择邮寄）。",
             "刻章企业暂时无法接单，请在进度查询中重新提交，或到窗口改选刻章企业。"),
    "tax": ("税务部门正在办理发票核定和税控UKey发放。", "发票核定和税务UKey已办结，UKey将随执照邮寄或到窗口领取。",
            "税务信息确认未通过，请携带营业执照到办税服务厅办理。"),
    "social_insurance": ("社保经办机构正在办理单位参保登记。", "社保单位参保登记已完成。",
                         "社保登记信息核验未通过，请到社保窗口补充材料。"),
    "housing_fund": ("公积金中心正在办理单位缴存登记。", "公积金单位缴存登记已完成。",
                     "公积金缴存登记未通过，请到公积金窗口办理。"),
    "bank_account": ("银行正在办理预开户。", "银行预开户已完成，请法定代表人携带身份证到开户网点激活账户。",
                     "银行预开户未完成，请到所选网点柜台办理。"),
}
_EXPECTED = {"seal": timedelta(hours=8), "tax": timedelta(days=1), "social_insurance": timedelta(hours=8),
             "housing_fund": timedelta(days=1), "bank_account": timedelta(days=1)}


def expected_duration(service: str) -> timedelta:
    """The committed time to completion printed on the receipt (当日 / 1个工作日)."""
    return _EXPECTED.get(service, timedelta(days=1))


@dataclass
class SimulatedDepartment:
    """A department that answers after ``delay_s`` (times the platform's scale) and fails at ``failure_rate``.

    Whether an item fails is a function of its application and service, so a test or a rerun of
    the demo sees the same outcome every time.
    """

    code: str
    delay_s: float
    failure_rate: float
    scale: float = 1.0

    def submit(self, application_id: str, uscc: str, params: dict[str, Any]) -> Ticket:
        digest = hashlib.sha256(f"{self.code}:{application_id}".encode()).hexdigest()
        return Ticket(reference=f"{self.code[:3].upper()}-{digest[:10].upper()}",
                      answer_in_s=self.delay_s * self.scale, detail=_TEXTS[self.code][0])

    def finish(self, application_id: str, reference: str) -> Outcome:
        roll = int(hashlib.sha256(f"outcome:{self.code}:{application_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        if roll < self.failure_rate:
            return Outcome(False, _TEXTS[self.code][2])
        return Outcome(True, _TEXTS[self.code][1])


DEFAULTS = {"seal": (90, 0.03), "tax": (240, 0.05), "social_insurance": (45, 0.02),
            "housing_fund": (150, 0.02), "bank_account": (200, 0.04)}


def simulated(scale: float = 1.0) -> dict[str, Department]:
    return {code: SimulatedDepartment(code, delay, rate, scale) for code, (delay, rate) in DEFAULTS.items()}


def name_zh(service: str) -> str:
    found = LINKED_SERVICES.get(service)
    return found.name_zh if found else service
