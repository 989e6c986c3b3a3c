"""The dedicated serial QR scanner module: one decoded code per CR/LF-terminated line.

Most kiosk scanner modules (Newland, Honeywell, Zebra OEM engines) decode on board and, in their
serial (or USB-CDC) mode, send each code's text followed by CR, LF or CR LF. The driver opens any
pyserial URL (``/dev/ttyACM0``, ``socket://h:p``, ``rfc2217://…``) with ``serial_for_url``, reads in a
thread, splits lines and hands each code on as the same :class:`~devices.qr.codes.QrCode` a camera
gives (``decoder="scanner"``). What cannot be a code is dropped and counted, never raised at the
caller: a line with control bytes (line noise at a wrong baud rate), a line that is not UTF-8, a
line longer than ``max_line`` bytes, a fragment left without its terminator for ``idle_s``. When the
port disappears the device turns OFFLINE and the thread reopens it with a growing back-off.

``sim://`` starts :class:`ScannerSimulator` on a pty: ``scanner.simulator.scan(text)`` types a code
(``sim://?unplugged=1``: its cable pulled until ``replug()``). :data:`OPTIONS` declares the options.
"""

from __future__ import annotations

import codecs
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import serial

from devices.base import Device, DeviceState, HealthLevel
from devices.delivery import Listeners, NewestQueue
from devices.endpoints import Endpoint
from devices.options import Declaration, Option, baud_option, between, interactive_option, reconnect_options
from devices.qr.codes import QrCode, QrError
from devices.reconnect import Backoff, keep_connected

log = logging.getLogger(__name__)

MAX_LINE = 4096  # bytes; a version-40 QR code holds at most 2953 bytes


class ScanRejected(QrError):
    """A line from the scanner that is not a usable code; ``reason``: garbage, undecodable, overlong, partial."""

    MESSAGES_ZH: ClassVar[dict[str, str]] = {
        "garbage": "扫码器数据异常，请重新扫码。",
        "undecodable": "无法识别该二维码的内容，请重新扫码。",
        "overlong": "二维码内容过长，无法识别。",
        "partial": "扫码不完整，请重新扫码。",
    }

    def __init__(self, reason: str, length: int) -> None:
        super().__init__(f"scanner line rejected: {reason} ({length} bytes)", self.MESSAGES_ZH[reason])
        self.reason = reason
        self.length = length


@dataclass
class LineSplitter:
    """Bytes in, lines out: CR, LF and CR LF end a line; bounded; each line checked and decoded."""

    max_line: int = MAX_LINE
    encoding: str = "utf-8"
    _buf: bytearray = field(default_factory=bytearray)
    _overflow: bool = False
    _overflow_len: int = 0

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[str | ScanRejected]:
        """The complete lines in ``data`` (with what came before): texts, or rejections saying why."""
        out: list[str | ScanRejected] = []
        start = 0
        for i, byte in enumerate(data):
            if byte in (0x0D, 0x0A):
                self._take(data[start:i])
                out.extend(self._end_line())
                start = i + 1
        self._take(data[start:])
        return out

    def _take(self, chunk: bytes) -> None:
        if self._overflow or not chunk:
            return
        if len(self._buf) + len(chunk) > self.max_line:
            self._overflow = True
            self._overflow_len = len(self._buf) + len(chunk)
            self._buf.clear()
            return
        self._buf.extend(chunk)

    def _end_line(self) -> list[str | ScanRejected]:
        if self._overflow:
            self._overflow = False
            return [ScanRejected("overlong", self._overflow_len)]
        line = bytes(self._buf)
        self._buf.clear()
        if not line.strip(b" \t"):
            return []  # the LF of a CR LF, or a blank line
        return [check_line(line, self.encoding)]

    def flush_partial(self) -> ScanRejected | None:
        """Drop a fragment that never got its terminator (called after ``idle_s`` of silence)."""
        if self._overflow:
            self._overflow = False
            return ScanRejected("overlong", self._overflow_len)
        if not self._buf:
            return None
        n = len(self._buf)
        self._buf.clear()
        return ScanRejected("partial", n)


def check_line(line: bytes, encoding: str = "utf-8") -> str | ScanRejected:
    """A scanner line's text, or why it is not one."""
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        text = line.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return ScanRejected("undecodable", len(line))
    text = text.strip(" \t")
    if any((ord(ch) < 0x20 and ch != "\t") or ord(ch) == 0x7F for ch in text):
        return ScanRejected("garbage", len(line))
    return text


