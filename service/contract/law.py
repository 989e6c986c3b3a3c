"""The legal facts the approval rules rely on, each once, with where it comes from.

Sources (texts as published in the national law database; README "Legal facts" quotes them):
CL   《中华人民共和国公司法》 (revised 2023-12-29, in force 2024-07-01)
REG  《中华人民共和国市场主体登记管理条例》 (国务院令第746号, in force 2022-03-01)
RULES《市场主体登记管理条例实施细则》 (市场监管总局令第52号, in force 2022-03-01)
NAME 《企业名称登记管理规定》 (国务院令第734号, in force 2021-03-01)
IB   《促进个体工商户发展条例》 (国务院令第755号, in force 2022-11-01)
CIV  《中华人民共和国民法典》
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

# -- people ---------------------------------------------------------------------------------------------
ADULT_AGE = 18  # CIV art. 17: 十八周岁以上的自然人为成年人
# CL art. 178(1): no director, supervisor or senior manager without full civil capacity (a minor);
# REG art. 12: likewise the legal representative. A minor may hold shares through a guardian (CIV arts.
# 17-23); the kiosk cannot take a guardian's consent, so such a visit goes to a staffed counter.
# CL art. 178(5): nobody listed as a dishonest judgement debtor (失信被执行人) may be a director,
# supervisor or senior manager; the registry refuses them as legal representative and shareholder too.
# CL art. 265(1): senior managers are the manager, deputy managers, the finance officer.
SENIOR_MANAGER_ROLES = ("managers", "finance_officer")
# CL art. 76 para. 4: 董事、高级管理人员不得兼任监事.
# CL art. 10: the legal representative is the director who executes the company's affairs, or the manager.
# CL art. 75: a small LLC may have one director (董事) instead of a board; 执行董事 is gone from the 2023 law.
# CL art. 68: a board has at least three members.
BOARD_MIN = 3
# CL art. 83: a small LLC may have one supervisor, or none with all shareholders' consent;
# CL art. 76: a board of supervisors has at least three members.
SUPERVISORY_BOARD_MIN = 3
# CL art. 42: an LLC has one to fifty shareholders.
LLC_SHAREHOLDERS = (1, 50)
# IB arts. 2, 37: an individual business is registered by a citizen, a Hong Kong or Macao permanent
# resident who is a Chinese citizen, or a Taiwan resident — not by a foreigner.
INDIVIDUAL_BUSINESS_ID_TYPES = ("resident_id", "gat_residence_permit")


def individual_business_refusal(id_type: str) -> tuple[str, str] | None:
    """Why a holder of this card cannot register an individual business (IB arts. 2, 37), in Chinese
    and English, with where to go instead; None when they can. The kiosk's card step and the
    platform's INVESTOR_NOT_ELIGIBLE say these words."""
    if id_type in INDIVIDUAL_BUSINESS_ID_TYPES:
        return None
    return ("外国人不能登记个体工商户。您可以申请设立有限责任公司，或到人工窗口咨询。",
            "A foreign national cannot register an individual business. You can open a limited company "
            "instead, or ask at a staffed counter.")

# -- capital --------------------------------------------------------------------------------------------
CONTRIBUTION_YEARS = 5  # CL art. 47: 自公司成立之日起五年内缴足
# CL art. 48: 股东可以用货币出资，也可以用实物、知识产权、土地使用权、股权、债权等可以用货币估价并可以依法转让的
# 非货币财产作价出资……对作为出资的非货币财产应当评估作价. CL art. 49: a contribution in money is paid into the
# company's bank account; one in kind needs the property's title transferred. The wire model's methods:
CONTRIBUTION_METHODS = ("currency", "in_kind", "ip", "land_use_right", "equity")
CONTRIBUTION_METHOD_ZH = {"currency": "货币", "in_kind": "实物", "ip": "知识产权", "land_use_right": "土地使用权",
                          "equity": "股权"}


def contribution_limit(established: date) -> date:
    """The last day an LLC's subscribed capital may be paid (CL art. 47)."""
    return years_after(established, CONTRIBUTION_YEARS)


def contribution_too_late(name: str, deadline: date, established: date, name_en: str = "") -> tuple[str, str] | None:
    """CONTRIBUTION_TOO_LATE in Chinese and English when ``deadline`` is past the five years, else None
    (the kiosk's contributions step and the platform say these words)."""
    limit = contribution_limit(established)
    if deadline <= limit:
        return None
    return (f"股东{name}的认缴出资期限应不晚于{limit:%Y年%m月%d日}（自成立之日起五年内缴足）。",
            f"{name_en or name}'s contribution must be paid by {limit:%Y-%m-%d} at the latest (in full within "
            f"five years of the company's establishment).")


# CL art. 224: a reduction is resolved, creditors notified within 10 days and an announcement made within
# 30; creditors may claim within 30 days of notice or 45 of the announcement. RULES art. 36: the change is
# registered after a 45-day announcement on the national enterprise credit information publicity system.
CAPITAL_REDUCTION_ANNOUNCE_DAYS = 45

