"""ESC/POS bytes → a model of the page: what an 80 mm, 203 dpi printer makes of what it receives.

:class:`EscposInterpreter` is the state of one connection (parse position, text modes, the job
being printed). It takes ESC @, text (code page 437, or GB18030 Chinese 24×24 in FS & mode),
FS &/FS ., ESC E/ESC !/GS !/FS ! styles, ESC a alignment, GS ( k QR store and print, GS v 0 raster
images, ESC d / LF feeds and GS V cuts; everything up to a cut becomes a :class:`SimJob` — its text
lines with their style, QR payloads, images, whether it was cut, and the page's elements (rows of
:class:`Cell`, QR matrices, images, feeds) that :mod:`devices.printers.render` draws.

What the printer itself decides — whether it prints now, how much paper is left, what its status
bytes say — the interpreter asks of its :class:`Mechanism` (the simulated printer).
"""

from __future__ import annotations

import builtins
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

DOTS = 576  # printable width of 80 mm paper at 203 dpi
LINE_SPACING = 30  # ESC 2 default: 1/6 inch at 180 dpi ≈ 30 dots


class _Incomplete(Exception):
    """The command continues in bytes not received yet."""


@dataclass(frozen=True)
class Cell:
    """One character as printed: wide (24 dots, Chinese) or narrow (12), its style and magnification."""

    ch: str
    wide: bool
    bold: bool
    wm: int
    hm: int
    underline: bool

    @property
    def dots(self) -> int:
        return (24 if self.wide else 12) * self.wm


@dataclass(frozen=True)
class TextRow:
    """One printed row of character cells."""

    cells: list[Cell]
    align: str
    spacing: int  # the line spacing in force (ESC 2 / ESC 3)


@dataclass(frozen=True)
class QrBlock:
    """A QR code as the printer draws it: its module matrix, the module size in dots, alignment."""

    rows: list[list[bool]]
    module: int
    align: str


@dataclass(frozen=True)
class ImageBlock:
    """A raster image (a PIL image, 1 bit or grey)."""

    image: Any
    align: str


@dataclass(frozen=True)
class FeedBlock:
    """Paper fed without printing (ESC J n), in dots."""

    dots: int


Element = TextRow | QrBlock | ImageBlock | FeedBlock


@dataclass
class SimLine:
    """One printed text line and the largest style used on it."""

    text: str
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"


@dataclass
class SimJob:
    """Everything printed up to a cut (or until the printer stopped: ``interrupted``)."""

    index: int
    lines: list[SimLine] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: int = 0
    cut: bool = False
    partial_cut: bool = False
    interrupted: bool = False
    bytes: int = 0
    elements: list[Element] = field(default_factory=list, repr=False)  # the page, as the renderer draws it
    png: builtins.bytes | None = None  # (the field above shadows the type's name in this class)
    path: Path | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines if line.text.strip()]

    def image(self) -> Any:
        from PIL import Image

        return Image.open(io.BytesIO(self.png)) if self.png else None


ESC_ARGS = {ord(k): v for k, v in {
    "@": 0, "E": 1, "G": 1, "-": 1, "a": 1, "!": 1, "d": 1, "J": 1, "K": 1, "e": 1, "M": 1, "t": 1, "2": 0,
    "3": 1, "R": 1, "V": 1, "{": 1, "c": 2, "=": 1, "$": 2, "\\": 2, " ": 1, "L": 0, "S": 0, "T": 1, "W": 8,
    "%": 1, "?": 1, "i": 0, "m": 0, "r": 1, "U": 1, "p": 3, "B": 2, "u": 1, "v": 0, "<": 0, "f": 2, "l": 1,
}.items()}
GS_ARGS = {ord(k): v for k, v in {
    "!": 1, "B": 1, "H": 1, "h": 1, "w": 1, "f": 1, "L": 2, "W": 2, "a": 1, "r": 1, "I": 1, "P": 2, "$": 2,
    "\\": 2, "b": 1, "E": 1, "T": 1, "Z": 1, "^": 3, ":": 0, "/": 1, "x": 1,
}.items()}
FS_ARGS = {ord(k): v for k, v in {"&": 0, ".": 0, "!": 1, "-": 1, "C": 1, "S": 2, "W": 1, "p": 2,
                                  "2": 74, "r": 1, "?": 2}.items()}
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_EC = {48: "l", 49: "m", 50: "q", 51: "h"}


