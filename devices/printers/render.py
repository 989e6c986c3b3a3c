"""A page model → PNG: a job's elements drawn with PIL on a paper strip the width of the print head.

Text is drawn cell by cell in a CJK font at the printer's 12/24-dot pitch (bold as a double strike,
GS ! magnification as nearest-neighbour scaling), QR codes module by module from the matrix the
printer computed, raster images as they came; the PNG is 1 bit, as thermal paper is, so a test
can decode what "came out of the printer".
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from devices.printers.interpreter import DOTS, Cell, Element, FeedBlock, ImageBlock, QrBlock, TextRow

MARGIN = 24  # unprintable paper edge on each side of the rendered PNG
FONT_PATHS = (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),  # the Mono face: 12-dot half width
              ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
              ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2))


class Renderer:
    """Draws pages; one renderer caches the glyphs it has drawn (the font is loaded once a process)."""

    _font: Any = None
    _font_lock = threading.Lock()

    @classmethod
    def font(cls) -> Any:
        with cls._font_lock:
            if cls._font is None:
                from PIL import ImageFont

                for path, index in FONT_PATHS:
                    if Path(path).is_file():
                        cls._font = ImageFont.truetype(path, 24, index=index)
                        break
                else:
                    cls._font = ImageFont.load_default()
            return cls._font

    def __init__(self) -> None:
        self._glyphs: dict[tuple[str, bool, bool, int, int], Any] = {}

    def glyph(self, cell: Cell) -> Any:
        from PIL import Image, ImageDraw

        key = (cell.ch, cell.wide, cell.bold, cell.wm, cell.hm)
        if key not in self._glyphs:
            base_w = 24 if cell.wide else 12
            img = Image.new("L", (base_w, 24), 255)
            draw = ImageDraw.Draw(img)
            font = self.font()
            for dx in ((0, 1) if cell.bold else (0,)):
                draw.text((dx, 20), cell.ch, font=font, fill=0, anchor="ls")
            if cell.wm != 1 or cell.hm != 1:
                img = img.resize((base_w * cell.wm, 24 * cell.hm), Image.Resampling.NEAREST)
            self._glyphs[key] = img
        return self._glyphs[key]

    def render(self, elements: list[Element]) -> bytes:
        """The PNG of a page."""
        from PIL import Image, ImageDraw

        height = MARGIN * 2 + sum(height_of(e) for e in elements)
        page = Image.new("L", (DOTS + 2 * MARGIN, max(height, 2 * MARGIN + 24)), 255)
        draw = ImageDraw.Draw(page)
        y = MARGIN
        for e in elements:
            if isinstance(e, TextRow):
                line_h = _line_height(e)
                x = MARGIN + _offset(e.align, sum(c.dots for c in e.cells))
                for c in e.cells:
                    g = self.glyph(c)
                    page.paste(g, (x, y + line_h - g.height))
                    if c.underline:
                        draw.line((x, y + line_h + 1, x + c.dots, y + line_h + 1), fill=0, width=2)
                    x += c.dots
            elif isinstance(e, QrBlock):
                m = e.module
                x0 = MARGIN + _offset(e.align, len(e.rows) * m)
                for j, row in enumerate(e.rows):
                    for i, dark in enumerate(row):
                        if dark:
                            draw.rectangle((x0 + i * m, y + j * m, x0 + (i + 1) * m - 1, y + (j + 1) * m - 1), fill=0)
            elif isinstance(e, ImageBlock):
                page.paste(e.image.convert("L"), (MARGIN + _offset(e.align, e.image.width), y))
            y += height_of(e)
        out = io.BytesIO()
        page.convert("1").save(out, format="PNG", optimize=True)
        return out.getvalue()


def _line_height(row: TextRow) -> int:
    return max((c.hm * 24 for c in row.cells), default=24)


def height_of(e: Element) -> int:
    """How many dots of paper an element takes."""
    if isinstance(e, TextRow):
        return max(e.spacing, _line_height(e) + 6)
    if isinstance(e, QrBlock):
        return len(e.rows) * e.module + 8
    if isinstance(e, ImageBlock):
        return int(e.image.height)
    assert isinstance(e, FeedBlock)
    return e.dots


def _offset(align: str, width: int) -> int:
    free = max(DOTS - width, 0)
    return {"left": 0, "center": free // 2, "right": free}.get(align, 0)


def render_page(elements: list[Element]) -> bytes:
    """The PNG of one page, with a fresh glyph cache."""
    return Renderer().render(elements)
