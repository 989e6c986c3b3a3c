"""The platform's HTML pages: public progress and licence verification (phones), and the pages of the
people who run it (sign-in, fleet, review, audit). Every value is escaped; styles come from
``/static/site.css`` (the Content-Security-Policy allows no inline style or script), nothing from a CDN.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from html import escape
from typing import Any

from service.contract import acceptance
from service.contract.labels import DECISION_ZH, ITEM_STATUS_ZH, KIND_ZH, LINKED_SERVICES
from service.core.security import SignedIn

CHINA = timezone(timedelta(hours=8))
STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f5f7;color:#1b1b1b;
font-size:18px;line-height:1.6}
main{max-width:680px;margin:0 auto;padding:16px}
main.wide{max-width:1100px}
h1{font-size:24px;margin:8px 0 16px}
.card{background:#fff;border-radius:8px;padding:16px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.k{color:#555}.tag{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:bold}
.approved,.done,.valid{background:#d8f1df;color:#0b6b2b}
.manual_review,.in_progress,.pending{background:#fff1c2;color:#6b4e00}
.rejected,.failed,.invalid{background:#fbdcdc;color:#8a1c1c}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:10px 6px;border-bottom:1px solid #e5e7ea;
vertical-align:top}
small{color:#555}
.row{display:flex;justify-content:space-between;align-items:center;gap:8px}.kid{font-size:20px;word-break:break-all}
.ok{background:#d8f1df;color:#0b6b2b}.degraded{background:#fff1c2;color:#6b4e00}.stale{background:#fbdcdc;color:#8a1c1c}
.card.kiosk{border-left:6px solid #fff}.card.kiosk.stale{border-left-color:#b3261e}
.card.kiosk.degraded{border-left-color:#b07d00}.card.help{border-left:6px solid #1a56db}
.warn{color:#8a1c1c;font-weight:bold}.summary{font-size:18px}.no{font-size:22px;letter-spacing:1px;font-weight:bold}
form.inline{display:inline}button{font-size:16px;padding:6px 14px;border-radius:6px;border:1px solid #1a56db;
background:#1a56db;color:#fff}button.secondary{background:#fff;color:#1a56db}
input,textarea{font-size:18px;padding:8px;width:100%;box-sizing:border-box;margin:4px 0 12px}
nav{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#1b3a5c;color:#fff}
nav a{color:#fff}nav .me{margin-left:auto}pre{white-space:pre-wrap;word-break:break-all;font-size:14px}
"""


def _when(value: Any, with_time: bool = True) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return escape(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return ""


def _page(title: str, body: str, refresh_s: int | None = None, who: SignedIn | None = None, wide: bool = False) -> str:
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    nav = ""
    if who is not None:
        links = [("/fleet", "终端状态"), ("/review", "人工审核")] + ([("/audit", "审计日志")] if who.role == "admin" else [])
        nav = ("<nav>" + "".join(f'<a href="{h}">{t}</a>' for h, t in links) +
               f'<span class="me">{escape(who.username)}（{escape(who.role)}）</span>'
               f'<form class="inline" method="post" action="/signout"><input type="hidden" name="csrf" '
               f'value="{escape(who.csrf)}"><button class="secondary">退出</button></form></nav>')
    main = '<main class="wide">' if wide else "<main>"
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{refresh}'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/site.css"></head>'
            f'<body>{nav}{main}{body}</main></body></html>')


def message_page(title: str, message: str) -> str:
    return _page(title, f"<h1>{escape(title)}</h1><div class=\"card\">{escape(message)}</div>")


def _service(code: str) -> str:
    found = LINKED_SERVICES.get(code)
    return found.name_zh if found else code


def progress_page(found: dict[str, Any] | None) -> str:
    """What the receipt's QR code opens: public, so nothing about any person."""
    if found is None:
        return _page("办理进度查询", '<h1>办理进度查询</h1><div class="card">未找到该受理编号。请核对回执上的18位受理编号，'
                                   "或到银政通自助终端、政务服务窗口查询。</div>")
    decision = found["decision"]
    kind = found.get("kind", "establishment")
    head = (f'<h1>办理进度查询</h1><div class="card"><div>{escape(found.get("name") or "")}</div>'
            f'<div><span class="k">事项：</span>{escape(KIND_ZH.get(kind, kind))}</div>'
            f'<div><span class="k">受理编号：</span><span class="no">{escape(acceptance.grouped(found["acceptance_no"]))}'
            f'</span></div><div><span class="k">审批结果：</span><span class="tag {escape(decision)}">'
            f'{escape(DECISION_ZH.get(decision, decision))}</span></div>'
            f'<div><span class="k">受理时间：</span>{_when(found.get("received_at"))}</div>')
    if found.get("announcement_until"):
        head += f'<div><span class="k">公示期至：</span>{_when(found["announcement_until"])}</div>'
    if found.get("effective_on"):
        head += f'<div><span class="k">生效日期：</span>{_when(found["effective_on"])}</div>'
    head += "</div>"
    if decision == "rejected":
        head += '<div class="card">申请未通过。请申请人本人到自助终端刷证查看原因并更正，或到政务服务窗口咨询。</div>'
    rows = "".join(
        f"<tr><td>{escape(_service(i['service']))}<br><small>预计 {_when(i.get('expected_by'))} 前办结</small></td>"
        f'<td><span class="tag {escape(i["status"])}">{escape(ITEM_STATUS_ZH.get(i["status"], i["status"]))}</span>'
        "</td></tr>" for i in found.get("items", []))
    if rows:
        head += f'<div class="card"><b>关联事项</b><table><tr><th>事项</th><th>状态</th></tr>{rows}</table></div>'
    pending = any(i["status"] in ("pending", "in_progress") for i in found.get("items", []))
    return _page("办理进度查询", head + ("<small>页面每分钟自动刷新。</small>" if pending else ""),
                 refresh_s=60 if pending else None)


