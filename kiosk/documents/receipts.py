"""The four receipts a citizen takes away, composed as blocks from plain dicts.

Inputs are the application document (application.schema.json), the platform's decision
(CONTRACT.md) and the progress items ``{"service", "status", "updated_at", "detail"}``; ``kiosk`` is
``{"id", "site", "platform_public_url"}``. Names and ID numbers are masked through
:mod:`service.contract.privacy` — a receipt left on the counter must not give them away. Every receipt
carries the acceptance number (受理编号) and a QR code for the public progress page of that number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from devices.printers.blocks import QR, Block, Cut, Feed, KeyValue, Receipt, Rule, Text, Title
from service.contract import acceptance
from service.contract.labels import (DECISION_ZH, ENTITY_ZH, ITEM_STATUS_ZH, KIND_ZH, LICENCE_EXPECTED_ZH, MODE_ZH,
                                    SERVICES, SEVERITY_ZH, expected_time, linked_name)
from service.contract.privacy import mask_address, mask_id, mask_name

DEFAULT_PUBLIC_URL = "https://yzt.example.gov.cn"
HEADER = "银政通·企业开办一件事"


class ReceiptInputError(ValueError):
    """The documents given cannot make a receipt (a programming or data error, told in both languages)."""

    def __init__(self, message_en: str, message_zh: str = "回执信息不完整，无法打印，请联系工作人员。") -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


def progress_url(acceptance_no: str, kiosk: dict[str, Any] | None = None) -> str:
    """``<platform_public_url>/p/<acceptance_no>``: what the receipt's QR code opens (and what
    :func:`devices.qr.payload.parse` reads back as a progress code)."""
    base = str((kiosk or {}).get("platform_public_url") or DEFAULT_PUBLIC_URL)
    return acceptance.progress_link(base, acceptance_no)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).astimezone()


def _when(value: str | datetime | None) -> str:
    """An ISO time as the kiosk's local ``YYYY-MM-DD HH:MM``; what cannot be read is printed as given."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _application_id(application: dict[str, Any] | None, decision: dict[str, Any] | None) -> str:
    app_id = (application or {}).get("application_id") or (decision or {}).get("application_id") or \
        (decision or {}).get("acceptance_no")  # a public progress answer knows only its number
    if not app_id:
        raise ReceiptInputError("neither the application nor the decision has an application_id")
    return str(app_id)


def _number(application: dict[str, Any] | None, decision: dict[str, Any] | None) -> str:
    """The acceptance number a person reads: the platform's when decided, else the kiosk's own."""
    number = (decision or {}).get("acceptance_no") or (application or {}).get("acceptance_no")
    if not number or not acceptance.is_valid(str(number)):
        raise ReceiptInputError("neither the application nor the decision has an acceptance number")
    return str(number)


def _header(title: str, number: str, kiosk: dict[str, Any] | None, now: datetime) -> list[Block]:
    kiosk = kiosk or {}
    return [
        Text(HEADER, align="center"),
        Title(title),
        Rule("="),
        KeyValue("受理编号", acceptance.grouped(number), bold=True),
        KeyValue("打印时间", now.strftime("%Y-%m-%d %H:%M:%S")),
        KeyValue("自助终端", str(kiosk.get("id") or "")),
        KeyValue("办理地点", str(kiosk.get("site") or "")),
    ]


def _parties(application: dict[str, Any] | None) -> list[Block]:
    if not application:
        return []
    out: list[Block] = []
    name = (application.get("name") or {}).get("full") or \
        ((application.get("changes") or {}).get("name") or {}).get("full") or application.get("company_name")
    if name:
        out.append(KeyValue("企业名称", str(name)))
    if application.get("kind", "establishment") != "establishment":
        out.append(KeyValue("办理事项", KIND_ZH.get(application["kind"], str(application["kind"]))))
    if application.get("uscc") and application.get("kind", "establishment") != "establishment":
        out.append(KeyValue("统一社会信用代码", str(application["uscc"])))
    if application.get("entity_type") in ENTITY_ZH:
        out.append(KeyValue("主体类型", ENTITY_ZH[application["entity_type"]]))
        if application.get("kind", "establishment") == "establishment" and application.get("shareholders"):
            from kiosk.documents.licence import licence_type

            out.append(KeyValue("类型", licence_type(application)))
    if application.get("mode") in MODE_ZH:
        out.append(KeyValue("办理方式", MODE_ZH[application["mode"]]))
    person = (application.get("applicant") or {}).get("person") or {}
    if person.get("name"):
        out.append(KeyValue("申请人", mask_name(person["name"])))
    if person.get("id_number"):
        out.append(KeyValue("证件号码", mask_id(person["id_number"])))
    if application.get("submitted_at"):
        out.append(KeyValue("提交时间", _when(application["submitted_at"])))
    return out + _contributions(application)


