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


def fleet_page(kiosks: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(k['kiosk_id'])}<br><small>{escape(k.get('site') or '')}</small></td>"
        f"<td>{_when(k['last_seen'])}<br><small>{k['seconds_since']:.0f} 秒前</small></td>"
        f"<td>{escape(str((k.get('status') or {}).get('summary', '')))}</td></tr>" for k in kiosks)
    return _page("终端状态", f'<h1>银政通终端状态（{len(kiosks)} 台）</h1><div class="card"><table>'
                            f"<tr><th>终端</th><th>最近心跳</th><th>状态</th></tr>{rows}</table></div>", refresh_s=30)
