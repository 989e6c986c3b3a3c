"""An ESC/POS receipt printer on the far end of a pty and of a TCP port, for tests and demos.

It interprets what it receives as an 80 mm, 203 dpi printer would (576 dots, font A 12×24, Chinese
24×24 in FS & mode, GB18030): ESC @, text, FS &/FS ., ESC E/ESC !/GS !/FS ! styles, ESC a
alignment, GS ( k QR store and print, GS v 0 raster images, ESC d / LF feeds and GS V cuts. Every
job (everything up to a cut) is kept as a :class:`SimJob` — its text lines with their style, QR
payloads, images, whether it was cut — and rendered to a PNG with a CJK font and the QR drawn
module by module, so a test can decode what "came out of the printer".

It answers the real-time status queries DLE EOT 1–4 (and GS r, GS I) from a configurable
:class:`SimState`. Like a real printer, it discards print data while it cannot print (paper out,
cover open, offline, cutter error) and says nothing at all when ``silent`` (powered off).
``paper_lines`` makes the roll run out after that many printed lines, in the middle of a job.
"""

from __future__ import annotations

import io
import logging
import os
import select
import socket
import threading
import time
import tty
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DOTS = 576  # printable width of 80 mm paper at 203 dpi
MARGIN = 24  # unprintable paper edge on each side of the rendered PNG
LINE_SPACING = 30  # ESC 2 default: 1/6 inch at 180 dpi ≈ 30 dots
FONT_PATHS = (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),  # the Mono face: 12-dot half width
              ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
              ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2))


class SimState(str, Enum):
    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"  # the printer's own offline (e.g. feed button held): answers, does not print
    CUTTER_ERROR = "cutter_error"
    SILENT = "silent"  # powered off / cable pulled: no answer at all, data lost