# -- names ----------------------------------------------------------------------------------------------
TRADE_NAME_MIN_CHARS = 2  # NAME art. 8: 字号应当由两个以上汉字组成
# NAME art. 8: 县级以上地方行政区划名称、行业或者经营特点不得作为字号，另有含义的除外.
_HAN = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf]+$")


def trade_name_problem(trade: str) -> str | None:
    """Why these characters cannot be a trade name (NAME art. 8: 规范汉字 only), or None."""
    trade = unicodedata.normalize("NFKC", trade or "")
    if trade and not _HAN.match(trade):
        return "字号只能使用规范汉字，不能含有字母、数字、符号或空格。"
    return None


# NAME art. 17: a trade name may not equal, in the same industry at the same registry, one registered,
# or one deregistered or changed less than a year ago (except with an investment relation).
NAME_PROTECTED_AFTER_CANCEL_DAYS = 365

# REG art. 19, RULES art. 18: what cannot be registered on the spot is registered within 3 working days;
# a complex case may be extended by 3 more working days, with written notice to the applicant.
REVIEW_WORKING_DAYS = 3
REVIEW_EXTENSION_WORKING_DAYS = 3

# -- the company's life -----------------------------------------------------------------------------------
CHANGE_FILING_DAYS = 30  # REG art. 24: a change is registered within 30 days of the resolution
SUSPENSION_MAX_YEARS = 3  # REG art. 30: 歇业的期限最长不得超过3年 (accumulated)
RESUMPTION_PUBLICITY_DAYS = 30  # RULES art. 42: trading again is published within 30 days
SIMPLE_DEREG_ANNOUNCE_DAYS = 20  # CL art. 240, REG art. 33: 公示期为20日 (individual businesses: none)
LIQUIDATION_ANNOUNCE_DAYS = 45  # CL art. 235: creditors claim within 45 days of the announcement
# REG art. 33 para. 3: an individual business's simplified deregistration is not announced; the registrar pushes
# it to tax and the other departments, and deregisters it when none objects within 10 days.
INDIVIDUAL_DEREG_OBJECTION_DAYS = 10
# RULES art. 46: an individual business files neither a dissolution resolution nor a liquidation report, so its
# ordinary deregistration has no liquidation announcement either.
# REG art. 30: the causes of a suspension (歇业) the law names, "等" leaving room for others (law_sources.md 2(b)).
SUSPENSION_CAUSES = ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")
SUSPENSION_EXTENSION_WINDOW_DAYS = 30  # RULES art. 41: 延长歇业期限，应当于期限届满前30日内按规定办理


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29th), at most the calendar's last day."""
    if day.year + years > date.max.year:
        return date.max
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year + years, day=28)
    return day.replace(year=day.year + years)


def days_after(day: date, days: int) -> date:
    """``days`` later (or earlier), kept inside the calendar: a document dated at its edge never breaks a rule."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


# -- what the licence says the company is (市场主体类型) -------------------------------------------------
# As printed on licences issued since the Foreign Investment Law (2020); the codes of the legacy SAMR
# table are given where one exists (README "Legal facts", type strings).
LLC_TYPES = {
    ("one", "domestic"): "有限责任公司（自然人独资）",  # 1151
    ("many", "domestic"): "有限责任公司（自然人投资或控股）",  # 1130
    ("one", "foreign"): "有限责任公司（外国自然人独资）",  # 5140
    ("one", "gat"): "有限责任公司（港澳台自然人独资）",  # 6140
    ("many", "foreign"): "有限责任公司（外商投资、非独资）",
    ("many", "gat"): "有限责任公司（港澳台投资、非独资）",
}
INVESTOR_ORIGIN = {"resident_id": "domestic", "foreign_permanent_resident_id": "foreign",
                   "gat_residence_permit": "gat"}


def entity_type_label(entity_type: str, investor_id_types: list[str]) -> str:
    """The licence's 类型 line for an LLC whose natural-person investors hold these cards."""
    if entity_type != "llc":
        return "个体工商户"
    origins = {INVESTOR_ORIGIN.get(t, "domestic") for t in investor_id_types} or {"domestic"}
    origin = "foreign" if "foreign" in origins else "gat" if "gat" in origins else "domestic"
    return LLC_TYPES[("one" if len(investor_id_types) <= 1 else "many", origin)]


# -- who signs (CL art. 46: 股东应当在公司章程上签名或者盖章; RULES: the application is signed by the
# legal representative) ------------------------------------------------------------------------------------
# A change that amends the articles (name, address, scope, capital, shareholders) needs a shareholders'
# resolution (CL art. 66: two thirds of the votes); the kiosk has every shareholder sign it. A change of
# officers only, and a suspension, are signed by the legal representative. Simplified deregistration rests
# on all investors' written commitment (CL art. 240): every shareholder signs.
ARTICLES_CHANGES = ("name", "address", "business_scope", "registered_capital_cny", "shareholders")
# CL art. 35: 公司变更法定代表人的，变更登记申请书由变更后的法定代表人签署 — the new legal representative signs too.
