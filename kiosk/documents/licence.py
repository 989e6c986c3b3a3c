"""The business licence (营业执照) as a PDF: A4 portrait (副本) or A3 landscape (正本).

Fields follow the 2019 national layout: 统一社会信用代码 top left, the e-licence QR code top right,
名称/类型/法定代表人/经营范围 on the left, 注册资本/成立日期/住所 on the right, 登记机关 with its seal and
the date bottom right. Text is set in an embedded TrueType CJK font (see :mod:`kiosk.documents.fonts`),
the QR code is drawn as vector modules from segno, so the PDF prints the same on any printer.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import segno
from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from kiosk.documents.fonts import FONT_NAME, register_cjk_font
from devices.printers.linebreak import break_lines
from kiosk.documents.numerals import cny_uppercase
from kiosk.journeys.registration import display_name
from service.contract import elicence, law

RED = Color(0.74, 0.08, 0.1)
DARK_RED = Color(0.55, 0.07, 0.08)
GOLD = Color(0.78, 0.6, 0.18)
INK = Color(0.1, 0.1, 0.12)
GSXT_URL = "https://www.gsxt.gov.cn"
SCOPE_GENERAL_TAIL = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
SCOPE_PERMIT_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）"
REQUIRED = ("uscc", "name", "type", "legal_representative", "business_scope", "established", "address",
            "authority", "issued")


class LicenceInputError(ValueError):
    """A licence document missing a field or holding a bad value (zh for the screen, en for the log)."""

    def __init__(self, message_en: str, message_zh: str = "营业执照信息不完整，无法打印，请联系工作人员。") -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


# -- the licence document -----------------------------------------------------------------------
def licence_type(application: dict[str, Any]) -> str:
    """类型 as printed: what kind of investor holds the company (:func:`service.contract.law.entity_type_label`)."""
    holders = [s.get("id_type") or "resident_id" for s in application.get("shareholders") or []]
    return law.entity_type_label(str(application.get("entity_type") or "llc"), holders)


def scope_text(application: dict[str, Any], decision: dict[str, Any] | None = None) -> str:
    """经营范围 as printed: 一般项目 and 许可项目 (those the decision flagged as needing a permit)."""
    items = [str(s.get("text", "")).strip("；;。 ") for s in application.get("business_scope") or []]
    permit_index: set[int] = set()
    for reason in (decision or {}).get("reasons") or []:
        if reason.get("code") in ("SCOPE_POST_PERMIT", "SCOPE_PRE_APPROVAL"):
            m = re.search(r"business_scope\[(\d+)\]", str(reason.get("field") or ""))
            if m:
                permit_index.add(int(m.group(1)))
    general = [t for i, t in enumerate(items) if t and i not in permit_index]
    permit = [t for i, t in enumerate(items) if t and i in permit_index]
    parts = []
    if general:
        parts.append("一般项目：" + "；".join(general) + "。" + SCOPE_GENERAL_TAIL)
    if permit:
        parts.append("许可项目：" + "；".join(permit) + "。" + SCOPE_PERMIT_TAIL)
    return "\n".join(parts)


def licence_from(application: dict[str, Any], decision: dict[str, Any], authority: str | None = None,
                 issued: date | None = None, public_url: str = "") -> dict[str, Any]:
    """The licence document of an approved application (what :func:`licence_pdf` prints). With
    ``public_url`` the QR code is the verification link a phone opens, carrying the signed payload."""
    if (decision or {}).get("decision") != "approved" or not decision.get("uscc"):
        raise LicenceInputError("a licence needs an approved decision with a USCC",
                                "申请尚未核准，不能打印营业执照。")
    try:
        name = application["name"]
        officers = application["officers"]
        issued = issued or datetime.now().astimezone().date()
        return {
            "uscc": decision["uscc"],
            "name": name["full"],
            "entity_type": application["entity_type"],
            "type": licence_type(application),
            "legal_representative": display_name(officers["legal_representative"]),
            "business_scope": scope_text(application, decision),
            "registered_capital_cny": application.get("registered_capital_cny")
            if application["entity_type"] == "llc" else None,
            "established": issued.isoformat(),
            "address": application["address"]["text"],
            "authority": authority or f"{name.get('region') or ''}市场监督管理局",
            "issued": issued.isoformat(),
            "e_license": decision.get("e_license") or "",
            "e_license_link": elicence.link(public_url, decision["e_license"])
            if public_url and decision.get("e_license") else "",
        }
    except (KeyError, TypeError) as exc:
        raise LicenceInputError(f"application lacks {exc} for the licence") from None


def _check(licence: dict[str, Any]) -> None:
    missing = [k for k in REQUIRED if not str(licence.get(k) or "").strip()]
    if missing:
        raise LicenceInputError(f"licence lacks {', '.join(missing)}")
    for key in ("established", "issued"):
        try:
            date.fromisoformat(str(licence[key])[:10])
        except ValueError:
            raise LicenceInputError(f"licence {key} {licence[key]!r} is not a date") from None
    capital = licence.get("registered_capital_cny")
    if capital is not None and (isinstance(capital, bool) or not isinstance(capital, int) or capital < 0):
        raise LicenceInputError(f"registered capital {capital!r} is not whole yuan")


def cn_date(value: str | date) -> str:
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


# -- layout ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Positions in mm from the top-left corner; sizes in points."""

    width: float
    height: float
    copy: str  # 正本 / 副本
    scale: float  # type size relative to A4
    emblem_top: float
    emblem_d: float
    title_base: float
    title_pt: float
    code_x: float
    code_top: float
    qr_x: float
    qr_top: float
    qr_mm: float
    fields_top: float
    left_x: float
    left_w: float
    right_x: float
    right_w: float
    scope_bottom: float
    seal_cx: float
    seal_cy: float
    seal_d: float
    footer_base: float


