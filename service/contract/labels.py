"""Codes and their labels, each table in one place: the linked services (with the departments'
promised times), item states, decisions, modes, entity kinds and application kinds.

Screens, receipts, the progress page and the platform's ``expected_by`` all read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkedService:
    code: str
    name_zh: str
    name_en: str
    working_days: int  # the department's promise: done by the end of the Nth working day (0 = the same day)

    @property
    def expected_zh(self) -> str:
        return "当日办结" if self.working_days == 0 else f"{self.working_days}个工作日内办结"

    @property
    def expected_en(self) -> str:
        if self.working_days == 0:
            return "the same working day"
        return f"within {self.working_days} working day" + ("s" if self.working_days > 1 else "")


# The five linked items of 企业开办"一件事", in the order they are printed, with the promised times
# (see README "Legal facts": the Guangdong 企业开办 commitments).
LINKED_SERVICES: dict[str, LinkedService] = {s.code: s for s in (
    LinkedService("seal", "公章刻制", "Company seal", 0),
    LinkedService("tax", "申领发票和税务UKey", "Invoices and tax UKey", 1),
    LinkedService("social_insurance", "社保登记", "Social insurance registration", 0),
    LinkedService("housing_fund", "公积金缴存登记", "Housing provident fund registration", 1),
    LinkedService("bank_account", "银行预开户", "Bank pre-opened account", 1),
)}
SERVICES: tuple[str, ...] = tuple(LINKED_SERVICES)

LICENCE_EXPECTED_ZH = "即时办结"  # 秒批秒取: the licence is printed at the kiosk

ITEM_STATUSES = ("pending", "in_progress", "done", "failed")
ITEM_STATUS_ZH = {"pending": "待办理", "in_progress": "办理中", "done": "已办结", "failed": "办理失败"}
ITEM_STATUS_EN = {"pending": "waiting", "in_progress": "in progress", "done": "done", "failed": "failed"}

DECISIONS = ("approved", "manual_review", "rejected")
DECISION_ZH = {
    "approved": "审批通过",
    "manual_review": "转人工审核",
    "rejected": "未通过，请更正后重新提交",
    "queued": "已受理，网络恢复后自动提交",
}

SEVERITIES = ("error", "review", "notice")
SEVERITY_ZH = {"error": "需更正", "review": "人工审核", "notice": "提示"}

MODES = ("full_chain", "partial_chain", "single_item")
MODE_ZH = {"full_chain": "全链式通办", "partial_chain": "分链式选择办", "single_item": "单链式单独办"}

ENTITY_TYPES = ("llc", "individual_business")
ENTITY_ZH = {"llc": "有限责任公司", "individual_business": "个体工商户"}

KINDS = ("establishment", "change", "deregistration", "suspension")
KIND_ZH = {"establishment": "设立登记", "change": "变更登记", "deregistration": "注销登记", "suspension": "歇业备案"}


def linked_name(code: str) -> str:
    """The Chinese name of a linked service; an unknown code is printed as it is."""
    service = LINKED_SERVICES.get(code)
    return service.name_zh if service else code


def expected_time(code: str, lang: str = "zh") -> str:
    """The department's promise for a linked item, as every screen and receipt says it."""
    service = LINKED_SERVICES.get(code)
    if service is None:
        return "以部门通知为准" if lang == "zh" else "as the department tells you"
    return service.expected_zh if lang == "zh" else service.expected_en
