"""A SAM ID card reader on the far end of a pty (and, on demand, a TCP port for ``socket://``).

It speaks the real frame protocol (:mod:`devices.idcard.protocol`), paces its bytes at the
configured baud rate (a 1295-byte read answer takes 112 ms at 115200, as on the wire), holds one
virtual card at a time (``place(card)`` / ``remove()``) and injects faults on demand::

    sim.inject("corrupt_checksum")            # the next answer's checksum byte is wrong
    sim.inject("truncated", on="read")        # the next read answer stops half-way
    sim.inject("garbage")                     # noise (with a partial preamble) before the next answer
    sim.inject("slow", on="read", delay_s=2)  # the card takes 2 s to answer
    sim.inject("no_answer")                   # the reader stays silent once
    sim.inject("unplug", on="read")           # the cable is pulled half-way through the answer
    sim.inject("removed_mid_read")            # the citizen lifts the card during the read (SW3 41)
    sim.inject("no_card", count=3)            # find/select/read see no card three times
    sim.inject("status", on="sam_status", sw3=0x60)  # any status word

``count`` says how many matching commands the fault applies to (default 1).
"""

from __future__ import annotations

import logging
import os
import random
import select
import socket
import threading
import time
import tty
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from devices.idcard.card import IdCard, build_text, encode_address
from devices.idcard.errors import BadLength, ChecksumMismatch, FrameError
from devices.idcard.protocol import (PREAMBLE, SW_FOUND, SW_OK, Answer, Command, FrameDecoder, answer,
                                     sam_id_bytes)
from devices.idcard.samples import SAMPLE_CARDS

__all__ = ["DEFAULT_SAM_ID", "FAULTS", "SAMPLE_CARDS", "Fault", "SamSimulator"]

log = logging.getLogger(__name__)

DEFAULT_SAM_ID = "05.01-20231108-0000441702-1234567890"
FAULTS = {"corrupt_checksum", "truncated", "garbage", "garbage_after", "slow", "no_answer", "unplug",
          "removed_mid_read", "no_card", "status"}
_DEFAULT_ON = {"slow": "read", "removed_mid_read": "read", "truncated": "read"}
CHUNK = 64  # bytes written at a time when pacing


@dataclass
class Fault:
    kind: str
    on: str | None  # a command name, or None for any command
    count: int
    params: dict[str, Any] = field(default_factory=dict)


class _Link:
    """One connection (the pty master, or one TCP client): paced writes, closable from any thread."""

    def __init__(self, write: Callable[[bytes], int], close: Callable[[], None], baud: int,
                 pace: bool) -> None:
        self._write = write
        self._close = close
        self.baud = baud
        self.pace = pace
        self.lock = threading.Lock()
        self.closed = False

    def byte_time(self, n: int) -> float:
        return n * 10 / self.baud if self.pace else 0.0

    def send(self, data: bytes) -> None:
        started = time.perf_counter()
        sent = 0
        while sent < len(data) and not self.closed:
            chunk = data[sent:sent + CHUNK]
            wait = started + self.byte_time(sent + len(chunk)) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            with self.lock:
                if self.closed:
                    return
                try:
                    n = self._write(chunk)
                except BlockingIOError:
                    n = 0
                except OSError:
                    self.closed = True
                    return
            if n == 0:
                time.sleep(0.001)
            sent += n

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            try:
                self._close()
            except OSError:
                pass