def _contributions(application: dict[str, Any]) -> list[Block]:
    """Each shareholder's subscription as the articles record it (CL art. 46(5)): amount, method, date."""
    from service.contract.law import CONTRIBUTION_METHOD_ZH

    holders = [s for s in application.get("shareholders") or [] if s.get("contribution_deadline")]
    if application.get("kind", "establishment") != "establishment" or not holders:
        return []
    out: list[Block] = [Text("股东认缴出资", bold=True)]
    for s in holders:
        amount = int(s.get("subscribed_cny") or 0)
        money = f"{amount // 10_000}万元" if amount % 10_000 == 0 else f"{amount}元"
        method = CONTRIBUTION_METHOD_ZH.get(str(s.get("contribution_method") or "currency"), "货币")
        out.append(KeyValue(mask_name(str(s.get("name") or "")), f"{money} {method} {s['contribution_deadline']}前"))
    return out


def _said_uscc(application: dict[str, Any] | None) -> bool:
    """A lifecycle receipt names the company's code with the company (:func:`_parties`): once is enough."""
    return bool((application or {}).get("uscc")) and (application or {}).get("kind", "establishment") != "establishment"


# what a department does for a change (update) or a deregistration (close)
ACTION_ZH = {("seal", "update"): "刻制新印章", ("tax", "update"): "税务登记信息变更",
             ("social_insurance", "update"): "社保登记信息变更", ("housing_fund", "update"): "公积金登记信息变更",
             ("bank_account", "update"): "银行账户信息变更", ("seal", "close"): "印章缴销", ("tax", "close"): "税务注销（清税）",
             ("social_insurance", "close"): "社保单位登记注销", ("housing_fund", "close"): "公积金单位账户注销",
             ("bank_account", "close"): "银行账户销户"}


def _chosen_services(application: dict[str, Any] | None, items: Iterable[dict[str, Any]] | None) -> list[str]:
    chosen = set((application or {}).get("linked_services") or {})
    chosen |= {str(i.get("service")) for i in items or [] if i.get("service")}
    ordered = [code for code in SERVICES if code in chosen]
    return ordered + sorted(chosen - set(ordered))


PROCEDURE_ZH = {"simplified": "简易注销", "ordinary": "普通注销"}
CHANGE_ITEM_ZH = {"name": "名称", "address": "住所", "business_scope": "经营范围", "registered_capital_cny": "注册资本",
                  "shareholders": "股东及出资", "officers": "董事、监事、高级管理人员及法定代表人"}


def _day(value: Any) -> str:
    return str(value)[:10] if value else ""