LAYOUTS = {
    "A4": Layout(width=210, height=297, copy="副　本", scale=1.0, emblem_top=20, emblem_d=24, title_base=62,
                 title_pt=42, code_x=22, code_top=33, qr_x=160, qr_top=36, qr_mm=28, fields_top=96, left_x=22,
                 left_w=100, right_x=128, right_w=60, scope_bottom=232, seal_cx=158, seal_cy=244, seal_d=38,
                 footer_base=274),
    "A3": Layout(width=420, height=297, copy="正　本", scale=1.35, emblem_top=20, emblem_d=30, title_base=70,
                 title_pt=60, code_x=34, code_top=36, qr_x=350, qr_top=30, qr_mm=40, fields_top=104,
                 left_x=40, left_w=190, right_x=250, right_w=134, scope_bottom=236, seal_cx=340, seal_cy=240,
                 seal_d=44,
                 footer_base=272),
}


class _Page:
    """A canvas addressed in mm from the top-left, as the layout is written."""

    def __init__(self, canvas: Canvas, layout: Layout) -> None:
        self.c = canvas
        self.L = layout

    def y(self, top_mm: float) -> float:
        return (self.L.height - top_mm) * mm

    def text(self, x_mm: float, base_mm: float, text: str, size: float, color=INK, anchor: str = "left",
             bold: bool = False, spacing: float = 0.0) -> None:
        c = self.c
        c.saveState()  # the text render mode and line width are graphics state: keep them local
        t = c.beginText()
        t.setFont(FONT_NAME, size)
        t.setFillColor(color)
        t.setCharSpace(spacing)
        if bold:  # the font has no bold face: fill and stroke the outlines
            t.setTextRenderMode(2)
            c.setStrokeColor(color)
            c.setLineWidth(size / 32)
        width = c.stringWidth(text, FONT_NAME, size) + spacing * max(len(text) - 1, 0)
        x = x_mm * mm - {"left": 0, "center": width / 2, "right": width}[anchor]
        t.setTextOrigin(x, self.y(base_mm))
        t.textOut(text)
        c.drawText(t)
        c.restoreState()

    def spread(self, x_mm: float, base_mm: float, text: str, size: float, width_pt: float,
               bold: bool = True) -> None:
        """A label spread evenly over ``width_pt`` (名　称 as wide as 法定代表人)."""
        n = len(text)
        if n == 1:
            self.text(x_mm, base_mm, text, size, bold=bold)
            return
        gap = (width_pt - n * size) / (n - 1)
        for i, ch in enumerate(text):
            self.text(x_mm + i * (size + gap) / mm, base_mm, ch, size, bold=bold)

    def paragraph(self, x_mm: float, top_mm: float, width_mm: float, text: str, size: float,
                  max_height_mm: float | None = None, min_size: float = 6.5) -> float:
        """Wrapped text (Chinese line-breaking), shrunk to fit ``max_height_mm``; returns its height (mm)."""
        while True:
            leading = size * 1.45
            widths: dict[str, float] = {}

            def measure(ch: str, widths: dict[str, float] = widths, size: float = size) -> float:
                if ch not in widths:
                    widths[ch] = stringWidth(ch, FONT_NAME, size)
                return widths[ch]

            lines = break_lines(text, width_mm * mm, measure)
            height = leading * len(lines)
            if max_height_mm is None or height <= max_height_mm * mm or size <= min_size:
                break
            size -= 0.5
        c = self.c
        c.saveState()
        c.setFont(FONT_NAME, size)
        c.setFillColor(INK)
        for k, line in enumerate(lines):
            c.drawString(x_mm * mm, self.y(top_mm) - size * 0.95 - k * leading, line)
        c.restoreState()
        return height / mm