# DLE EOT n answers per state (0x12 = fixed bits of every answer).
STATUS_BYTES: dict[SimState, dict[int, int]] = {
    SimState.READY: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    SimState.PAPER_NEAR_END: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    SimState.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    SimState.COVER_OPEN: {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    SimState.OFFLINE: {1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12},
    SimState.CUTTER_ERROR: {1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12},
}
PRINTING_STATES = {SimState.READY, SimState.PAPER_NEAR_END}


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
    png: bytes | None = None
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


class _Incomplete(Exception):
    """The command continues in bytes not received yet."""


@dataclass
class _Cell:
    ch: str
    wide: bool
    bold: bool
    wm: int
    hm: int
    underline: bool

    @property
    def dots(self) -> int:
        return (24 if self.wide else 12) * self.wm


# -- rendering --------------------------------------------------------------------------------------
class _Renderer:
    """Draws a job's elements on a paper strip the width of the print head."""

    _font = None
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
        self._glyphs: dict[tuple, Any] = {}

    def glyph(self, cell: _Cell) -> Any:
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
                img = img.resize((base_w * cell.wm, 24 * cell.hm), Image.NEAREST)
            self._glyphs[key] = img
        return self._glyphs[key]

    def render(self, elements: list[tuple]) -> bytes:
        from PIL import Image, ImageDraw

        height = MARGIN * 2 + sum(self._height(e) for e in elements)
        page = Image.new("L", (DOTS + 2 * MARGIN, max(height, 2 * MARGIN + 24)), 255)
        draw = ImageDraw.Draw(page)
        y = MARGIN
        for e in elements:
            kind = e[0]
            if kind == "text":
                _, cells, align, spacing = e
                line_h = max((c.hm * 24 for c in cells), default=24)
                width = sum(c.dots for c in cells)
                x = MARGIN + _offset(align, width)
                for c in cells:
                    g = self.glyph(c)
                    page.paste(g, (x, y + line_h - g.height))
                    if c.underline:
                        draw.line((x, y + line_h + 1, x + c.dots, y + line_h + 1), fill=0, width=2)
                    x += c.dots
            elif kind == "qr":
                _, rows, module, align = e
                n = len(rows)
                x0 = MARGIN + _offset(align, n * module)
                for j, row in enumerate(rows):
                    for i, dark in enumerate(row):
                        if dark:
                            draw.rectangle((x0 + i * module, y + j * module,
                                            x0 + (i + 1) * module - 1, y + (j + 1) * module - 1), fill=0)
            elif kind == "image":
                _, img, align = e
                page.paste(img.convert("L"), (MARGIN + _offset(align, img.width), y))
            y += self._height(e)
        out = io.BytesIO()
        page.convert("1").save(out, format="PNG", optimize=True)
        return out.getvalue()

    @staticmethod
    def _height(e: tuple) -> int:
        kind = e[0]
        if kind == "text":
            line_h = max((c.hm * 24 for c in e[1]), default=24)
            return max(e[3], line_h + 6)
        if kind == "qr":
            return len(e[1]) * e[2] + 8
        if kind == "image":
            return e[1].height
        return int(e[1])  # feed


def _offset(align: str, width: int) -> int:
    free = max(DOTS - width, 0)
    return {"left": 0, "center": free // 2, "right": free}.get(align, 0)


# -- the interpreter --------------------------------------------------------------------------------
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


class EscposInterpreter:
    """The state of one connection: parse position, text modes, the job being printed."""

    def __init__(self, printer: "EscposSimulator") -> None:
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
        self.line: list[_Cell] = []
        self.line_align = "left"

    def _begin_job(self) -> None:
        self.elements: list[tuple] = []
        self.job_lines: list[SimLine] = []
        self.job_qr: list[str] = []
        self.job_images = 0
        self.job_bytes = 0

    @property
    def printing(self) -> bool:
        return self.sim.state in PRINTING_STATES

    def _job_has_content(self) -> bool:
        return bool(self.elements or self.line)

    def _finish_job(self, cut: bool, partial: bool = False, interrupted: bool = False) -> None:
        if not (self._job_has_content() or cut):
            return
        job = SimJob(index=0, lines=self.job_lines, qr=self.job_qr, images=self.job_images, cut=cut,
                     partial_cut=partial, interrupted=interrupted, bytes=self.job_bytes)
        elements = self.elements
        self._begin_job()
        self.sim._add_job(job, elements)

    def _printable(self) -> bool:
        """Whether print data is taken now; a job cut short by the printer stopping is closed, interrupted."""
        if self.printing:
            return True
        self.line = []
        if self._job_has_content():
            self._finish_job(cut=False, interrupted=True)
        return False

    def _emit(self, element: tuple) -> bool:
        if not self.sim._use_paper():  # the roll ran out under this line
            self._printable()
            return False
        self.elements.append(element)
        return True

    def _print_line(self, feed: bool = True) -> None:
        if not self._printable():
            return
        cells, self.line = self.line, []
        if (cells or feed) and self._emit(("text", cells, self.line_align, self.spacing)):
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
        cell = _Cell(ch, wide, self.bold, self.wm, self.hm, self.underline)
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

    def _dle(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        if cmd == 0x04:  # DLE EOT n: real-time status
            self._need(i, 3)
            n = self.buf[i + 2]
            if n == 7:
                self._need(i, 4)
                return i + 4
            self.sim._answer_status(n, self.out)
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
            self._need(i, 5)
            return i + 5 + self.buf[i + 3] + 256 * self.buf[i + 4]
        nargs = ESC_ARGS.get(cmd, 1)
        self._need(i, 2 + nargs)
        arg = self.buf[i + 2] if nargs else 0
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
                self._emit(("feed", arg))
        elif c == "2":
            self.spacing = LINE_SPACING
        elif c == "3":
            self.spacing = arg
        elif c in ("i", "m"):  # legacy partial cut
            self._cut(partial=True)
        return i + 2 + nargs

    def _fs(self, i: int) -> int:
        self._need(i, 2)
        cmd = self.buf[i + 1]
        c = chr(cmd)
        if c == "(":
            self._need(i, 5)
            return i + 5 + self.buf[i + 3] + 256 * self.buf[i + 4]
        nargs = FS_ARGS.get(cmd, 1)
        self._need(i, 2 + nargs)
        arg = self.buf[i + 2] if nargs else 0
        if c == "&":
            self.chinese = True
        elif c == ".":
            self.chinese = False
        elif c == "!":  # Kanji mode: bit 2 double width, bit 3 double height, bit 7 underline
            self.wm = 2 if arg & 0x04 else 1
            self.hm = 2 if arg & 0x08 else 1
            self.underline = bool(arg & 0x80)
        return i + 2 + nargs

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
            self._need(i, 5)
            size = self.buf[i + 3] + 256 * self.buf[i + 4]
            self._need(i, 5 + size)
            if self.buf[i + 2] == ord("k"):
                self._two_d(bytes(self.buf[i + 5:i + 5 + size]))
            return i + 5 + size
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
        nargs = GS_ARGS.get(cmd, 1)
        self._need(i, 2 + nargs)
        arg = self.buf[i + 2] if nargs else 0
        if c == "!":
            self.wm = (arg >> 4 & 0x07) + 1
            self.hm = (arg & 0x07) + 1
        elif c == "r":  # transmit status: 1 paper sensor, 2 drawer
            self.sim._answer_gs_r(arg, self.out)
        elif c == "I":
            self.sim._answer_id(arg, self.out)
        elif c == "a":
            self.sim._set_asb(arg, self.out)
        return i + 2 + nargs

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
        except Exception as exc:  # a real printer prints nothing for data it cannot encode
            log.info("simulator: QR not printable: %s", exc)
            return
        rows = [[bool(v & 1) for v in row] for row in code.matrix]
        if len(rows) * self.qr_module > DOTS:
            return
        if self._emit(("qr", rows, self.qr_module, self.align)):
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
            img = img.resize((img.width * 2, img.height), Image.NEAREST)
        if mode & 2:
            img = img.resize((img.width, img.height * 2), Image.NEAREST)
        if img.width > DOTS:
            img = img.crop((0, 0, DOTS, img.height))
        if self._emit(("image", img, self.align)):
            self.job_images += 1


# -- the simulator ------------------------------------------------------------------------------------
class EscposSimulator:
    """The simulated printer: its state, the jobs it printed, and its pty and TCP ends."""

    def __init__(self, state: SimState | str = SimState.READY, out_dir: str | os.PathLike[str] | None = None,
                 pty: bool = True, tcp_port: int | None = None, paper_lines: int | None = None,
                 chinese_default: bool = False, render: bool = True) -> None:
        self.state = SimState(state)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self.paper_lines = paper_lines
        self.chinese_default = chinese_default
        self.render = render
        self.jobs: list[SimJob] = []
        self.counters: dict[str, int] = {"received": 0, "status_queries": 0, "cuts": 0, "connections": 0}
        self._asb = False
        self._asb_sinks: list[Any] = []
        self._lock = threading.RLock()
        self._jobs_changed = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.port = ""
        self.master: int | None = None
        self._slave: int | None = None
        self.tcp_address: tuple[str, int] | None = None
        self._server: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        if pty:
            self._start_pty()
        if tcp_port is not None:
            self._start_tcp(tcp_port)

    # -- addresses ------------------------------------------------------------------------------
    @property
    def tcp_url(self) -> str:
        if self.tcp_address is None:
            raise RuntimeError("the simulator is not listening on TCP")
        return f"escpos+tcp://{self.tcp_address[0]}:{self.tcp_address[1]}"

    @property
    def serial_url(self) -> str:
        return self.port

    # -- state ----------------------------------------------------------------------------------
    def set_state(self, state: SimState | str, paper_lines: int | None = None) -> None:
        """Change what the printer reports (loading paper, opening the cover, switching off…)."""
        with self._lock:
            self.state = SimState(state)
            self.paper_lines = paper_lines
            if self._asb:
                packet = self._asb_packet()
                for sink in list(self._asb_sinks):
                    try:
                        sink(packet)
                    except OSError:
                        self._asb_sinks.remove(sink)

    def _use_paper(self) -> bool:
        with self._lock:
            if self.paper_lines is None:
                return True
            if self.paper_lines <= 0:
                self.state = SimState.PAPER_OUT
                return False
            self.paper_lines -= 1
            return True

    def _answer_status(self, n: int, out: bytearray) -> None:
        with self._lock:
            self.counters["status_queries"] += 1
            if self.state is SimState.SILENT or n not in (1, 2, 3, 4):
                return
            out.append(STATUS_BYTES[self.state][n])

    def _answer_gs_r(self, n: int, out: bytearray) -> None:
        if self.state is SimState.SILENT:
            return
        if n in (1, 49):
            value = {SimState.PAPER_NEAR_END: 0x03, SimState.PAPER_OUT: 0x0F}.get(self.state, 0x00)
            out.append(value)
        elif n in (2, 50):
            out.append(0x00)

    def _answer_id(self, n: int, out: bytearray) -> None:
        if self.state is SimState.SILENT:
            return
        if n in (1, 49):
            out.append(0x20)
        elif n in (2, 50):
            out.append(0x02)
        elif n in (3, 51):
            out.append(0x64)
        elif n >= 65:
            out.extend(b"_" + {66: b"YZT", 67: b"YZT-SIM-80", 68: b"00000001"}.get(n, b"1.0") + b"\x00")

    def _asb_packet(self) -> bytes:
        s = self.state
        b1 = 0x10 | (0x08 if s not in PRINTING_STATES else 0) | (0x20 if s is SimState.COVER_OPEN else 0)
        b2 = 0x04 if s is SimState.CUTTER_ERROR else 0
        b3 = (0x03 if s is SimState.PAPER_NEAR_END else 0) | (0x0F if s is SimState.PAPER_OUT else 0)
        return bytes([b1, b2, b3, 0x0F])

    def _set_asb(self, n: int, out: bytearray) -> None:
        with self._lock:
            self._asb = bool(n)
            if self._asb and self.state is not SimState.SILENT:
                out.extend(self._asb_packet())

    # -- jobs -----------------------------------------------------------------------------------
    def _add_job(self, job: SimJob, elements: list[tuple]) -> None:
        with self._lock:
            job.index = len(self.jobs) + 1
        if self.render:
            job.png = _Renderer().render(elements)
            if self.out_dir is not None:
                job.path = self.out_dir / f"receipt-{job.index:04d}.png"
                job.path.write_bytes(job.png)
        with self._lock:
            self.jobs.append(job)
            self._jobs_changed.notify_all()

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[SimJob]:
        """Block until ``count`` jobs have come out (or ``timeout``); return the jobs so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.jobs) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._jobs_changed.wait(left)
            return list(self.jobs)

    def interpret(self, data: bytes) -> list[SimJob]:
        """Interpret bytes directly (a file of ESC/POS, `yzt receipt render`); returns the new jobs."""
        before = len(self.jobs)
        interp = EscposInterpreter(self)
        interp.feed(data)
        if interp.line:
            interp._print_line(feed=False)
        interp._finish_job(cut=False)
        return self.jobs[before:]

    # -- transports -----------------------------------------------------------------------------
    def _received(self, interp: EscposInterpreter, data: bytes) -> bytes:
        with self._lock:
            if self.state is SimState.SILENT:
                return b""  # switched off: nothing is received at all
            self.counters["received"] += len(data)
        return interp.feed(data)

    def _start_pty(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self.master)
        self.port = os.ttyname(self._slave)
        t = threading.Thread(target=self._pty_loop, name="escpos-sim-pty", daemon=True)
        t.start()
        self._threads.append(t)

    def _pty_write(self, data: bytes) -> None:
        if self.master is not None:
            os.write(self.master, data)

    def _pty_loop(self) -> None:
        interp = EscposInterpreter(self)
        with self._lock:
            self._asb_sinks.append(self._pty_write)
        while not self._stop.is_set():
            master = self.master
            if master is None:
                return
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except (OSError, ValueError):
                return
            if not data:
                continue
            answer = self._received(interp, data)
            if answer:
                try:
                    os.write(master, answer)
                except OSError:
                    return

    def _start_tcp(self, port: int) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(4)
        server.settimeout(0.2)
        self._server = server
        self.tcp_address = server.getsockname()[:2]
        t = threading.Thread(target=self._accept_loop, name="escpos-sim-tcp", daemon=True)
        t.start()
        self._threads.append(t)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()  # type: ignore[union-attr]
            except socket.timeout:
                continue
            except OSError:
                return
            self.counters["connections"] += 1
            t = threading.Thread(target=self._conn_loop, args=(conn,), name="escpos-sim-conn", daemon=True)
            t.start()

    def _conn_loop(self, conn: socket.socket) -> None:
        interp = EscposInterpreter(self)
        conn.settimeout(0.2)
        with self._lock:
            self._conns.add(conn)
            self._asb_sinks.append(conn.sendall)
        try:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    return
                answer = self._received(interp, data)
                if answer:
                    conn.sendall(answer)
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
                if conn.sendall in self._asb_sinks:
                    self._asb_sinks.remove(conn.sendall)
            conn.close()

    def close(self) -> None:
        """Power off: stop listening and drop every connection at once."""
        self._stop.set()
        if self._server is not None:
            self._server.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout=1)
        for fd in (self.master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.master = self._slave = None

    def __enter__(self) -> "EscposSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_bytes(data: bytes, out_dir: str | os.PathLike[str] | None = None) -> list[SimJob]:
    """What a printer would make of ``data``: its jobs, rendered (for `yzt receipt render` and demos)."""
    sim = EscposSimulator(pty=False, out_dir=out_dir)
    try:
        return sim.interpret(data)
    finally:
        sim.close()