class QrScanner(Device):
    """A serial QR scanner module behind a reader thread (see the module docstring)."""

    kind = "qr_scanner"

    def __init__(self, url: str, name: str | None = None, required: bool = False, baud: int = 115200,
                 port: str | Callable[[], str] | None = None, max_line: int = MAX_LINE, idle_s: float = 0.5,
                 encoding: str = "utf-8", reconnect_s: float = 0.5, reconnect_max_s: float = 5.0,
                 interactive_timeout_s: float = 15.0) -> None:
        super().__init__(url, name, required)
        self.baud = baud
        self._port = port if port is not None else url
        self.max_line = max_line
        self.idle_s = idle_s
        self.encoding = encoding
        self.reconnect_s = reconnect_s
        self.reconnect_max_s = reconnect_max_s
        self.interactive_timeout_s = interactive_timeout_s
        self.simulator: ScannerSimulator | None = None
        self.queue: NewestQueue[QrCode] = NewestQueue(32)  # nobody reading it: the newest scans are kept
        self.rejected: deque[ScanRejected] = deque(maxlen=20)
        self.listeners: Listeners[QrCode] = Listeners(f"QR scanner {self.name}", self.counters)
        self._serial: serial.SerialBase | None = None
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread: threading.Thread | None = None
        for key in ("scans", "rejected", "garbage", "undecodable", "overlong", "partial", "open_failures", "losses",
                    "reconnects", "callback_errors", "errors"):
            self.counters[key] = 0

    @property
    def port(self) -> str:
        return self._port() if callable(self._port) else self._port

    # -- listeners -------------------------------------------------------------------------
    def add_listener(self, fn: Callable[[QrCode], Any]) -> None:
        """Call ``fn(code)`` (on the scanner's thread) for every scanned code."""
        self.listeners.add(fn)

    def remove_listener(self, fn: Callable[[QrCode], Any]) -> None:
        self.listeners.remove(fn)

    def read(self, timeout: float | None = None) -> QrCode | None:
        """The next scanned code, or None after ``timeout`` seconds."""
        return self.queue.get(timeout)

    # -- lifecycle -------------------------------------------------------------------------
    def _open(self) -> None:
        self._set_state(DeviceState.OFFLINE)
        self._stop.clear()
        self._opened.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner-{self.name}", daemon=True)
        self._thread.start()
        self._opened.wait(2.0)

    def _close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _connect(self) -> serial.SerialBase:
        return serial.serial_for_url(self.port, baudrate=self.baud, timeout=0.05)

    def _run(self) -> None:
        keep_connected(self, self._stop, self._connect, self._pump, lambda ser: ser.close(),
                       Backoff(self.reconnect_s, self.reconnect_max_s),
                       connect_errors=(serial.SerialException, OSError, ValueError),
                       loss_errors=(serial.SerialException, OSError), on_up=self._port_up, on_down=self._port_down,
                       attempted=self._opened, what=f"QR scanner {self.name} at {self.url}")

    def _port_up(self, ser: serial.SerialBase) -> None:
        self._serial = ser

    def _port_down(self, ser: serial.SerialBase) -> None:
        self._serial = None

    def _pump(self, ser: serial.SerialBase) -> None:
        splitter = LineSplitter(self.max_line, self.encoding)
        last_byte = time.monotonic()
        while not self._stop.is_set():
            data = ser.read(max(1, min(ser.in_waiting, 4096)))
            now = time.monotonic()
            if data:
                last_byte = now
                for item in splitter.feed(data):
                    self._deliver(item)
            elif splitter.pending and now - last_byte > self.idle_s:
                rejected = splitter.flush_partial()
                if rejected is not None:
                    self._deliver(rejected)

    def _deliver(self, item: str | ScanRejected) -> None:
        if isinstance(item, ScanRejected):
            self.counters["rejected"] += 1
            self.counters[item.reason] += 1
            self.rejected.append(item)
            self.last_error = item.message_en
            self.last_error_at = time.time()
            log.info("QR scanner %s: %s", self.name, item.message_en)
            return
        code = QrCode(source=self.name, at=time.time(), text=item, decoder="scanner",
                      raw=item.encode(self.encoding, errors="replace"))
        self.counters["scans"] += 1
        self.queue.put(code)
        self.listeners.emit(code)

    # -- health ----------------------------------------------------------------------------
    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        details: dict[str, Any] = {"port": self.port, "baud": self.baud}
        if self.state is not DeviceState.ONLINE:
            return False, f"QR scanner {self.state.value}: {self.last_error or ''}".strip(), \
                "扫码器未连接，请联系工作人员。", details
        if level is HealthLevel.INTERNAL:
            return True, "port open", "扫码器已连接", details
        ser = self._serial
        if ser is None:
            return False, "port closed", "扫码器未连接，请联系工作人员。", details
        if level is HealthLevel.EXTERNAL:
            # a plain scanner has no query command: ask the port itself (fails once it is unplugged)
            details["in_waiting"] = ser.in_waiting
            return True, "port answers (line-mode scanners have no status query)", "扫码器连接正常", details
        listener_queue: queue.Queue[QrCode] = queue.Queue()
        self.add_listener(listener_queue.put)
        try:
            code = listener_queue.get(timeout=self.interactive_timeout_s)
        except queue.Empty:
            return False, f"no scan in {self.interactive_timeout_s:g} s", "未收到扫码，请将二维码对准扫码器。", details
        finally:
            self.remove_listener(listener_queue.put)
        from service.contract.privacy import mask_text

        details["qr"] = mask_text(code.text[:80])
        return True, "a code was scanned", "扫码器扫码正常", details