def _star(c: Canvas, cx: float, cy: float, r: float, color, rotation_deg: float = 90.0) -> None:
    path = c.beginPath()
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.382
        a = math.radians(rotation_deg + k * 36)
        x, y = cx + radius * math.cos(a), cy + radius * math.sin(a)
        path.moveTo(x, y) if k == 0 else path.lineTo(x, y)
    path.close()
    c.setFillColor(color)
    c.drawPath(path, stroke=0, fill=1)


def _border(p: _Page) -> None:
    c, L = p.c, p.L
    c.setStrokeColor(DARK_RED)
    c.setLineWidth(2.4)
    c.rect(9 * mm, 9 * mm, (L.width - 18) * mm, (L.height - 18) * mm)
    c.setLineWidth(0.7)
    c.rect(12 * mm, 12 * mm, (L.width - 24) * mm, (L.height - 24) * mm)
    for x, y in ((12, 12), (L.width - 12, 12), (12, L.height - 12), (L.width - 12, L.height - 12)):
        c.setFillColor(DARK_RED)  # corner ornaments: small diamonds joining the two frames
        path = c.beginPath()
        path.moveTo((x - 2.2) * mm, y * mm)
        path.lineTo(x * mm, (y + 2.2) * mm)
        path.lineTo((x + 2.2) * mm, y * mm)
        path.lineTo(x * mm, (y - 2.2) * mm)
        path.close()
        c.drawPath(path, stroke=0, fill=1)


def _emblem(p: _Page) -> None:
    """A placeholder for the national emblem: a ringed red disc with the five stars."""
    c, L = p.c, p.L
    r = L.emblem_d / 2 * mm
    cx, cy = L.width / 2 * mm, p.y(L.emblem_top) - r
    c.setFillColor(RED)
    c.setStrokeColor(GOLD)
    c.setLineWidth(2.2 * L.scale)
    c.circle(cx, cy, r, stroke=1, fill=1)
    c.setLineWidth(0.6)
    c.circle(cx, cy, r * 0.86, stroke=1, fill=0)
    _star(c, cx, cy + r * 0.12, r * 0.36, GOLD)
    for k, angle in enumerate((150, 120, 60, 30)):
        a = math.radians(angle)
        x, y = cx + r * 0.6 * math.cos(a), cy + r * 0.07 + r * 0.42 * math.sin(a)
        _star(c, x, y, r * 0.11, GOLD, 90 + (k - 1.5) * 20)


