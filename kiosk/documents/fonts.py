"""The embedded CJK TrueType font for PDFs, and Chinese line-breaking rules for reportlab.

reportlab embeds (subsets) TrueType fonts only; it cannot read Debian's Noto CJK collections
(CFF outlines), and its built-in STSong-Light is not embedded at all, so a printer would
substitute whatever it has. We register the first usable TrueType face below once, under
:data:`FONT_NAME`. ``YZT_PDF_FONT`` (``path`` or ``path#index``) overrides the search.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from devices.printers.linebreak import NO_LINE_END, NO_LINE_START

FONT_NAME = "YZT-CJK"

# (path, face index in the collection); Ming/Song faces first: they suit a certificate best.
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)

# Chinese punctuation that must not begin (end) a line, added to reportlab's mostly-Japanese lists.
CJK_NO_LINE_START = NO_LINE_START
CJK_NO_LINE_END = NO_LINE_END

_lock = threading.Lock()
_registered: tuple[str, int] | None = None


class FontMissing(RuntimeError):
    """No TrueType CJK font: the licence cannot be made (install fonts-wqy-zenhei)."""

    message_zh = "缺少中文字体，无法生成营业执照，请联系工作人员。"


def _candidates() -> list[tuple[str, int]]:
    override = os.environ.get("YZT_PDF_FONT")
    if override:
        path, _, index = override.partition("#")
        return [(path, int(index or 0))]
    return list(CANDIDATES)


def register_cjk_font() -> tuple[str, int]:
    """Register the CJK font with reportlab (once) and return (path, face index)."""
    global _registered
    with _lock:
        if _registered is not None:
            return _registered
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError, TTFont

        tried = []
        for path, index in _candidates():
            if not Path(path).is_file():
                tried.append(f"{path} (missing)")
                continue
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            except (TTFError, OSError, ValueError) as exc:
                tried.append(f"{path} ({exc})")
                continue
            install_cjk_line_breaking()
            _registered = (path, index)
            return _registered
        raise FontMissing("no TrueType CJK font for the licence PDF (install fonts-wqy-zenhei); tried: "
                          + "; ".join(tried))


def install_cjk_line_breaking() -> None:
    """Teach reportlab's CJK wrapping (Paragraph ``wordWrap="CJK"``) not to start a line with
    Chinese closing punctuation, for any PDF form set in a Paragraph.

    ``reportlab.platypus.paragraph`` copies ``ALL_CANNOT_START`` at import, so both modules'
    names are extended; calling this twice changes nothing. reportlab hangs at most one such
    mark; the licence itself is set with :func:`devices.printers.linebreak.break_lines`, which hangs all.
    """
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    start = textsplit.ALL_CANNOT_START + "".join(c for c in CJK_NO_LINE_START
                                                 if c not in textsplit.ALL_CANNOT_START)
    end = textsplit.ALL_CANNOT_END + "".join(c for c in CJK_NO_LINE_END if c not in textsplit.ALL_CANNOT_END)
    textsplit.ALL_CANNOT_START = paragraph.ALL_CANNOT_START = start
    textsplit.ALL_CANNOT_END = end