class ScannerSimulator:
    """A scanner module on the far end of a pty: it 'scans' by writing the code and a terminator."""

    def __init__(self) -> None:
        self.endpoint = Endpoint(lambda link: _ignore, name="scanner-sim")  # the driver sends nothing
        self.replug()

    @property
    def port(self) -> str:
        """The pty's path; empty while unplugged (the device node is gone, as /dev/ttyACM0 goes when a USB
        scanner is pulled), so the driver never opens another simulator's pty at the old number."""
        return self.endpoint.port if self.endpoint.plugged else ""

    def replug(self) -> None:
        """(Re)connect: a new pty; the driver reopens the new port by itself."""
        self.endpoint.plug()

    def send(self, data: bytes) -> None:
        """Raw bytes down the line (for faults: noise, partial lines, bad encodings)."""
        link = self.endpoint.pty
        if link is None:
            raise OSError("scanner simulator is unplugged")
        link.send(data)

    def scan(self, text: str | bytes, terminator: bytes = b"\r\n", encoding: str = "utf-8") -> None:
        """Scan a code: its text then the terminator, as the module would send it."""
        payload = text.encode(encoding) if isinstance(text, str) else text
        self.send(payload + terminator)

    def unplug(self) -> None:
        """Pull the cable: the driver's next read fails."""
        self.endpoint.unplug()

    def close(self) -> None:
        self.endpoint.close()


def _ignore(data: bytes) -> None:
    """What the scanner makes of bytes the driver sends: nothing (line-mode scanners take no commands)."""


def _encoding(name: str) -> str | None:
    try:
        codecs.lookup(name)
    except LookupError:
        return "is not a text encoding Python knows (utf-8, gb18030 …)"
    return None


OPTIONS = Declaration(
    kind="qr_scanner", what="QR scanner", default_url="", required=False,
    url_doc="the scanner's serial port: a device path or any pyserial URL, or `sim://` for the simulator",
    options=(
        baud_option("serial speed of the scanner's line"),
        Option("max_line", int, MAX_LINE, "longest code accepted, in bytes (a version-40 QR code holds 2953)",
               between(16, 65536)),
        Option("idle_s", float, 0.5, "a code left without its line end for this long is dropped", between(0.01, 10)),
        Option("encoding", str, "utf-8", "how the scanner encodes text (set in its configuration)", _encoding),
        *reconnect_options("scanner"),
        interactive_option("scan"),
    ),
    url_options={"sim": (Option("unplugged", bool, False, "the cable pulled from the start"),)},
)


def for_url(url: str, name: str | None = None, required: bool = False, **options: Any) -> QrScanner:
    """Build (not open) the scanner at ``url``: any pyserial URL or path, or ``sim://`` for the simulator.

    Its options and the simulator's URL options are declared in :data:`OPTIONS`; any other is refused.
    """
    url, opts, query = OPTIONS.arguments(url, options)
    if url.startswith("sim://"):
        sim = ScannerSimulator()
        if query["unplugged"]:
            sim.unplug()
        scanner = QrScanner(url, name=name, required=required, port=lambda: sim.port, **opts)
        scanner.simulator = sim
        return scanner
    return QrScanner(url, name=name, required=required, **opts)