def _qr(p: _Page, text: str) -> None:
    """The e-licence QR code as vector modules, with a white quiet zone and a caption."""
    c, L = p.c, p.L
    code = segno.make(text, error="m", micro=False)
    rows = code.matrix
    n = len(rows)
    module = L.qr_mm * mm / (n + 8)
    left, top = L.qr_x * mm, p.y(L.qr_top)
    c.setFillColor(white)
    c.rect(left, top - L.qr_mm * mm, L.qr_mm * mm, L.qr_mm * mm, stroke=0, fill=1)
    c.setFillColor(black)
    for j, row in enumerate(rows):
        i = 0
        while i < n:
            if row[i] & 1:
                start = i
                while i < n and row[i] & 1:
                    i += 1
                c.rect(left + (4 + start) * module, top - (4 + j + 1) * module, (i - start) * module, module,
                       stroke=0, fill=1)
            else:
                i += 1
    size = 7.5 * L.scale
    middle = L.qr_x + L.qr_mm / 2
    p.text(middle, L.qr_top + L.qr_mm + 3.5 * L.scale, "扫描二维码核验电子营业执照", size, anchor="center")
    p.text(middle, L.qr_top + L.qr_mm + 7 * L.scale, "了解登记、备案、许可、监管信息", size, anchor="center")


def _seal(p: _Page, authority: str) -> None:
    """The registration authority's seal: a red ring, a star, the name along the upper arc."""
    c, L = p.c, p.L
    r = L.seal_d / 2 * mm
    cx, cy = L.seal_cx * mm, p.y(L.seal_cy)
    c.saveState()
    c.setStrokeAlpha(0.75)
    c.setFillAlpha(0.75)
    c.setStrokeColor(RED)
    c.setLineWidth(2.0 * L.scale)
    c.circle(cx, cy, r, stroke=1, fill=0)
    _star(c, cx, cy, r * 0.2, RED)
    radius = r * 0.8
    size = min(r * 0.22, math.radians(235) * radius / max(len(authority), 1) * 0.8)
    span = min(235.0, (len(authority) - 1) * math.degrees(size * 1.25 / radius))
    step = span / max(len(authority) - 1, 1)
    c.translate(cx, cy)
    c.setFillColor(RED)
    for i, ch in enumerate(authority):
        angle = 90 + span / 2 - i * step
        c.saveState()
        c.rotate(angle - 90)
        c.setFont(FONT_NAME, size)
        c.drawCentredString(0, radius - size * 0.8, ch)
        c.restoreState()
    c.restoreState()


def _fields(p: _Page, licence: dict[str, Any]) -> None:
    L = p.L
    size = 11.5 * L.scale
    label_w = 5 * size  # 法定代表人
    gap = 4 * L.scale
    individual = licence.get("entity_type") == "individual_business"
    capital = licence.get("registered_capital_cny")
    left = [("名称", licence["name"]), ("类型", licence["type"]),
            ("经营者" if individual else "法定代表人", licence["legal_representative"])]
    right = [("组成形式", licence.get("composition") or "个人经营")] if individual else []
    if not individual and capital is not None:
        right.append(("注册资本", "人民币" + cny_uppercase(int(capital))))
    right += [("注册日期" if individual else "成立日期", cn_date(licence["established"])),
              ("经营场所" if individual else "住所", licence["address"])]

    def column(x: float, width: float, rows: list[tuple[str, str]], top: float) -> float:
        for label, value in rows:
            p.spread(x, top + size * 0.95 / mm, label, size, label_w)
            used = p.paragraph(x + label_w / mm + gap, top, width - label_w / mm - gap, str(value), size)
            top += max(used, size * 1.45 / mm) + 4.5 * L.scale
        return top

    top = column(L.left_x, L.left_w, left, L.fields_top)
    p.spread(L.left_x, top + size * 0.95 / mm, "经营范围", size, label_w)
    value_x = L.left_x + label_w / mm + gap
    p.paragraph(value_x, top, L.left_w - label_w / mm - gap, str(licence["business_scope"]), size,
                max_height_mm=L.scope_bottom - top)
    column(L.right_x, L.right_w, right, L.fields_top)


