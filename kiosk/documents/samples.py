"""A complete, schema-valid sample application, decision and kiosk, for `yzt receipt sample`,
benchmarks and tests (fictitious people: their ID numbers are valid in form only)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from service.contract import acceptance

SAMPLE_APPLICATION_ID = "5f0c9a4e-7b1d-4c52-9e3a-2d8f6b1a0c77"
SAMPLE_ACCEPTANCE_NO = acceptance.make(date(2026, 3, 18), 1, 41, b"sample kiosk key".ljust(32, b"."))
SAMPLE_USCC = "91441702MA5XK8Q3RY"

_APPLICATION: dict[str, Any] = {
    "application_id": SAMPLE_APPLICATION_ID,
    "acceptance_no": SAMPLE_ACCEPTANCE_NO,
    "kiosk_id": "YZT-DEV-0001",
    "entity_type": "llc",
    "mode": "full_chain",
    "submitted_at": "2026-03-18T09:41:07+08:00",
    "name": {"region": "阳江市", "trade_name": "星河", "industry": "科技", "form": "有限公司",
             "full": "阳江市星河科技有限公司"},
    "address": {"code": "441702-001-0032-0601", "text": "阳江市江城区东风三路32号601房"},
    "business_scope": [
        {"code": "I6513", "text": "软件开发"},
        {"code": "I6531", "text": "信息技术咨询服务"},
        {"code": "I6550", "text": "信息系统集成服务"},
        {"code": "F5179", "text": "电子产品销售"},
        {"code": "L7251", "text": "会议及展览服务"},
        {"code": None, "text": "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广"},
    ],
    "registered_capital_cny": 1_000_000,
    "shareholders": [
        {"name": "陈思远", "id_number": "441702198806161234", "subscribed_cny": 600_000,
         "contribution_deadline": "2030-12-31", "contribution_method": "currency"},
        {"name": "林晓雯", "id_number": "441702199003024564", "subscribed_cny": 400_000,
         "contribution_deadline": "2030-12-31", "contribution_method": "currency"},
    ],
    "officers": {
        "legal_representative": {"name": "陈思远", "id_number": "441702198806161234", "phone": "13800138000"},
        "directors": [{"name": "陈思远", "id_number": "441702198806161234"}],
        "managers": [{"name": "陈思远", "id_number": "441702198806161234"}],
        "supervisor": {"name": "林晓雯", "id_number": "441702199003024564"},
        "finance_officer": {"name": "黄家明", "id_number": "441702198511090782"},
    },
    "applicant": {
        "person": {"name": "陈思远", "id_number": "441702198806161234", "phone": "13800138000"},
        "verification": {"card_read": True, "card_valid_to": "2036-06-16", "liveness_passed": True,
                         "face_match_score": 0.93, "face_match_threshold": 0.8, "phone_verified": True,
                         "verified_at": "2026-03-18T09:32:55+08:00"},
    },
    "linked_services": {
        "seal": {"shop": "阳江市江城区诚信刻章店", "kinds": ["公章", "财务专用章", "发票专用章"]},
        "tax": {"invoice_kinds": ["增值税普通发票"], "ukey": True},
        "social_insurance": {"employees": []},
        "housing_fund": {"deposit_ratio_percent": 5},
        "bank_account": {"bank": "中国工商银行", "branch": "中国工商银行阳江分行营业部"},
    },
    "signatures": [
        {"id_number": "441702198806161234", "signed_at": "2026-03-18T09:40:31+08:00"},
        {"id_number": "441702199003024564", "signed_at": "2026-03-18T09:40:52+08:00"},
    ],
}

_DECISION: dict[str, Any] = {
    "application_id": SAMPLE_APPLICATION_ID,
    "acceptance_no": SAMPLE_ACCEPTANCE_NO,
    "decision": "approved",
    "reasons": [{"code": "SCOPE_POST_PERMIT", "severity": "notice", "field": "business_scope[4]",
                 "message": "会议及展览服务：登记后需向相关部门申请许可，取得许可后方可开展经营活动。"}],
    "uscc": SAMPLE_USCC,
    "e_license": "",
}

_ITEMS: list[dict[str, Any]] = [
    {"service": "seal", "status": "in_progress", "updated_at": "2026-03-18T09:41:10+08:00",
     "detail": "刻章店已接单，请当日下午凭本回执领取"},
    {"service": "tax", "status": "pending", "updated_at": "2026-03-18T09:41:10+08:00", "detail": ""},
    {"service": "social_insurance", "status": "done", "updated_at": "2026-03-18T09:41:12+08:00",
     "detail": "单位社保登记已完成"},
    {"service": "housing_fund", "status": "pending", "updated_at": "2026-03-18T09:41:10+08:00", "detail": ""},
    {"service": "bank_account", "status": "in_progress", "updated_at": "2026-03-18T09:41:11+08:00",
     "detail": "已预约，请携带营业执照到中国工商银行阳江分行营业部激活账户"},
]

SAMPLE_KIOSK: dict[str, Any] = {"id": "YZT-DEV-0001", "site": "阳江市政务服务中心",
                                "platform_public_url": "https://yzt.yangjiang.gov.cn"}


def sample_application() -> dict[str, Any]:
    return copy.deepcopy(_APPLICATION)


def sample_decision(e_license: str = "") -> dict[str, Any]:
    decision = copy.deepcopy(_DECISION)
    decision["e_license"] = e_license
    return decision


def sample_items() -> list[dict[str, Any]]:
    return copy.deepcopy(_ITEMS)


def sample_kiosk() -> dict[str, Any]:
    return dict(SAMPLE_KIOSK)