def licence_page(result: dict[str, Any]) -> str:
    """What a phone shows after scanning an e-licence QR code."""
    if not result.get("valid"):
        return _page("电子营业执照核验", '<h1>电子营业执照核验</h1><div class="card"><span class="tag invalid">核验未通过'
                     f'</span><p>{escape(result.get("message") or "")}</p></div>')
    status = {"active": "存续", "suspended": "歇业", "deregistering": "注销中", "deregistered": "已注销"}.get(
        str(result.get("status") or ""), "未在本平台登记")
    renamed = result.get("current_name") and result["current_name"] != result.get("name")
    body = (f'<h1>电子营业执照核验</h1><div class="card"><span class="tag valid">签名有效</span>'
            f'<div><span class="k">名称：</span>{escape(result.get("name") or "")}</div>'
            f'<div><span class="k">统一社会信用代码：</span>{escape(result.get("uscc") or "")}</div>'
            f'<div><span class="k">登记状态：</span>{escape(status)}</div>')
    if renamed:
        body += f'<div class="warn">该企业已更名为“{escape(result["current_name"])}”，此执照为旧版。</div>'
    return _page("电子营业执照核验", body + "</div>")


HEALTH_ZH = {"stale": "失联", "degraded": "异常", "ok": "正常"}
SITE_TYPE_ZH = {"hall": "政务服务大厅", "bank_branch": "银行网点"}
DEVICE_ZH = {"idcard": "身份证读卡器", "camera": "摄像头", "qr_scanner": "扫码器", "receipt_printer": "凭条打印机",
             "document_printer": "文档打印机"}
DEVICE_STATE_ZH = {"online": "正常", "busy": "使用中", "offline": "未连接", "no_device": "未找到设备",
                   "hardware_error": "故障", "user_error": "需现场处理", "closed": "未启用"}


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} 秒前"
    if seconds < 5400:
        return f"{seconds / 60:.0f} 分钟前"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} 小时前"
    return f"{seconds / 86400:.0f} 天前"


def _device_lines(status: dict[str, Any]) -> list[str]:
    """The devices that are not well, one line each; a kiosk's report is its own words, so escaped
    and tolerated in any shape."""
    devices = status.get("devices")
    lines = []
    for kind, dev in (devices.items() if isinstance(devices, dict) else []):
        if not isinstance(dev, dict) or dev.get("state") in ("online", "busy"):
            continue
        state = str(dev.get("state", ""))
        err = str(dev.get("problem") or dev.get("last_error") or "")[:160]
        said = str(dev.get("problem_zh") or "")[:80]
        head = escape(said) if said else (f"{escape(DEVICE_ZH.get(kind, str(kind)))}："
                                          f"{escape(DEVICE_STATE_ZH.get(state, state))}")
        lines.append(head + (f" <small>({escape(err)})</small>" if err else ""))
    return lines


