"""The SAM serial frame codec and command set (GA 467 style readers).

Command: ``AA AA AA 96 69 | LEN(2, BE) | CMD PARA DATA | CHK``;
answer:  ``AA AA AA 96 69 | LEN(2, BE) | SW1 SW2 SW3 DATA | CHK``.
``LEN`` counts everything after itself including ``CHK``; ``CHK`` is the XOR of LEN..DATA.

:class:`FrameDecoder` is a streaming decoder: bytes in, frames (or its own typed errors) out. It
scans for the preamble, so garbage before a frame is skipped, and it never loses a valid frame
that follows a bogus header: a header whose checksum fails is dropped one byte at a time (a real
frame may start inside it), and a header still waiting for bytes gives way to a complete, valid
frame found later in the buffer (a reader sends one answer per command, so the later frame wins),
and a complete frame gives way to a valid frame that starts inside it and ends after it. One case
stays ambiguous: noise holding a plausible header (preamble, sane length, SW1 SW2 = 00 00) whose
checksum happens to match is taken for a frame if it completes before the real frame arrives.
It never raises on any input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from devices.idcard.errors import BadLength, ChecksumMismatch, FrameError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 4096  # largest LEN accepted; the biggest real answer (text+photo+fingerprint) is 2314

# name -> (CMD, PARA, vendor timeout in seconds)
COMMANDS: dict[str, tuple[int, int, float]] = {
    "reset": (0x10, 0xFF, 0.3),
    "sam_status": (0x11, 0xFF, 0.3),
    "sam_id": (0x12, 0xFF, 0.3),
    "find": (0x20, 0x01, 0.5),
    "select": (0x20, 0x02, 0.5),
    "read": (0x30, 0x01, 3.5),  # text + photo
    "read_fp": (0x30, 0x10, 3.5),  # text + photo + fingerprint
    "address": (0x30, 0x03, 1.0),  # appended address (new residence written after issue)
    "mgmt_number": (0x30, 0x05, 1.0),
    "rf_frame": (0x61, 0xFF, 0.3),  # maximum RF frame size; one data byte
}
COMMAND_NAMES: dict[tuple[int, int], str] = {(c, p): n for n, (c, p, _) in COMMANDS.items()}

SW_OK = 0x90
SW_FOUND = 0x9F

Kind = Literal["answer", "command"]


def xor(data: bytes | bytearray) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""

    @property
    def name(self) -> str:
        return COMMAND_NAMES.get((self.cmd, self.para), f"{self.cmd:02X}/{self.para:02X}")

    def encode(self) -> bytes:
        return encode_frame(bytes((self.cmd, self.para)) + self.data)


@dataclass(frozen=True)
class Answer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW_OK, SW_FOUND)

    def encode(self) -> bytes:
        return encode_frame(bytes((self.sw1, self.sw2, self.sw3)) + self.data)

    def __repr__(self) -> str:  # the data is personal: show its size only
        return f"Answer(sw={self.sw1:02X}{self.sw2:02X}{self.sw3:02X}, {len(self.data)} data bytes)"


def encode_frame(body: bytes) -> bytes:
    """Preamble, length, body and checksum."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes((xor(head + body),))


def command(name: str, data: bytes = b"") -> Command:
    cmd, para, _ = COMMANDS[name]
    return Command(cmd, para, data)


def answer(sw3: int, data: bytes = b"") -> Answer:
    return Answer(0, 0, sw3, data)


