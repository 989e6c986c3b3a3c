"""An ESC/POS receipt printer on the far end of a pty and of a TCP port, for tests and demos.

The simulated printer is three parts: :mod:`devices.printers.interpreter` makes a model of the page
from the bytes (as an 80 mm, 203 dpi printer would), :mod:`devices.printers.render` draws each job
to a PNG, and this module is the printer itself — its state, its status answers, the jobs it has
printed — on its transport, a :class:`~devices.endpoints.Endpoint` (a pty, and TCP when asked).

It answers the real-time status queries DLE EOT 1–4 (and GS r, GS I, GS a automatic status back)
from a configurable :class:`SimState`. Like a real printer, it discards print data while it cannot
print (paper out, cover open, offline, cutter error) and says nothing at all when ``silent``
(powered off). ``paper_lines`` makes the roll run out after that many printed lines, in the middle
of a job. Every job (everything up to a cut) is kept as a :class:`SimJob`, rendered, and written to
``out_dir`` as ``receipt-NNNN.png`` when one is given.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Self

from devices.endpoints import Endpoint, Link
from devices.printers.interpreter import DOTS, LINE_SPACING, EscposInterpreter, SimJob, SimLine
from devices.printers.render import MARGIN, render_page

__all__ = ["DOTS", "LINE_SPACING", "MARGIN", "PRINTING_STATES", "STATUS_BYTES", "EscposInterpreter", "EscposSimulator",
           "SimJob", "SimLine", "SimState", "render_bytes"]


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
        self._lock = threading.RLock()
        self._jobs_changed = threading.Condition(self._lock)
        self.endpoint = Endpoint(self._connection, name="escpos-sim")
        if pty:
            self.endpoint.plug()
        if tcp_port is not None:
            self.endpoint.listen(tcp_port)

    # -- addresses ------------------------------------------------------------------------------
    @property
    def port(self) -> str:
        """The pty's path ("" without a pty)."""
        return self.endpoint.port

    @property
    def tcp_address(self) -> tuple[str, int] | None:
        return self.endpoint.tcp_address

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
                self.endpoint.broadcast(self._asb_packet())

    @property
    def printing(self) -> bool:
        return self.state in PRINTING_STATES

    def use_paper(self) -> bool:
        with self._lock:
            if self.paper_lines is None:
                return True
            if self.paper_lines <= 0:
                self.state = SimState.PAPER_OUT
                return False
            self.paper_lines -= 1
            return True

    def answer_status(self, n: int, out: bytearray) -> None:
        with self._lock:
            self.counters["status_queries"] += 1
            if self.state is SimState.SILENT or n not in (1, 2, 3, 4):
                return
            out.append(STATUS_BYTES[self.state][n])

    def answer_gs_r(self, n: int, out: bytearray) -> None:
        if self.state is SimState.SILENT:
            return
        if n in (1, 49):
            value = {SimState.PAPER_NEAR_END: 0x03, SimState.PAPER_OUT: 0x0F}.get(self.state, 0x00)
            out.append(value)
        elif n in (2, 50):
            out.append(0x00)

    def answer_id(self, n: int, out: bytearray) -> None:
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

    def set_asb(self, n: int, out: bytearray) -> None:
        with self._lock:
            self._asb = bool(n)
            if self._asb and self.state is not SimState.SILENT:
                out.extend(self._asb_packet())

    # -- jobs -----------------------------------------------------------------------------------
    def job_done(self, job: SimJob) -> None:
        """A job came out (cut, or stopped short): number it, render it, keep it."""
        with self._lock:
            job.index = len(self.jobs) + 1
        if self.render:
            job.png = render_page(job.elements)
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
        interp.end()
        return self.jobs[before:]

    # -- the transport --------------------------------------------------------------------------
    def _connection(self, link: Link) -> Callable[[bytes], None]:
        """A new connection (the pty, or a TCP client): its own interpreter; answers go back on it."""
        interp = EscposInterpreter(self)
        if link.kind == "tcp":
            with self._lock:
                self.counters["connections"] += 1

        def feed(data: bytes) -> None:
            with self._lock:
                if self.state is SimState.SILENT:
                    return  # switched off: nothing is received at all
                self.counters["received"] += len(data)
            answer = interp.feed(data)
            if answer:
                link.send(answer)

        return feed

    def close(self) -> None:
        """Power off: stop listening and drop every connection at once."""
        self.endpoint.close()

    def __enter__(self) -> Self:
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