class SamSimulator:
    """The reader: pty at :attr:`port`, optional TCP at :attr:`tcp_url`; see the module docstring."""

    def __init__(self, baud: int = 115200, card: IdCard | str | None = None, tcp_port: int | None = None,
                 sam_id: str = DEFAULT_SAM_ID, pace: bool = True, reread_quirk: bool = False,
                 rf_delay_s: float = 0.0, seed: int = 4417) -> None:
        self.baud = baud
        self.pace = pace
        self.sam_id = sam_id
        self.reread_quirk = reread_quirk  # after a read, find answers 80 until the card is lifted
        self.rf_delay_s = rf_delay_s  # time the card itself takes to answer a read (0: wire time only)
        self.commands: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._card: IdCard | None = None
        self._appended: str | None = None
        self._selected = False
        self._halted = False
        self._faults: list[Fault] = []
        self._fault_gen = 0  # bumped by clear_faults/close: cuts a "slow" fault's sleep short
        self._pty: _Link | None = None
        self._slave: int | None = None
        self._server: socket.socket | None = None
        self._tcp_links: list[_Link] = []
        self._stopped = threading.Event()
        self.held_unplugged = False
        self._reserved: int | None = None
        self.port = ""
        self.tcp_url: str | None = None
        if card is not None:
            self.place(card)
        self.replug()
        if tcp_port is not None:
            self.listen_tcp(tcp_port)

    # -- cards -----------------------------------------------------------------------------------
    @property
    def card(self) -> IdCard | None:
        return self._card

    def place(self, card: IdCard | str, appended_address: str | None = None) -> IdCard:
        """Put a card on the reader (an :class:`IdCard` or a name in ``SAMPLE_CARDS``)."""
        if isinstance(card, str):
            try:
                card = SAMPLE_CARDS[card]
            except KeyError:
                known = ", ".join(sorted(SAMPLE_CARDS))
                raise ValueError(f"no sample card {card!r}; known: {known}") from None
        build_text(card)  # refuse a card that cannot be written now rather than on the wire later
        with self._lock:
            self._card = card
            self._appended = appended_address
            self._selected = self._halted = False
        return card

    def remove(self) -> None:
        with self._lock:
            self._card = None
            self._appended = None
            self._selected = self._halted = False

    # -- faults ----------------------------------------------------------------------------------
    def inject(self, kind: str, count: int = 1, on: str | None = "", **params: Any) -> None:
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(sorted(FAULTS))}")
        target = _DEFAULT_ON.get(kind) if on == "" else on
        with self._lock:
            self._faults.append(Fault(kind, target, count, params))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fault_gen += 1

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def _take_fault(self, name: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.on in (None, name) and (fault.kind != "no_card" or name in ("find", "select", "read",
                                                                                     "read_fp")):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- pty -------------------------------------------------------------------------------------
    def replug(self) -> str:
        """(Re)connect the pty; the path changes, as a USB adapter's might. Returns the new path."""
        with self._lock:
            self.held_unplugged = False
            self._release_reserved()
            if self._pty is not None and not self._pty.closed:
                return self.port
            self._stopped.clear()
            master, slave = os.openpty()
            tty.setraw(slave)
            os.set_blocking(master, False)

            def close() -> None:
                os.close(master)
                os.close(slave)

            link = _Link(lambda b: os.write(master, b), close, self.baud, self.pace)
            self._pty, self._slave = link, slave
            self.port = os.ttyname(slave)
        threading.Thread(target=self._serve_pty, args=(link, master), name="sam-sim-pty", daemon=True).start()
        return self.port

    def unplug(self, hold: bool = False) -> None:
        """Pull the cable: the pty master closes and the driver's next read fails. ``hold`` keeps it
        pulled when the driver reopens (``sim://?unplugged=1``) until :meth:`replug` is called."""
        with self._lock:
            self.held_unplugged = hold
            link = self._pty
            if hold and link is not None and not link.closed and self._slave is not None:
                # keep the pty's number taken, so another simulator's pty cannot reappear at our old path
                self._reserved = os.dup(self._slave)
        if link is not None:
            link.close()

    def _release_reserved(self) -> None:
        if self._reserved is not None:
            os.close(self._reserved)
            self._reserved = None

    @property
    def plugged(self) -> bool:
        return self._pty is not None and not self._pty.closed

    def _serve_pty(self, link: _Link, master: int) -> None:
        decoder = FrameDecoder("command")
        first_at = 0.0
        while not link.closed:
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
            except (OSError, ValueError):
                break
            if not ready:
                continue
            with link.lock:
                if link.closed:
                    break
                try:
                    data = os.read(master, 4096)
                except BlockingIOError:
                    continue
                except OSError:  # EIO: nobody has the slave open (the driver closed it); keep listening
                    data = b""
            if not data:
                time.sleep(0.01)
                continue
            if not decoder.pending:
                first_at = time.perf_counter()
            for item in decoder.feed(data):
                self._serve(item, link, first_at)
                first_at = time.perf_counter()

    # -- tcp -------------------------------------------------------------------------------------
    def listen_tcp(self, port: int = 0) -> str:
        """Also serve ``socket://127.0.0.1:PORT`` (0 picks a free port); returns that URL."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(2)
        server.settimeout(0.2)
        self._server = server
        self.tcp_url = f"socket://127.0.0.1:{server.getsockname()[1]}"
        threading.Thread(target=self._accept, args=(server,), name="sam-sim-tcp", daemon=True).start()
        return self.tcp_url

    def _accept(self, server: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(conn.send, conn.close, self.baud, self.pace)
            self._tcp_links.append(link)
            threading.Thread(target=self._serve_tcp, args=(link, conn), name="sam-sim-conn",
                             daemon=True).start()

    def _serve_tcp(self, link: _Link, conn: socket.socket) -> None:
        decoder = FrameDecoder("command")
        conn.settimeout(0.1)
        first_at = 0.0
        while not link.closed and not self._stopped.is_set():
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            if not decoder.pending:
                first_at = time.perf_counter()
            for item in decoder.feed(data):
                self._serve(item, link, first_at)
                first_at = time.perf_counter()
        link.close()

    # -- the reader's logic ----------------------------------------------------------------------
    def _serve(self, item: Command | Answer | FrameError, link: _Link, first_at: float) -> None:
        """Answer one command as the reader would, faults included."""
        if isinstance(item, ChecksumMismatch):
            self._reply(link, answer(0x10).encode(), None)
            return
        if isinstance(item, (BadLength, FrameError)) or not isinstance(item, Command):
            self._reply(link, answer(0x11).encode(), None)
            return
        name = item.name
        self.commands[name] += 1
        # the command's own bytes took this long on the wire
        wait = first_at + link.byte_time(len(item.encode())) - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        fault = self._take_fault(name)
        if fault is not None:
            log.debug("SAM simulator: fault %s on %s", fault.kind, name)
        if fault is not None and fault.kind == "slow":
            gen, end = self._fault_gen, time.monotonic() + float(fault.params.get("delay_s", 1.0))
            while time.monotonic() < end and gen == self._fault_gen and not link.closed:
                time.sleep(0.01)
        if fault is not None and fault.kind == "no_answer":
            return
        frame = self._answer(item, fault).encode()
        self._reply(link, frame, fault)

    def _reply(self, link: _Link, frame: bytes, fault: Fault | None) -> None:
        kind = fault.kind if fault is not None else ""
        if kind == "corrupt_checksum":
            frame = frame[:-1] + bytes((frame[-1] ^ 0x5A,))
        if kind == "garbage":
            link.send(self._garbage(fault))
        if kind in ("truncated", "unplug"):
            cut = int(fault.params.get("cut", len(frame) // 2))
            link.send(frame[:cut])
            if kind == "unplug":
                if link is self._pty:
                    self.unplug()
                else:
                    link.close()
            return
        link.send(frame)
        if kind == "garbage_after":
            link.send(self._garbage(fault))

    def _garbage(self, fault: Fault) -> bytes:
        data = fault.params.get("data")
        if data is not None:
            return bytes(data)
        n = int(fault.params.get("size", 37))
        noise = bytes(self._rng.randrange(256) for _ in range(n))
        return noise + PREAMBLE[:3] + b"\x55"  # a partial preamble too: the decoder must not latch on it

    def _answer(self, cmd: Command, fault: Fault | None) -> Answer:
        kind = fault.kind if fault is not None else ""
        if kind == "status":
            return answer(int(fault.params.get("sw3", 0x24)))
        name = cmd.name
        with self._lock:
            card = None if kind == "no_card" else self._card
            if name in ("reset", "sam_status"):
                return answer(SW_OK)
            if name == "sam_id":
                return answer(SW_OK, sam_id_bytes(self.sam_id))
            if name == "rf_frame":
                return answer(SW_OK, b"\x50")
            if name == "find":
                if card is None or self._halted:
                    return answer(0x80)
                return answer(SW_FOUND, b"\x00\x00\x00\x00")
            if name == "select":
                if card is None:
                    return answer(0x81)
                self._selected = True
                return answer(SW_OK, b"\x00" * 8)
            if name in ("read", "read_fp"):
                if card is None or not self._selected:
                    return answer(0x41)
                if kind == "removed_mid_read":
                    self._card = None
                    self._selected = False
                    return answer(0x41)
                if self.rf_delay_s:
                    time.sleep(self.rf_delay_s)
                text, photo = build_text(card), card.photo.ljust(1024, b"\x00")[:1024]
                self._halted = self.reread_quirk
                if name == "read":
                    return answer(SW_OK, b"\x01\x00\x04\x00" + text + photo)
                fp = card.fingerprint or b""
                return answer(SW_OK, b"\x01\x00\x04\x00" + len(fp).to_bytes(2, "big") + text + photo + fp)
            if name == "address":
                if card is None:
                    return answer(0x41)
                if not self._appended:
                    return answer(0x91)
                return answer(SW_OK, encode_address(self._appended))
            if name == "mgmt_number":
                return answer(SW_OK, b"\x00" * 8) if card is not None else answer(0x41)
        return answer(0x21)

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop everything: the pty, the TCP listener and its clients."""
        self._stopped.set()
        self._fault_gen += 1
        self.unplug()
        with self._lock:
            self._release_reserved()
        if self._server is not None:
            try:
                self._server.close()
            except OSError:
                pass
            self._server = None
        for link in self._tcp_links:
            link.close()
        self._tcp_links.clear()

    def __enter__(self) -> "SamSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
