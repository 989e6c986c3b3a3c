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
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from devices.endpoints import Endpoint, Link
from devices.idcard.card import IdCard, build_text, encode_address
from devices.idcard.errors import BadLength, ChecksumMismatch, FrameError
from devices.idcard.protocol import PREAMBLE, SW_FOUND, SW_OK, Answer, Command, FrameDecoder, answer, sam_id_bytes
from devices.idcard.samples import SAMPLE_CARDS

__all__ = ["DEFAULT_SAM_ID", "FAULTS", "SAMPLE_CARDS", "Fault", "SamSimulator"]

log = logging.getLogger(__name__)

DEFAULT_SAM_ID = "05.01-20231108-0000441702-1234567890"
FAULTS = {"corrupt_checksum", "truncated", "garbage", "garbage_after", "slow", "no_answer", "unplug",
          "removed_mid_read", "no_card", "status"}
_DEFAULT_ON = {"slow": "read", "removed_mid_read": "read", "truncated": "read"}
@dataclass
class Fault:
    kind: str
    on: str | None  # a command name, or None for any command
    count: int
    params: dict[str, Any] = field(default_factory=dict)


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
        self.endpoint = Endpoint(self._connection, name="sam-sim", baud=baud, pace=pace)
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

    # -- the line: a pty, and TCP on demand ----------------------------------------------------------
    @property
    def port(self) -> str:
        """The pty's path (it changes on :meth:`replug`, as a USB adapter's might)."""
        return self.endpoint.port

    @property
    def plugged(self) -> bool:
        return self.endpoint.plugged

    @property
    def held_unplugged(self) -> bool:
        return self.endpoint.held_unplugged

    def replug(self) -> str:
        """(Re)connect the pty; the path changes, as a USB adapter's might. Returns the new path."""
        return self.endpoint.plug()

    def unplug(self, hold: bool = False) -> None:
        """Pull the cable: the pty closes and the driver's next read fails. ``hold`` keeps it
        pulled when the driver reopens (``sim://?unplugged=1``) until :meth:`replug` is called."""
        self.endpoint.unplug(hold)

    def listen_tcp(self, port: int = 0) -> str:
        """Also serve ``socket://127.0.0.1:PORT`` (0 picks a free port); returns that URL."""
        host, bound = self.endpoint.listen(port)
        self.tcp_url = f"socket://{host}:{bound}"
        return self.tcp_url

    def _connection(self, link: Link) -> Callable[[bytes], None]:
        """A new connection: its own frame decoder, and when each command's first byte came."""
        decoder = FrameDecoder("command")
        first_at = 0.0

        def feed(data: bytes) -> None:
            nonlocal first_at
            if not decoder.pending:
                first_at = time.perf_counter()
            for item in decoder.feed(data):
                self._serve(item, link, first_at)
                first_at = time.perf_counter()

        return feed

    # -- the reader's logic ----------------------------------------------------------------------
    def _serve(self, item: Command | Answer | FrameError, link: Link, first_at: float) -> None:
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

    def _reply(self, link: Link, frame: bytes, fault: Fault | None) -> None:
        if fault is None:
            link.send(frame)
            return
        kind = fault.kind
        if kind == "corrupt_checksum":
            frame = frame[:-1] + bytes((frame[-1] ^ 0x5A,))
        if kind == "garbage":
            link.send(self._garbage(fault))
        if kind in ("truncated", "unplug"):
            cut = int(fault.params.get("cut", len(frame) // 2))
            link.send(frame[:cut])
            if kind == "unplug":
                if link.kind == "pty":
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
        if fault is not None and kind == "status":
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
        self._fault_gen += 1
        self.endpoint.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