def _lifecycle_blocks(application: dict[str, Any] | None, decision: dict[str, Any] | None) -> list[Block]:
    """What a change, deregistration or suspension receipt must say beyond the establishment's: what changes;
    the announcement until and the day it takes effect; the suspension's period and the address for documents."""
    app, dec = application or {}, decision or {}
    kind = app.get("kind") or dec.get("kind") or "establishment"
    verdict = dec.get("decision")
    out: list[Block] = []
    if kind == "change":
        what = [CHANGE_ITEM_ZH.get(k, k) for k in (app.get("changes") or {})]
        if what:
            out.append(KeyValue("变更事项", "、".join(what)))
        if verdict == "approved" and dec.get("effective_on"):
            out.append(KeyValue("变更生效", _day(dec["effective_on"])))
            out.append(Text("统一社会信用代码不变，已换发营业执照；税务、社保、公积金、银行已同步通知"
                            + ("，新印章已安排刻制。" if "name" in (app.get("changes") or {}) else "。")))
    elif kind == "deregistration":
        if app.get("procedure"):
            out.append(KeyValue("注销方式", PROCEDURE_ZH.get(str(app["procedure"]), str(app["procedure"]))))
        if app.get("reason"):
            out.append(KeyValue("注销原因", str(app["reason"])))
        if verdict == "approved":
            if dec.get("announcement_until"):
                out.append(KeyValue("公示期至", _day(dec["announcement_until"]), bold=True))
                out.append(Text("公示期内，有关部门、债权人及其他利害关系人可提出异议；有异议的转人工处理。"))
            if dec.get("effective_on"):
                out.append(KeyValue("预计注销生效", _day(dec["effective_on"]), bold=True))
            out.append(Text("注销生效后，企业名称不再保留，税务、社保、公积金、银行账户和印章由各部门同步注销。"))
    elif kind == "suspension":
        start, end = _day(app.get("from")), _day(app.get("to"))
        if start and end and start == end:
            out.append(KeyValue("恢复营业", start, bold=True))
        elif start or end:
            out.append(KeyValue("歇业期限", f"{start} 至 {end}", bold=True))
            if app.get("service_address"):
                out.append(KeyValue("文书送达地址", str(app["service_address"])))
            out.append(Text("歇业期间可随时办理恢复营业；延长歇业请于期限届满前30日内办理，歇业累计不超过3年。"))
        if verdict == "approved" and dec.get("effective_on"):
            out.append(KeyValue("生效日期", _day(dec["effective_on"])))
    return out


def _items_table(application: dict[str, Any] | None, decision: dict[str, Any] | None) -> list[Block]:
    """What is being done and when to expect it: the licence, then each chosen linked item."""
    verdict = (decision or {}).get("decision")
    kind = (application or {}).get("kind") or (decision or {}).get("kind") or "establishment"
    if kind in ("deregistration", "suspension"):  # no licence is issued; the dates above say what happens
        return []
    licence = {"approved": "已核发", "manual_review": "人工审核中", "rejected": "未核发"}.get(verdict or "",
                                                                                   LICENCE_EXPECTED_ZH)
    out: list[Block] = [Rule(), Text("办理事项及预计办结时间", bold=True), KeyValue("营业执照", licence)]
    for code in _chosen_services(application, None):
        out.append(KeyValue(linked_name(code), expected_time(code)))
    return out


def _footer(number: str, kiosk: dict[str, Any] | None, note: str = "") -> list[Block]:
    out: list[Block] = [Rule(), QR(progress_url(number, kiosk), caption="微信或浏览器扫码查询办理进度")]
    if note:
        out.append(Text(note, align="center"))
    out += [Text("请妥善保管本回执，凭受理编号可查询、补打。", align="center"), Feed(2), Cut()]
    return out


def acceptance_receipt(application: dict[str, Any], decision: dict[str, Any] | None = None,
                       kiosk: dict[str, Any] | None = None, now: datetime | None = None) -> Receipt:
    """受理回执: the application was taken (and, when the decision is known, what it is)."""
    now = _now(now)
    app_id, number = _application_id(application, decision), _number(application, decision)
    blocks = _header("受理回执", number, kiosk, now) + _parties(application)
    verdict = (decision or {}).get("decision", "queued")
    blocks.append(KeyValue("受理状态", DECISION_ZH.get(verdict, str(verdict)), bold=True))
    if (decision or {}).get("uscc") and not _said_uscc(application):
        blocks.append(KeyValue("统一社会信用代码", str((decision or {})["uscc"])))
    blocks += _lifecycle_blocks(application, decision)
    if _next_step_zh(str(verdict)):
        blocks.append(Text(_next_step_zh(str(verdict))))
    blocks += _items_table(application, decision)
    return Receipt("acceptance", app_id, "受理回执", tuple(blocks + _footer(number, kiosk)))