def licence_pdf(licence: dict[str, Any], size: str = "A4") -> bytes:
    """The licence as PDF bytes; ``size`` is ``A4`` (副本, portrait) or ``A3`` (正本, landscape)."""
    try:
        L = LAYOUTS[str(size).upper()]
    except KeyError:
        raise LicenceInputError(f"licence size {size!r} is not A4 or A3", "营业执照纸张规格不支持。") from None
    _check(licence)
    register_cjk_font()
    out = io.BytesIO()
    c = Canvas(out, pagesize=(L.width * mm, L.height * mm), pageCompression=1, initialFontName=FONT_NAME)
    c.setTitle(f"营业执照 {licence['uscc']}")
    c.setAuthor(str(licence["authority"]))
    c.setSubject("营业执照")
    c.setCreator("yzt kiosk")
    p = _Page(c, L)
    _border(p)
    _emblem(p)
    p.text(L.width / 2, L.title_base, "营业执照", L.title_pt, anchor="center", bold=True,
           spacing=L.title_pt * 0.3)
    p.text(L.width / 2, L.title_base + 11 * L.scale, f"（{L.copy}）", 14 * L.scale, anchor="center")
    p.text(L.code_x, L.code_top, "统一社会信用代码", 10.5 * L.scale, bold=True)
    p.text(L.code_x, L.code_top + 7 * L.scale, str(licence["uscc"]), 13 * L.scale, spacing=0.6 * L.scale)
    if licence.get("licence_no"):
        p.text(L.code_x, L.code_top + 13 * L.scale, f"证照编号：{licence['licence_no']}", 8.5 * L.scale)
    qr_text = str(licence.get("e_license_link") or licence.get("e_license") or
                  f"{GSXT_URL}/index.html?uniscid={licence['uscc']}")
    _qr(p, qr_text)
    _fields(p, licence)
    size_pt = 11.5 * L.scale
    label_x = L.seal_cx - L.seal_d / 2 - 30 * L.scale
    p.spread(label_x, L.seal_cy - 6 * L.scale, "登记机关", size_pt, 5 * size_pt)
    p.text(L.seal_cx, L.seal_cy - 6 * L.scale, str(licence["authority"]), size_pt, anchor="center")
    p.text(L.seal_cx, L.seal_cy + 9 * L.scale, cn_date(licence["issued"]), size_pt, anchor="center")
    _seal(p, str(licence["authority"]))
    small = 8 * L.scale
    p.text(L.width / 2, L.footer_base, f"国家企业信用信息公示系统网址：{GSXT_URL}", small, anchor="center")
    p.text(L.width / 2, L.footer_base + 4.2 * L.scale,
           "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告", small, anchor="center")
    p.text(L.width / 2, L.footer_base + 9.5 * L.scale, "国家市场监督管理总局监制", small, anchor="center")
    c.showPage()
    c.save()
    return out.getvalue()


def test_sheet(printer_name: str) -> bytes:
    """The document printer's self-test page: Chinese in the licence's own embedded font, and a frame."""
    import io
    import time

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    register_cjk_font()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, initialFontName=FONT_NAME)
    c.setFont(FONT_NAME, 28)
    c.drawString(72, 760, "证照打印机自检")
    c.setFont(FONT_NAME, 14)
    c.drawString(72, 720, f"{printer_name} · {time.strftime('%Y-%m-%d %H:%M:%S')} · 营业执照字体与边框")
    c.rect(72, 400, 451, 280)
    c.showPage()
    c.save()
    return out.getvalue()