class Mechanism(Protocol):
    """What the interpreter asks of the printer it runs in (:class:`~devices.printers.simulator.EscposSimulator`)."""

    chinese_default: bool
    counters: dict[str, int]

    @property
    def printing(self) -> bool:
        """Whether print data is taken now (paper in, cover closed, online)."""
        ...

    def use_paper(self) -> bool:
        """One line's worth of paper; False when the roll has run out."""
        ...

    def job_done(self, job: SimJob) -> None: ...
    def answer_status(self, n: int, out: bytearray) -> None: ...
    def answer_gs_r(self, n: int, out: bytearray) -> None: ...
    def answer_id(self, n: int, out: bytearray) -> None: ...
    def set_asb(self, n: int, out: bytearray) -> None: ...


class EscposInterpreter:
    """The state of one connection: parse position, text modes, the job being printed."""

    def __init__(self, printer: Mechanism) -> None:
        self.sim = printer
        self.buf = bytearray()
        self.out = bytearray()  # answers to send back
        self._reset_modes()
        self._begin_job()

    # -- modes and job --------------------------------------------------------------------------
    def _reset_modes(self) -> None:
        self.bold = False
        self.underline = False
        self.wm = self.hm = 1
        self.align = "left"
        self.chinese = False
        self.spacing = LINE_SPACING
        self.qr_module = 3
        self.qr_ec = "l"
        self.qr_data = b""
        self.line: list[Cell] = []
        self.line_align = "left"

    def _begin_job(self) -> None:
        self.elements: list[Element] = []
        self.job_lines: list[SimLine] = []
        self.job_qr: list[str] = []
        self.job_images = 0
        self.job_bytes = 0

    @property
    def printing(self) -> bool:
        return self.sim.printing

    def _job_has_content(self) -> bool:
        return bool(self.elements or self.line)

    def _finish_job(self, cut: bool, partial: bool = False, interrupted: bool = False) -> None:
        if not (self._job_has_content() or cut):
            return
        job = SimJob(index=0, lines=self.job_lines, qr=self.job_qr, images=self.job_images, cut=cut,
                     partial_cut=partial, interrupted=interrupted, bytes=self.job_bytes, elements=self.elements)
        self._begin_job()
        self.sim.job_done(job)

    def end(self) -> None:
        """The data has ended (a file, not a connection): print the pending line, close the job uncut."""
        if self.line:
            self._print_line(feed=False)
        self._finish_job(cut=False)

    def _printable(self) -> bool:
        """Whether print data is taken now; a job cut short by the printer stopping is closed, interrupted."""
        if self.printing:
            return True
        self.line = []
        if self._job_has_content():
            self._finish_job(cut=False, interrupted=True)
        return False

    def _emit(self, element: Element) -> bool:
        if not self.sim.use_paper():  # the roll ran out under this line
            self._printable()
            return False
        self.elements.append(element)
        return True

    def _print_line(self, feed: bool = True) -> None:
        if not self._printable():
            return
        cells, self.line = self.line, []
        if (cells or feed) and self._emit(TextRow(cells, self.line_align, self.spacing)):
            if cells:
                self.job_lines.append(SimLine(text="".join(c.ch for c in cells).rstrip(),
                                              bold=any(c.bold for c in cells if c.ch.strip()),
                                              width=max(c.wm for c in cells), height=max(c.hm for c in cells),
                                              align=self.line_align))
            else:
                self.job_lines.append(SimLine(text=""))

    def _add_char(self, ch: str, wide: bool) -> None:
        if not self._printable():
            return
        if not self.line:
            self.line_align = self.align
        cell = Cell(ch, wide, self.bold, self.wm, self.hm, self.underline)
        if sum(c.dots for c in self.line) + cell.dots > DOTS:
            self._print_line()
            self.line_align = self.align
        self.line.append(cell)

    # -- parsing --------------------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Take received bytes; return the answers the printer sends back."""
        self.buf += data
        self.job_bytes += len(data)
        i = 0
        while i < len(self.buf):
            try:
                i = self._step(i)
            except _Incomplete:
                break
        del self.buf[:i]
        out, self.out = bytes(self.out), bytearray()
        return out

    def _need(self, i: int, n: int) -> None:
        if len(self.buf) < i + n:
            raise _Incomplete

    def _step(self, i: int) -> int:
        b = self.buf[i]
        if b == 0x0A:
            self._print_line()
            return i + 1
        if b in (0x0D, 0x00, 0x7F):
            return i + 1
        if b == 0x09:
            for _ in range(8 - (len(self.line) % 8)):
                self._add_char(" ", False)
            return i + 1
        if b == 0x0C:
            self._print_line()
            return i + 1
        if b == 0x10:
            return self._dle(i)
        if b == 0x1B:
            return self._esc(i)
        if b == 0x1C:
            return self._fs(i)
        if b == 0x1D:
            return self._gs(i)
        if b < 0x20:
            return i + 1
        return self._char(i)

    def _char(self, i: int) -> int:
        b = self.buf[i]
        if b < 0x80:
            self._add_char(chr(b), False)
            return i + 1
        if not self.chinese:
            self._add_char(bytes([b]).decode("cp437"), False)
            return i + 1
        self._need(i, 2)
        n = 4 if 0x30 <= self.buf[i + 1] <= 0x39 else 2
        self._need(i, n)
        ch = bytes(self.buf[i:i + n]).decode("gb18030", errors="replace")
        for c in ch:
            self._add_char(c, True)
        return i + n

    def _sized(self, i: int) -> tuple[int, int]:
        """``X ( x pL pH d…``: the data's size and where the command ends (waiting for all of it)."""
        self._need(i, 5)
        size = self.buf[i + 3] + 256 * self.buf[i + 4]
        self._need(i, 5 + size)
        return size, i + 5 + size

    def _args(self, i: int, table: dict[int, int]) -> tuple[int, int]:
        """A fixed-length command (its argument count in ``table``, default 1): its first argument and
        where it ends."""
        nargs = table.get(self.buf[i + 1], 1)
        self._need(i, 2 + nargs)
        return (self.buf[i + 2] if nargs else 0), i + 2 + nargs

    def _dle(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        if cmd == 0x04:  # DLE EOT n: real-time status
            self._need(i, 3)
            n = self.buf[i + 2]
            if n == 7:
                self._need(i, 4)
                return i + 4
            self.sim.answer_status(n, self.out)
            return i + 3
        if cmd == 0x05:  # DLE ENQ n
            self._need(i, 3)
            return i + 3
        if cmd == 0x14:  # DLE DC4 fn …
            self._need(i, 3)
            fn = self.buf[i + 2]
            total = {1: 5, 2: 5, 7: 4, 8: 10}.get(fn, 3)
            self._need(i, total)
            return i + total
        return i + 1

    def _esc(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        c = chr(cmd)
        if c == "*":  # bit image: ESC * m nL nH d…
            self._need(i, 5)
            m, n = self.buf[i + 2], self.buf[i + 3] + 256 * self.buf[i + 4]
            total = 5 + n * (3 if m in (32, 33) else 1)
            self._need(i, total)
            if self._printable():
                self.job_images += 1
            return i + total
        if c == "D":  # tab stops, NUL-terminated
            end = self.buf.find(b"\x00", i + 2)
            if end < 0:
                if len(self.buf) - i > 40:
                    return i + 2
                raise _Incomplete
            return end + 1
        if c == "(":  # ESC ( x pL pH …
            return self._sized(i)[1]
        arg, end = self._args(i, ESC_ARGS)
        if c == "@":
            self.line = []
            self._reset_modes()
            self.chinese = self.sim.chinese_default
        elif c in ("E", "G"):
            self.bold = bool(arg & 1)
        elif c == "-":
            self.underline = bool(arg & 3)
        elif c == "a":
            self.align = _ALIGN.get(arg, self.align)
        elif c == "!":
            self.bold = bool(arg & 0x08)
            self.hm = 2 if arg & 0x10 else 1
            self.wm = 2 if arg & 0x20 else 1
            self.underline = bool(arg & 0x80)
        elif c == "d":
            self._print_line()
            for _ in range(max(arg - 1, 0)):
                self._print_line()
        elif c == "J":
            self._print_line(feed=False)
            if self._printable() and arg:
                self._emit(FeedBlock(arg))
        elif c == "2":
            self.spacing = LINE_SPACING
        elif c == "3":
            self.spacing = arg
        elif c in ("i", "m"):  # legacy partial cut
            self._cut(partial=True)
        return end

    def _fs(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        c = chr(cmd)
        if c == "(":
            return self._sized(i)[1]
        arg, end = self._args(i, FS_ARGS)
        if c == "&":
            self.chinese = True
        elif c == ".":
            self.chinese = False
        elif c == "!":  # Kanji mode: bit 2 double width, bit 3 double height, bit 7 underline
            self.wm = 2 if arg & 0x04 else 1
            self.hm = 2 if arg & 0x08 else 1
            self.underline = bool(arg & 0x80)
        return end

    def _gs(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        c = chr(cmd)
        if c == "V":  # cut: GS V m [n]
            self._need(i, 3)
            m = self.buf[i + 2]
            total = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            self._need(i, total)
            self._cut(partial=m in (1, 49, 66, 98, 104))
            return i + total
        if c == "v":  # raster image: GS v 0 m xL xH yL yH d…
            self._need(i, 8)
            xb = self.buf[i + 4] + 256 * self.buf[i + 5]
            rows = self.buf[i + 6] + 256 * self.buf[i + 7]
            total = 8 + xb * rows
            self._need(i, total)
            self._raster(bytes(self.buf[i + 8:i + total]), xb, rows, self.buf[i + 3])
            return i + total
        if c == "(":  # GS ( x pL pH …
            size, end = self._sized(i)
            if self.buf[i + 2] == ord("k"):
                self._two_d(bytes(self.buf[i + 5:end]))
            return end
        if c == "8":  # GS 8 L p1 p2 p3 p4 …
            self._need(i, 7)
            size = int.from_bytes(self.buf[i + 3:i + 7], "little")
            self._need(i, 7 + size)
            return i + 7 + size
        if c == "k":  # barcode
            self._need(i, 3)
            m = self.buf[i + 2]
            if m <= 6:
                end = self.buf.find(b"\x00", i + 3)
                if end < 0:
                    raise _Incomplete
                return end + 1
            self._need(i, 4)
            return i + 4 + self.buf[i + 3]
        if c == "*":  # define downloaded bit image: GS * x y d… (x*y*8 bytes)
            self._need(i, 4)
            return i + 4 + self.buf[i + 2] * self.buf[i + 3] * 8
        arg, end = self._args(i, GS_ARGS)
        if c == "!":
            self.wm = (arg >> 4 & 0x07) + 1
            self.hm = (arg & 0x07) + 1
        elif c == "r":  # transmit status: 1 paper sensor, 2 drawer
            self.sim.answer_gs_r(arg, self.out)
        elif c == "I":
            self.sim.answer_id(arg, self.out)
        elif c == "a":
            self.sim.set_asb(arg, self.out)
        return end

    def _cut(self, partial: bool) -> None:
        if self.line:
            self._print_line()
        if not self._printable():
            return
        self.sim.counters["cuts"] += 1
        self._finish_job(cut=True, partial=partial)

    def _two_d(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:  # cn 49: QR code
            return
        fn, params = body[1], body[2:]
        if fn == 67 and params:
            self.qr_module = max(1, min(params[0], 16))
        elif fn == 69 and params:
            self.qr_ec = _EC.get(params[0], "l")
        elif fn == 80:
            self.qr_data = params[1:]  # after m = 48
        elif fn == 81:
            self._print_qr()

    def _print_qr(self) -> None:
        if self.line:
            self._print_line()
        if not self._printable() or not self.qr_data:
            return
        import segno

        text = self.qr_data.decode("utf-8", errors="replace")
        try:
            code = segno.make(text, error=self.qr_ec, micro=False, boost_error=False)
        except ValueError as exc:  # segno's DataOverflowError…: a real printer prints nothing for such data
            log.info("simulator: QR not printable: %s", exc)
            return
        rows = [[bool(v & 1) for v in row] for row in code.matrix]
        if len(rows) * self.qr_module > DOTS:
            return
        if self._emit(QrBlock(rows, self.qr_module, self.align)):
            self.job_qr.append(text)

    def _raster(self, data: bytes, xb: int, rows: int, mode: int) -> None:
        if self.line:
            self._print_line()
        if not self._printable() or not xb or not rows:
            return
        import numpy as np
        from PIL import Image

        bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).reshape(rows, xb * 8)
        img = Image.fromarray(np.where(bits == 1, 0, 255).astype(np.uint8), mode="L")
        if mode & 1:
            img = img.resize((img.width * 2, img.height), Image.Resampling.NEAREST)
        if mode & 2:
            img = img.resize((img.width, img.height * 2), Image.Resampling.NEAREST)
        if img.width > DOTS:
            img = img.crop((0, 0, DOTS, img.height))
        if self._emit(ImageBlock(img, self.align)):
            self.job_images += 1