def _next_step_zh(verdict: str) -> str:
    """What happens next, and when (REG art. 19: what is not registered on the spot is within 3 working days)."""
    from service.contract import law

    return {
        "manual_review": f"申请已转人工审核，一般在{law.REVIEW_WORKING_DAYS}个工作日内审核完毕（情形复杂的可延长"
                         f"{law.REVIEW_EXTENSION_WORKING_DAYS}个工作日，将书面告知），结果以短信通知。",
        "queued": "网络暂时中断，申请已保存在受理终端，网络恢复后自动提交；审批结果以短信通知，也可凭受理编号查询。",
    }.get(verdict, "")


def result_notice(application: dict[str, Any] | None, decision: dict[str, Any],
                  kiosk: dict[str, Any] | None = None, now: datetime | None = None,
                  licence_printed: bool | None = None) -> Receipt:
    """审批结果通知: the decision, every reason with what to do, and the expected times.
    ``licence_printed`` False: the licence did not come out, and the notice says so and how to get it."""
    if not decision or "decision" not in decision:
        raise ReceiptInputError("result notice needs a decision")
    now = _now(now)
    app_id, number = _application_id(application, decision), _number(application, decision)
    verdict = decision["decision"]
    blocks = _header("审批结果通知", number, kiosk, now) + _parties(application)
    blocks.append(Rule())
    blocks.append(KeyValue("审批结果", DECISION_ZH.get(verdict, str(verdict)), bold=True))
    if decision.get("uscc") and not _said_uscc(application):
        blocks.append(KeyValue("统一社会信用代码", str(decision["uscc"]), bold=True))
    blocks += _lifecycle_blocks(application, decision)
    reasons = decision.get("reasons") or []
    if reasons:
        blocks.append(Text("审查意见", bold=True))
        for index, reason in enumerate(reasons, 1):
            label = SEVERITY_ZH.get(reason.get("severity", ""), "")
            blocks.append(Text(f"{index}. 【{label}】{reason.get('message') or reason.get('code', '')}"))
    kind = (application or {}).get("kind") or decision.get("kind") or "establishment"
    resumed = kind == "suspension" and _day((application or {}).get("from")) == _day((application or {}).get("to"))
    next_step = {
        "approved": {"deregistration": "注销申请已受理并进入公示，生效后将短信通知；可扫下方二维码查询进度。",
                     "suspension": "已恢复营业，将在国家企业信用信息公示系统公示终止歇业。" if resumed else
                     "歇业备案已办结，将在国家企业信用信息公示系统公示歇业期限和文书送达地址。"
                     }.get(kind, "营业执照已在本机打印，请当场核对后取走；电子营业执照可扫执照二维码核验。"),
        "manual_review": _next_step_zh("manual_review") + "也可扫下方二维码查询。",
        "rejected": "请按审查意见更正后重新提交；已填写的信息已为您保留。",
    }.get(verdict, "")
    if verdict == "approved" and licence_printed is False:
        next_step = ("营业执照本次未能打印，已核准的登记不受影响；请凭受理编号在本机“进度查询”中补打，"
                     "或到登记窗口领取。电子营业执照已可扫码核验。")
    if next_step:
        blocks.append(Text(next_step))
    blocks += _items_table(application, decision)
    return Receipt("result", app_id, "审批结果通知", tuple(blocks + _footer(number, kiosk)))


def _item_blocks(code: str, item: dict[str, Any] | None, application: dict[str, Any] | None,
                 kind: str = "establishment", kiosk: dict[str, Any] | None = None) -> list[Block]:
    item = item or {}
    status = item.get("status", "pending")
    action = item.get("action") or {"change": "update", "deregistration": "close"}.get(kind, "open")
    label = ACTION_ZH.get((code, str(action)), linked_name(code))
    out: list[Block] = [Text(f"■ {label}", bold=True),
                        KeyValue("办理状态", ITEM_STATUS_ZH.get(status, str(status))),
                        KeyValue("预计办结", _when(item["expected_by"]) + " 前" if item.get("expected_by")
                                 else expected_time(code))]
    if item.get("updated_at"):
        out.append(KeyValue("更新时间", _when(item["updated_at"])))
    chosen = ((application or {}).get("linked_services") or {}).get(code) or {}
    if code == "seal" and chosen.get("shop"):
        out.append(KeyValue("刻章单位", str(chosen["shop"])))
    if code == "bank_account" and (chosen.get("branch") or chosen.get("bank")):
        out.append(KeyValue("开户网点", str(chosen.get("branch") or chosen.get("bank"))))
    delivery = chosen.get("delivery") or {}
    if code in ("seal", "tax") and delivery:
        what = "印章" if code == "seal" else "税务UKey"
        if delivery.get("method") == "mail":
            out.append(KeyValue("领取方式", f"免费寄递，{what}办结后寄出"))
            out.append(KeyValue("寄递地址", mask_address(str(delivery.get("address") or ""))))
        else:
            out.append(KeyValue("领取方式", f"现场领取：{what}办结后短信通知，凭身份证到{(kiosk or {}).get('site') or '政务服务中心'}"
                                        "企业开办综合窗口领取"))
    if item.get("detail"):
        out.append(KeyValue("说明", str(item["detail"])))
    return out


