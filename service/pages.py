"""The two HTML pages the platform serves: progress (what the receipt's QR opens) and the fleet."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

from kiosk.documents.labels import DECISION_ZH, ITEM_STATUS_ZH, LINKED_SERVICES

CHINA = timezone(timedelta(hours=8))
_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f5f7;color:#1b1b1b;
font-size:18px;line-height:1.6}
main{max-width:680px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:8px 0 16px}
.card{background:#fff;border-radius:8px;padding:16px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.k{color:#555}.tag{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:bold}
.approved,.done{background:#d8f1df;color:#0b6b2b}.manual_review,.in_progress,.pending{background:#fff1c2;color:#6b4e00}
.rejected,.failed{background:#fbdcdc;color:#8a1c1c}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:10px 6px;border-bottom:1px solid #e5e7ea;
vertical-align:top}
small{color:#555}
.row{display:flex;justify-content:space-between;align-items:center;gap:8px}.kid{font-size:20px;word-break:break-all}
.ok{background:#d8f1df;color:#0b6b2b}.degraded{background:#fff1c2;color:#6b4e00}.stale{background:#fbdcdc;color:#8a1c1c}
.card.kiosk.stale{border-left-color:#b3261e}.card.kiosk.degraded{border-left-color:#b07d00}
.card.kiosk{background:#fff;color:#1b1b1b;border-left:6px solid #fff}.warn{color:#8a1c1c;font-weight:bold}.summary{font-size:18px}
"""


def _when(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return escape(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    return ""


def _page(title: str, body: str, refresh_s: int | None = None) -> str:
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{refresh}'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def progress_page(found: dict[str, Any] | None) -> str:
    if found is None:
        return _page("办理进度查询", '<h1>办理进度查询</h1><div class="card">未找到该申请。请核对回执上的申请编号，'
                                   "或到银政通自助终端、政务服务窗口查询。</div>")
    decision = found["decision"]
    head = (f'<h1>办理进度查询</h1><div class="card"><div>{escape(found.get("name") or "")}</div>'
            f'<div><span class="k">申请编号：</span>{escape(found["application_id"])}</div>'
            f'<div><span class="k">审批结果：</span><span class="tag {escape(decision)}">'
            f'{escape(DECISION_ZH.get(decision, decision))}</span></div>')
    if found.get("uscc"):
        head += f'<div><span class="k">统一社会信用代码：</span>{escape(found["uscc"])}</div>'
    head += f'<div><span class="k">提交时间：</span>{_when(found.get("submitted_at"))}</div></div>'
    reasons = [r for r in found.get("reasons", []) if r.get("severity") in ("error", "review")]
    if reasons:
        head += '<div class="card"><b>说明</b><ul>' + "".join(
            f"<li>{escape(r['message'])}</li>" for r in reasons) + "</ul></div>"
    rows = "".join(
        f"<tr><td>{escape(LINKED_SERVICES[i['service']].name_zh if i['service'] in LINKED_SERVICES else i['service'])}"
        f"<br><small>预计 {_when(i.get('expected_done_at'))} 前</small></td>"
        f'<td><span class="tag {escape(i["status"])}">{escape(ITEM_STATUS_ZH.get(i["status"], i["status"]))}</span>'
        f"<br><small>{escape(i.get('detail') or '')}</small><br><small>更新于 {_when(i.get('updated_at'))}</small></td></tr>"
        for i in found.get("items", []))
    if rows:
        head += f'<div class="card"><b>关联事项</b><table><tr><th>事项</th><th>状态</th></tr>{rows}</table></div>'
    pending = any(i["status"] in ("pending", "in_progress") for i in found.get("items", []))
    return _page("办理进度查询", head + "<small>页面每分钟自动刷新。</small>" if pending else head,
                 refresh_s=60 if pending else None)


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
        error = str(dev.get("problem") or dev.get("last_error") or "")[:160]
        said = str(dev.get("problem_zh") or "")[:80]
        head = escape(said) if said else (f"{escape(DEVICE_ZH.get(kind, str(kind)))}："
                                          f"{escape(DEVICE_STATE_ZH.get(state, state))}")
        lines.append(head + (f" <small>({escape(error)})</small>" if error else ""))
    return lines


def fleet_page(kiosks: list[dict[str, Any]]) -> str:
    """One page, readable on a phone: kiosks that stopped reporting on top, then the unwell, then the rest."""
    counts = {h: sum(1 for k in kiosks if k.get("health") == h) for h in HEALTH_ZH}
    cards = []
    for k in kiosks:
        status = k.get("status") if isinstance(k.get("status"), dict) else {}
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
            extra.append(f"待提交 {status['outbox_pending']} 份")
        if isinstance(status.get("disk_free_mb"), int):
            extra.append(f"磁盘剩余 {status['disk_free_mb'] / 1000:.1f} GB")
        if k.get("version"):
            extra.append(f"版本 {escape(str(k['version']))}")
        if extra:
            body.append(f"<small>{' · '.join(extra)}</small>")
        cards.append(f'<div class="card kiosk {escape(health)}" data-kiosk="{escape(k["kiosk_id"])}">'
                     + "".join(body) + "</div>")
    summary = (f'<p class="summary">共 {len(kiosks)} 台：<b>{counts["stale"]}</b> 台失联 · <b>{counts["degraded"]}</b> 台异常'
               f' · <b>{counts["ok"]}</b> 台正常</p>')
    empty = '<div class="card">还没有终端上报心跳。</div>' if not kiosks else ""
    return _page("银政通终端状态", f"<h1>银政通终端状态</h1>{summary}{empty}{''.join(cards)}"
                 "<small>页面每 30 秒自动刷新。</small>", refresh_s=30)