class FrameDecoder:
    """Streaming decoder (see the module docstring). ``kind`` is ``answer`` (host side) or ``command``."""

    def __init__(self, kind: Kind = "answer", max_len: int = MAX_LEN) -> None:
        self.kind = kind
        self.header = 3 if kind == "answer" else 2
        self.max_len = max_len
        self._buf = bytearray()
        self.discarded = 0  # bytes dropped as garbage since creation

    @property
    def pending(self) -> int:
        """Bytes held (a partial frame, or a partial preamble)."""
        return len(self._buf)

    def in_frame(self) -> bool:
        """True while a plausible frame has started and is waiting for its remaining bytes."""
        return len(self._buf) >= 7 and self._buf.startswith(PREAMBLE) and self._plausible(0) is not None

    def needed(self) -> int:
        """Bytes still missing for the frame in progress (0 when none is known to be in progress)."""
        if not self.in_frame():
            return 0
        total = 7 + int.from_bytes(self._buf[5:7], "big")
        return max(0, total - len(self._buf))

    def reset(self) -> int:
        """Drop everything held; returns how many bytes were dropped."""
        n = len(self._buf)
        self.discarded += n
        self._buf.clear()
        return n

    def feed(self, data: bytes) -> list[Command | Answer | FrameError]:
        """The frames completed by ``data``, and the errors met on the way, in stream order."""
        self._buf.extend(data)
        out: list[Command | Answer | FrameError] = []
        while True:
            start = self._buf.find(PREAMBLE)
            if start < 0:
                self._drop(_keep_partial_preamble(self._buf))
                return out
            if start:
                self._drop(len(self._buf) - start)
            if len(self._buf) < 7:
                return out
            length = self._plausible(0)
            if length is None:
                out.append(BadLength(int.from_bytes(self._buf[5:7], "big")))
                self._drop(len(self._buf) - 1)
                continue
            total = 7 + length
            if len(self._buf) < total:
                later = self._later_valid_frame()
                if later is None:
                    return out
                self._drop(len(self._buf) - later)
                continue
            body = bytes(self._buf[7:total - 1])
            expected = xor(self._buf[5:total - 1])
            got = self._buf[total - 1]
            if expected != got:
                out.append(ChecksumMismatch(expected, got))
                self._drop(len(self._buf) - 1)  # a real frame may begin inside this one
                continue
            later = self._later_valid_frame(straddling=total)
            if later is not None:  # a whole frame starts inside this one and ends after it: this is noise
                self._drop(len(self._buf) - later)
                continue
            del self._buf[:total]
            out.append(self._frame(body))

    # -- internals ------------------------------------------------------------------------------
    def _plausible(self, at: int) -> int | None:
        """LEN of the header at ``at`` if it can be a frame of our kind, else None."""
        length = int.from_bytes(self._buf[at + 5:at + 7], "big")
        if length < self.header + 1 or length > self.max_len:
            return None
        if self.kind == "answer" and len(self._buf) >= at + 9 and (self._buf[at + 7] or self._buf[at + 8]):
            return None  # SW1 SW2 are 00 00 on every known reader
        return length

    def _later_valid_frame(self, straddling: int = 0) -> int | None:
        """Offset of a complete, valid frame after the head of the buffer, if there is one.

        With ``straddling`` (the head frame's size), only frames that start inside the head frame
        and end after it count: a frame wholly inside another is data, not a frame.
        """
        stop = straddling + len(PREAMBLE) - 1 if straddling else len(self._buf)  # starts before the end
        pos = self._buf.find(PREAMBLE, 1, stop)
        while pos > 0:
            if len(self._buf) >= pos + 7:
                length = self._plausible(pos)
                end = pos + 7 + (length or 0)
                if length is not None and len(self._buf) >= end > straddling \
                        and xor(self._buf[pos + 5:end - 1]) == self._buf[end - 1]:
                    return pos
            pos = self._buf.find(PREAMBLE, pos + 1, stop)
        return None

    def _drop(self, keep: int) -> None:
        """Drop all but the last ``keep`` bytes of the buffer."""
        n = len(self._buf) - keep
        if n > 0:
            del self._buf[:n]
            self.discarded += n

    def _frame(self, body: bytes) -> Command | Answer:
        if self.kind == "answer":
            return Answer(body[0], body[1], body[2], body[3:])
        return Command(body[0], body[1], body[2:])


def _keep_partial_preamble(buf: bytearray) -> int:
    """How many trailing bytes of ``buf`` could be the start of a preamble."""
    for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf.endswith(PREAMBLE[:k]):
            return k
    return 0


def decode_one(data: bytes, kind: Kind = "answer") -> Command | Answer:
    """Exactly one frame from ``data`` (strict: raises the codec's typed errors)."""
    from devices.idcard.errors import TruncatedFrame

    decoder = FrameDecoder(kind)
    for item in decoder.feed(data):
        if isinstance(item, FrameError):
            raise item
        return item
    need = 7 + int.from_bytes(data[5:7], "big") if len(data) >= 7 else 7
    raise TruncatedFrame(len(data), need)


def sam_id_text(data: bytes) -> str:
    """The SAM ID as vendors print it (``05.01-20231108-0000441702-1234567890``) from its 16 bytes."""
    if len(data) < 16:
        raise ValueError("SAM ID answer shorter than 16 bytes")
    a, b = (int.from_bytes(data[i:i + 2], "little") for i in (0, 2))
    c, d, e = (int.from_bytes(data[i:i + 4], "little") for i in (4, 8, 12))
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def sam_id_bytes(text: str) -> bytes:
    """The inverse of :func:`sam_id_text` (for the simulator)."""
    head, c, d, e = text.split("-")
    a, b = head.split(".")
    return (int(a).to_bytes(2, "little") + int(b).to_bytes(2, "little") + int(c).to_bytes(4, "little")
            + int(d).to_bytes(4, "little") + int(e).to_bytes(4, "little"))