def linked_items_receipt(application: dict[str, Any], decision: dict[str, Any] | None = None,
                         kiosk: dict[str, Any] | None = None, items: list[dict[str, Any]] | None = None,
                         now: datetime | None = None) -> Receipt:
    """关联事项回执: each of the linked items filed with the licence, its state and where to go."""
    now = _now(now)
    app_id, number = _application_id(application, decision), _number(application, decision)
    by_code = {str(i.get("service")): i for i in items or []}
    blocks = _header("关联事项回执", number, kiosk, now) + _parties(application)
    if (decision or {}).get("uscc") and not _said_uscc(application):
        blocks.append(KeyValue("统一社会信用代码", str((decision or {})["uscc"])))
    blocks.append(Rule())
    codes = _chosen_services(application, items)
    if (application or {}).get("kind") == "change":
        blocks.append(Text("变更信息已推送以下部门同步更新：", bold=True))
    if not codes:
        blocks.append(Text("本次未选择关联事项。"))
    kind = (application or {}).get("kind") or (decision or {}).get("kind") or "establishment"
    for code in codes:
        blocks += _item_blocks(code, by_code.get(code), application, kind, kiosk)
    return Receipt("linked_items", app_id, "关联事项回执", tuple(blocks + _footer(number, kiosk)))


def progress_receipt(application: dict[str, Any] | None, decision: dict[str, Any] | None,
                     items: list[dict[str, Any]], kiosk: dict[str, Any] | None = None,
                     now: datetime | None = None) -> Receipt:
    """进度查询回执: the state of every item at the time of the query."""
    now = _now(now)
    app_id, number = _application_id(application, decision), _number(application, decision)
    blocks = _header("进度查询回执", number, kiosk, now) + _parties(application)
    if decision and decision.get("decision"):
        blocks.append(KeyValue("审批结果", DECISION_ZH.get(decision["decision"], str(decision["decision"]))))
    if (decision or {}).get("uscc"):
        blocks.append(KeyValue("统一社会信用代码", str((decision or {})["uscc"])))
    if (decision or {}).get("kind") not in (None, "establishment") and not application:
        blocks.append(KeyValue("办理事项", KIND_ZH.get(str(decision["kind"]), str(decision["kind"]))))  # type: ignore[index]
    blocks += _lifecycle_blocks(application, decision)
    blocks.append(Rule())
    by_code = {str(i.get("service")): i for i in items or []}
    codes = _chosen_services(application, items)
    if not codes:
        blocks.append(Text("暂无关联事项办理记录。"))
    kind = (application or {}).get("kind") or (decision or {}).get("kind") or "establishment"
    for code in codes:
        blocks += _item_blocks(code, by_code.get(code), application, kind, kiosk)
    done = sum(1 for c in codes if by_code.get(c, {}).get("status") == "done")
    blocks.append(KeyValue("办结进度", f"{done}/{len(codes)} 项已办结", bold=True))
    return Receipt("progress", app_id, "进度查询回执", tuple(blocks + _footer(number, kiosk)))


RECEIPT_KINDS = {"acceptance": acceptance_receipt, "result": result_notice,
                 "linked_items": linked_items_receipt, "progress": progress_receipt}
