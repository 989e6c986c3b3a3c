"""The Chinese (and English) names printed on receipts and licences, each table in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkedService:
    code: str
    name_zh: str
    name_en: str
    expected_zh: str  # the committed time to completion, as printed for the citizen
    expected_en: str


# The five linked items of 企业开办"一件事", in the order they are printed, with the committed times.
LINKED_SERVICES: dict[str, LinkedService] = {s.code: s for s in (
    LinkedService("seal", "公章刻制", "Company seal", "当日", "same day"),
    LinkedService("tax", "申领发票和税务UKey", "Invoices and tax UKey", "1个工作日", "1 working day"),
    LinkedService("social_insurance", "社保登记", "Social insurance registration", "当日", "same day"),
    LinkedService("housing_fund", "公积金缴存登记", "Housing provident fund registration", "1个工作日",
                  "1 working day"),
    LinkedService("bank_account", "银行预开户", "Bank pre-opened account", "1个工作日", "1 working day"),
)}
LINKED_ORDER: tuple[str, ...] = tuple(LINKED_SERVICES)

LICENCE_EXPECTED_ZH = "即时办结"  # 秒批秒取: the licence is printed at the kiosk

ITEM_STATUS_ZH = {"pending": "待办理", "in_progress": "办理中", "done": "已办结", "failed": "办理失败"}

DECISION_ZH = {
    "approved": "审批通过",
    "manual_review": "转人工审核",
    "rejected": "未通过，请更正后重新提交",
    "queued": "已受理，网络恢复后自动提交",
}

SEVERITY_ZH = {"error": "需更正", "review": "人工审核", "notice": "提示"}

MODE_ZH = {"full_chain": "全链式通办", "partial_chain": "分链式选择办", "single_item": "单链式单独办"}

ENTITY_ZH = {"llc": "有限责任公司", "individual_business": "个体工商户"}


def linked_name(code: str) -> str:
    """The Chinese name of a linked service; an unknown code is printed as it is."""
    service = LINKED_SERVICES.get(code)
    return service.name_zh if service else code


def expected_time(code: str) -> str:
    service = LINKED_SERVICES.get(code)
    return service.expected_zh if service else "以部门通知为准"
