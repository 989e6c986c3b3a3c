"""Receipt blocks → ESC/POS bytes, through python-escpos for the commands it gets right.

python-escpos builds initialise, alignment, bold, character size (GS !), the native QR code
(GS ( k) and the cut (GS V). It has no GB18030 code page and no Chinese mode (FS &), and its
``text()`` turns punctuation-only Chinese into '?', so text goes out raw as GB18030 after FS &.
Lines are wrapped here (:mod:`devices.printers.linebreak`), by display width (a CJK character is two
columns); key–value values wrap under themselves.
"""

from __future__ import annotations

from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q
from escpos.printer import Dummy

from devices.printers.blocks import QR, Cut, Feed, KeyValue, Receipt, Rule, Text, Title
from devices.printers.linebreak import break_lines

FS_CHINESE_ON = b"\x1c&"  # FS &: two-byte (GB18030) character mode
FS_CHINESE_OFF = b"\x1c."
LF = b"\n"
ENCODING = "gb18030"
COLUMNS_80MM = 48  # font A, 12-dot cells on 576 dots
COLUMNS_58MM = 32  # 384 dots
_EC = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M, "Q": QR_ECLEVEL_Q, "H": QR_ECLEVEL_H}


def char_width(ch: str) -> int:
    """Columns a character takes on the printer: GB18030 sends only ASCII as one byte, and every
    two- or four-byte character is printed in a full 24-dot cell (so · and “ are wide too)."""
    return 1 if ord(ch) < 0x80 else 2


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, by the Chinese line-breaking rules of the documents."""
    return break_lines(text, max(width, 2), char_width)


class ReceiptEncoder:
    """Encodes :class:`Receipt` blocks for one paper width (``columns`` of font A)."""

    def __init__(self, columns: int = COLUMNS_80MM, profile: str | None = None) -> None:
        self.columns = columns
        self.profile = profile

    def encode(self, receipt: Receipt) -> bytes:
        p = Dummy(profile=self.profile) if self.profile else Dummy()
        self._current: tuple[str, bool, int] | None = None
        p.hw("INIT")  # ESC @
        p._raw(FS_CHINESE_ON)
        for block in receipt.blocks:
            self._block(p, block)
        return p.output

    def _text(self, p: Dummy, lines: list[str]) -> None:
        for line in lines:
            p._raw(line.encode(ENCODING, errors="replace") + LF)

    def _style(self, p: Dummy, align: str = "left", bold: bool = False, size: int = 1) -> None:
        size = min(max(int(size), 1), 8)
        if self._current == (align, bold, size):
            return  # the printer keeps modes until changed: send only what changes
        self._current = (align, bold, size)
        p.set(align=align, bold=bold, custom_size=True, width=size, height=size)

    def _block(self, p: Dummy, block: object) -> None:
        """Each block sets the modes it needs first (only those that change are sent)."""
        cols = self.columns
        if isinstance(block, Title):
            self._style(p, block.align, True, block.size)
            self._text(p, wrap(block.text, cols // max(block.size, 1)))
        elif isinstance(block, Text):
            self._style(p, block.align, block.bold, block.size)
            self._text(p, wrap(block.text, cols // max(block.size, 1)))
        elif isinstance(block, KeyValue):
            self._style(p, "left", block.bold)
            head = f"{block.key}："
            indent = display_width(head)
            if indent > cols // 2:  # a long key: the value goes on its own lines
                self._text(p, wrap(head, cols))
                self._text(p, wrap(block.value, cols))
            else:
                body = wrap(block.value or "", cols - indent)
                self._text(p, [head + body[0]] + [" " * indent + rest for rest in body[1:]])
        elif isinstance(block, Rule):
            self._style(p)
            p._raw((block.char[:1] or "-").encode(ENCODING) * cols + LF)
        elif isinstance(block, QR):
            self._style(p, block.align)
            module = min(max(block.module, 1), 16)
            p.qr(block.data, ec=_EC.get(block.ec, QR_ECLEVEL_M), size=module, native=True)
            p._raw(LF)
            if block.caption:
                self._text(p, wrap(block.caption, cols))
        elif isinstance(block, Feed):
            self._style(p)
            p._raw(LF * max(0, min(block.lines, 20)))
        elif isinstance(block, Cut):
            self._style(p)
            p.cut(mode="PART" if block.partial else "FULL")
        else:
            raise TypeError(f"unknown receipt block {block!r}")


def encode_receipt(receipt: Receipt, columns: int = COLUMNS_80MM, profile: str | None = None) -> bytes:
    """The ESC/POS bytes of ``receipt`` (Chinese mode, GB18030 text, native QR, cut)."""
    return ReceiptEncoder(columns, profile).encode(receipt)