def fleet_page(kiosks: list[dict[str, Any]], help_waiting: list[dict[str, Any]], who: SignedIn) -> str:
    """One page, readable on a phone: calls for staff, kiosks that stopped reporting, the unwell, the rest."""
    counts = {h: sum(1 for k in kiosks if k.get("health") == h) for h in HEALTH_ZH}
    cards = []
    for h in help_waiting:
        cards.append(f'<div class="card help" data-help="{h["id"]}"><div class="row"><b>帮办请求 · '
                     f'{escape(str(h["kiosk_id"]))}</b><span class="tag pending">等待工作人员</span></div>'
                     f'<div><span class="k">步骤：</span>{escape(str(h.get("step") or ""))} · {_when(h["at"])}</div>'
                     f'<form class="inline" method="post" action="/fleet/help/{int(h["id"])}/answer">'
                     f'<input type="hidden" name="csrf" value="{escape(who.csrf)}"><button>已到场处理</button></form></div>')
    for k in kiosks:
        raw = k.get("status")
        status: dict[str, Any] = raw if isinstance(raw, dict) else {}
        health = k.get("health", "ok")
        site_type = SITE_TYPE_ZH.get(str(status.get("site_type", "")), "")
        body = [f'<div class="row"><b class="kid">{escape(k["kiosk_id"])}</b>'
                f'<span class="tag {escape(health)}">{HEALTH_ZH.get(health, escape(health))}</span></div>',
                f'<div>{escape(k.get("site") or "")}' + (f" <small>· {site_type}</small>" if site_type else "") + "</div>",
                f'<div><span class="k">最近心跳：</span>{_when(k["last_seen"])} <small>（{_ago(k["seconds_since"])}）</small>'
                "</div>"]
        if health == "stale":
            body.append("<div class=\"warn\">终端已停止上报：请检查电源、网络，或到现场查看。</div>")
        body += [f"<div>{line}</div>" for line in _device_lines(status)]
        extra = []
        if isinstance(status.get("outbox_pending"), int) and status["outbox_pending"]:
            oldest = status.get("outbox_oldest_min")
            extra.append(f"待提交 {status['outbox_pending']} 份" +
                         (f"（最早 {oldest:.0f} 分钟前）" if isinstance(oldest, (int, float)) else ""))
        if isinstance(status.get("disk_free_mb"), int):
            extra.append(f"磁盘剩余 {status['disk_free_mb'] / 1000:.1f} GB")
        if k.get("ratings"):
            extra.append(f"好差评 {k['ratings']} 次，平均 {k['rating_average']:.1f} 分")
        if k.get("version"):
            extra.append(f"版本 {escape(str(k['version']))}")
        if extra:
            body.append(f"<small>{' · '.join(extra)}</small>")
        if status.get("outbox_last_error"):
            body.append(f"<small>最近提交错误：{escape(str(status['outbox_last_error'])[:160])}</small>")
        cards.append(f'<div class="card kiosk {escape(health)}" data-kiosk="{escape(k["kiosk_id"])}">'
                     + "".join(body) + "</div>")
    summary = (f'<p class="summary">共 {len(kiosks)} 台：<b>{counts["stale"]}</b> 台失联 · <b>{counts["degraded"]}</b> 台异常'
               f' · <b>{counts["ok"]}</b> 台正常' + (f" · <b>{len(help_waiting)}</b> 个帮办请求" if help_waiting else "")
               + "</p>")
    empty = '<div class="card">还没有终端上报心跳。</div>' if not kiosks else ""
    return _page("银政通终端状态", f"<h1>银政通终端状态</h1>{summary}{empty}{''.join(cards)}"
                 "<small>页面每 30 秒自动刷新。</small>", refresh_s=30, who=who)


def signin_page(next_url: str, problem: str = "") -> str:
    error = f'<div class="warn">{escape(problem)}</div>' if problem else ""
    return _page("工作人员登录", '<h1>工作人员登录</h1><div class="card">' + error +
                 '<form method="post" action="/signin"><label>用户名<input name="username" autocomplete="username" '
                 'required></label><label>密码<input name="password" type="password" autocomplete="current-password" '
                 f'required></label><input type="hidden" name="next" value="{escape(next_url)}">'
                 "<button>登录</button></form></div>")


def review_page(queue: list[dict[str, Any]], who: SignedIn) -> str:
    cards = []
    for a in queue:
        reasons = "".join(f"<li>{escape(r['message'])} <small>({escape(r['code'])})</small></li>"
                          for r in a["reasons"] if r.get("severity") in ("review", "error"))
        cards.append(f'<div class="card"><div class="row"><b>{escape(a["name"] or "")}</b>'
                     f'<span class="no">{escape(acceptance.grouped(a["acceptance_no"]))}</span></div>'
                     f'<div><span class="k">事项：</span>{escape(KIND_ZH.get(a["kind"], a["kind"]))} · '
                     f'{_when(a["received_at"])}</div><ul>{reasons}</ul>'
                     f'<form method="post" action="/review/{escape(a["application_id"])}">'
                     f'<input type="hidden" name="csrf" value="{escape(who.csrf)}">'
                     '<label>审核意见<textarea name="comment" rows="2" maxlength="1000"></textarea></label>'
                     '<button name="action" value="approve">通过</button> '
                     '<button class="secondary" name="action" value="reject">驳回</button></form></div>')
    empty = '<div class="card">没有待审核的申请。</div>' if not queue else ""
    return _page("人工审核", f"<h1>人工审核（{len(queue)}）</h1>{empty}{''.join(cards)}", who=who, wide=True)


def audit_page(entries: list[dict[str, Any]], who: SignedIn) -> str:
    rows = "".join(f"<tr><td>{_when(e['at'])}</td><td>{escape(e['actor'])}</td><td>{escape(e['action'])}</td>"
                   f"<td>{escape(e['target'])}</td><td><pre>{escape(str(e['detail']))}</pre></td>"
                   f"<td>{escape(e['address'])}</td></tr>" for e in entries)
    return _page("审计日志", "<h1>审计日志</h1><div class=\"card\"><table><tr><th>时间</th><th>谁</th><th>操作</th>"
                 f"<th>对象</th><th>内容</th><th>地址</th></tr>{rows}</table></div>", who=who, wide=True)
