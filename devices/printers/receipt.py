"""The ESC/POS receipt printer: python-escpos backends, GB18030 Chinese, native QR, cut, and a
real-time status check before and after every job.

Addresses (``for_url``):

* a serial path or any pyserial URL (``/dev/ttyS1``, ``/dev/ttyUSB0``, ``socket://h:p``, ``rfc2217://…``),
  also written ``escpos+serial:///dev/ttyS1`` — python-escpos ``Serial`` on a port opened with
  ``serial_for_url`` (with a write timeout, which python-escpos does not set);
* ``escpos+tcp://host:9100`` — python-escpos ``Network``;
* ``file:///path`` — python-escpos ``File`` (a printer device node or a capture file; no status:
  it reads as ``unknown`` and jobs are written);
* ``escpos+usb://VID:PID`` — python-escpos ``Usb`` when pyusb is installed (not covered by tests);
* ``sim://`` (``?state=paper_out&transport=tcp&out=DIR&paper_lines=N``) — starts the
  :class:`~devices.printers.simulator.EscposSimulator` and returns this same driver on its pty (or
  TCP port); the simulator is at ``printer.simulator``.

:data:`OPTIONS` declares the printer's options (``columns``, ``profile``, ``baud`` for a serial
printer …) and the URL options above; anything else is refused.

Status is asked with DLE EOT 1–4 ourselves, each with a timeout, because python-escpos only
asks n=1 and n=4, misses cover-open and cutter errors, and waits its full read timeout. A printer
that does not answer is OFFLINE. A job that cannot be printed — or may not have come out whole —
is kept in :attr:`ReceiptPrinter.jobs` with its application number, for :meth:`reprint`.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

import serial

from devices.base import DeviceError, DeviceOffline, DeviceState, HealthLevel
from devices.options import Declaration, Option, baud_option, between, jobs_options, one_of
from devices.printers.blocks import QR, Cut, KeyValue, Receipt, Rule, Text, Title
from devices.printers.encode import COLUMNS_80MM, encode_receipt
from devices.printers.jobs import Job, JobStore, PrintResult
from devices.printers.policy import JobPrinter, SendFailed, Sent
from devices.printers.status import (
    DLE_EOT,
    PrinterCondition,
    PrinterStatus,
    escpos_conditions,
    make_status,
    valid_status_byte,
)

log = logging.getLogger(__name__)

try:  # a pty or USB-serial adapter that vanished under an open port fails termios calls, not OSError
    import termios

    _TTY_ERRORS: tuple[type[Exception], ...] = (termios.error,)
except ImportError:  # pragma: no cover - not on Linux
    _TTY_ERRORS = ()

TRANSPORTS = ("serial", "tcp", "file", "usb")
WHAT = {"licence": "营业执照"}  # what the citizen is told was kept; receipts otherwise


class _Channel(Protocol):
    def drain(self) -> None: ...
    def write(self, data: bytes) -> None: ...
    def read1(self, timeout: float) -> int | None: ...


class _SerialChannel:
    def __init__(self, port: serial.SerialBase) -> None:
        self.port = port

    def drain(self) -> None:
        self.port.reset_input_buffer()

    def write(self, data: bytes) -> None:
        self.port.write(data)
        self.port.flush()

    def read1(self, timeout: float) -> int | None:
        self.port.timeout = timeout
        data = self.port.read(1)
        return data[0] if data else None


class _SocketChannel:
    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock = sock
        self.timeout = timeout

    def drain(self) -> None:
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            self.sock.settimeout(self.timeout)

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read1(self, timeout: float) -> int | None:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        finally:
            self.sock.settimeout(self.timeout)
        if not data:
            raise ConnectionResetError("printer closed the connection")
        return data[0]


class _UsbChannel:  # pragma: no cover - needs a USB printer
    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def drain(self) -> None:
        with contextlib.suppress(Exception):  # usb.core.USBTimeoutError: nothing waiting
            while self.backend.device.read(self.backend.in_ep, 64, 10):
                pass

    def write(self, data: bytes) -> None:
        self.backend.device.write(self.backend.out_ep, data, 1000)

    def read1(self, timeout: float) -> int | None:
        try:
            data = self.backend.device.read(self.backend.in_ep, 1, int(timeout * 1000))
        except Exception:  # noqa: BLE001 - pyusb's own errors (a timeout: no answer)
            return None
        return data[0] if len(data) else None


class ReceiptPrinter(JobPrinter):
    """An ESC/POS receipt printer behind a python-escpos backend (see the module docstring)."""

    kind = "receipt_printer"
    media = "escpos"
    KEPT_ZH: ClassVar[dict[str, str]] = {**JobPrinter.KEPT_ZH, "failed": "{what}打印中断，已保存，工作人员处理后可凭受理编号补打。",
               "interrupted": "{status}{what}可能未完整打印，已保存，可凭受理编号补打。"}

    def __init__(self, url: str, name: str | None = None, required: bool = True, transport: str = "serial",
                 target: str = "", baud: int = 115200, timeout_s: float = 3.5, status_timeout_s: float = 0.5,
                 columns: int = COLUMNS_80MM, profile: str | None = None, jobs: JobStore | None = None,
                 settle_s: float = 0.5, flow: str = "none") -> None:
        super().__init__(url, name, required, jobs)
        if transport not in TRANSPORTS:
            raise ValueError(f"unknown receipt printer transport {transport!r}")
        self.transport = transport
        self.target = target
        self.baud = baud
        self.timeout_s = timeout_s
        self.status_timeout_s = status_timeout_s
        self.columns = columns
        self.profile = profile
        self.settle_s = settle_s
        self.flow = flow
        self.simulator: Any = None
        self.backend: Any = None
        for key in ("cuts", "status_queries", "status_timeouts", "reconnects"):
            self.counters[key] = 0
        self.info.update({"transport": transport, "target": target, "columns": columns})

    # -- connection ---------------------------------------------------------------------------------
    def _open(self) -> None:
        self.backend = self._connect()

    def _connect(self) -> Any:
        if self.transport == "serial":
            from escpos.printer import Serial as EscposSerial

            backend = EscposSerial(devfile=self.target, baudrate=self.baud, timeout=self.status_timeout_s)
            try:
                backend.device = serial.serial_for_url(
                    self.target, baudrate=self.baud, timeout=self.status_timeout_s,
                    write_timeout=self.timeout_s, rtscts=self.flow == "rtscts", dsrdtr=self.flow == "dsrdtr",
                    xonxoff=self.flow == "xonxoff")
            except (serial.SerialException, ValueError) as exc:
                raise DeviceOffline(f"receipt printer port {self.target}: {exc}", "回执打印机未连接，请联系工作人员。",
                                    DeviceState.NO_DEVICE) from None
            return backend
        if self.transport == "tcp":
            from escpos.exceptions import DeviceNotFoundError
            from escpos.printer import Network

            host, _, port = self.target.rpartition(":")
            backend = Network(host=host, port=int(port or 9100), timeout=self.timeout_s)
            try:
                backend.open()
            except DeviceNotFoundError as exc:
                raise DeviceOffline(f"receipt printer at {self.target}: {exc}".replace("\n", " "),
                                    "回执打印机未连接，请联系工作人员。") from None
            return backend
        if self.transport == "file":
            from escpos.exceptions import DeviceNotFoundError
            from escpos.printer import File

            backend = File(devfile=self.target)
            try:
                backend.open()
            except DeviceNotFoundError as exc:
                raise DeviceOffline(f"receipt printer file {self.target}: {exc}".replace("\n", " "),
                                    "回执打印机未连接，请联系工作人员。", DeviceState.NO_DEVICE) from None
            return backend
        return self._connect_usb()  # pragma: no cover - needs a USB printer

    def _connect_usb(self) -> Any:  # pragma: no cover - needs a USB printer
        try:
            from escpos.printer import Usb
        except ImportError:
            raise DeviceError("USB receipt printers need pyusb", "回执打印机驱动缺失，请联系工作人员。",
                              DeviceState.NO_DEVICE) from None
        vid, _, pid = self.target.partition(":")
        backend = Usb(int(vid, 16), int(pid, 16), timeout=int(self.timeout_s * 1000))
        try:
            backend.open()
        except Exception as exc:  # noqa: BLE001 - pyusb's and python-escpos's own errors
            raise DeviceOffline(f"USB receipt printer {self.target}: {exc}", "回执打印机未连接，请联系工作人员。",
                                DeviceState.NO_DEVICE) from None
        return backend

    def _drop(self) -> None:
        """Forget a broken connection; the next job or status check connects again."""
        backend, self.backend = self.backend, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception as exc:  # noqa: BLE001 - the port may already be gone (a pty: flush fails with EIO)
            log.debug("%s: closing a broken connection: %s", self.name, exc)
            device = getattr(backend, "device", None)
            if device is not None:  # close the port itself, so python-escpos does not try again when collected
                with contextlib.suppress(Exception):
                    device.close()

    def _ensure_open(self) -> Any:
        if self.backend is None:
            self.backend = self._connect()
            if self.state is not DeviceState.CLOSED:
                self.counters["reconnects"] += 1
        return self.backend

    def _close(self) -> None:
        self._drop()

    def _channel(self) -> _Channel | None:
        backend = self._ensure_open()
        if self.transport == "serial":
            return _SerialChannel(backend.device)
        if self.transport == "tcp":
            return _SocketChannel(backend.device, self.timeout_s)
        if self.transport == "usb":  # pragma: no cover
            return _UsbChannel(backend)
        return None  # a file cannot answer

    # -- status -------------------------------------------------------------------------------------
    def _ask(self, channel: _Channel, n: int) -> int | None:
        """One DLE EOT n answer; bytes that cannot be a status answer (ASB packets, noise) are skipped."""
        for _ in range(2):
            self.counters["status_queries"] += 1
            channel.write(DLE_EOT + bytes([n]))
            deadline = time.monotonic() + self.status_timeout_s
            while (left := deadline - time.monotonic()) > 0:
                value = channel.read1(left)
                if value is None:
                    break
                if valid_status_byte(value):
                    return value
            self.counters["status_timeouts"] += 1
        return None

    def _status(self) -> PrinterStatus:
        """Ask the printer now (DLE EOT 1–4, each with a timeout); never raises."""
        try:
            channel = self._channel()
            if channel is None:
                status = make_status(self.name, [], "no status over this transport", unknown=True)
            else:
                channel.drain()
                answers: dict[int, int] = {}
                for n in (1, 2, 3, 4):
                    value = self._ask(channel, n)
                    if value is None:
                        break
                    answers[n] = value
                detail = " ".join(f"n{n}=0x{v:02X}" for n, v in answers.items())
                if 1 not in answers:
                    status = make_status(self.name, [PrinterCondition.OFFLINE], "no answer to DLE EOT",
                                         raw={"answers": {}})
                else:
                    status = make_status(self.name, escpos_conditions(answers), detail,
                                         raw={"answers": {str(n): v for n, v in answers.items()}})
        except DeviceError as exc:
            status = make_status(self.name, [PrinterCondition.OFFLINE], exc.message_en)
        except (OSError, serial.SerialException, ValueError, *_TTY_ERRORS) as exc:  # the line is gone
            self._drop()
            status = make_status(self.name, [PrinterCondition.OFFLINE], f"{type(exc).__name__}: {exc}")
        in_use = self.state is not DeviceState.CLOSED or self.backend is not None
        return self._remember(status, status.device_state if in_use else None)

    # -- printing -----------------------------------------------------------------------------------
    def encode(self, receipt: Receipt) -> bytes:
        return encode_receipt(receipt, self.columns, self.profile)

    def receipt_job(self, receipt: Receipt) -> Job:
        """The job that prints ``receipt`` on this printer (its columns, its profile)."""
        return Job(kind=receipt.kind, application_id=receipt.application_id, payload=self.encode(receipt),
                   media="escpos", title=receipt.title, meta={"cuts": receipt.cuts})

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print a receipt if the printer is ready; otherwise keep it for reprint (:class:`PrintResult`)."""
        return self.print_job(self.receipt_job(receipt))

    def print_bytes(self, data: bytes, application_id: str = "", kind: str = "raw", title: str = "",
                    cuts: int = 0) -> PrintResult:
        return self.print_job(Job(kind=kind, application_id=application_id, payload=data, media="escpos",
                                  title=title, meta={"cuts": cuts}))

    def _send(self, data: bytes) -> int:
        backend = self._ensure_open()
        chunk = 4096 if self.transport != "serial" else max(256, int(self.baud / 10 * self.timeout_s / 2))
        sent = 0
        for start in range(0, len(data), chunk):
            piece = data[start:start + chunk]
            backend._raw(piece)
            sent += len(piece)
            self.counters["bytes_sent"] += len(piece)
        if self.transport == "serial":
            backend.device.flush()
        return sent

    def what(self, job: Job) -> str:
        return WHAT.get(job.kind, "回执")

    def _transmit(self, job: Job, before: PrinterStatus) -> Sent:
        try:
            sent = self._send(job.payload)
        except Exception as exc:  # the transport failed mid-job: unknown how much came out
            self._drop()
            self.record_error(exc, DeviceState.OFFLINE)
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        return Sent(sent, counts={"cuts": int(job.meta.get("cuts", 0))})

    def _status_after(self, before: PrinterStatus) -> PrinterStatus:
        if self.settle_s > 0 and before.condition is not PrinterCondition.UNKNOWN:
            time.sleep(self.settle_s)  # let the printer print what it buffered before asking again
        return self._status()

    def test_print(self) -> PrintResult:
        """A short self-test receipt: Chinese text, bold, double size, QR and cut."""
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        receipt = Receipt("self_test", "", "打印机自检", (
            Title("打印机自检"), Rule(), KeyValue("设备", self.name), KeyValue("时间", now),
            Text("中文字符：银政通企业开办，标点“，。；：？！”"), Text("粗体 Bold", bold=True),
            QR(f"YZT-SELFTEST {now}", caption="二维码自检"), Cut()))
        return self._self_test(self.receipt_job(receipt))

    # -- health -------------------------------------------------------------------------------------
    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        details: dict[str, Any] = {"transport": self.transport, "target": self.target,
                                   "kept_jobs": len(self.pending())}
        with self._lock:
            if level is HealthLevel.INTERNAL:
                self._ensure_open()
                return True, f"{self.transport} {self.target} open", "回执打印机已连接", details
            if level is HealthLevel.EXTERNAL:
                status = self._status()
                details["status"] = status.to_dict()
                if status.condition is PrinterCondition.UNKNOWN:
                    return True, status.message_en, "回执打印机已连接（无法读取状态）", details
                return status.ok_to_print, status.message_en, status.message_zh, details
        result = self.test_print()
        details["result"] = result.to_dict()
        return result.printed, result.message_en, result.message_zh, details


def _sim_state(value: str) -> str | None:
    from devices.printers.simulator import SimState

    known = [state.value for state in SimState]
    return None if value in known else f"must be one of {', '.join(known)}"


def _profile(name: str) -> str | None:
    from escpos.capabilities import get_profile

    try:
        get_profile(name)
    except KeyError:
        return "is not a python-escpos printer profile (python-escpos lists them: TM-T88V, TM-T20II …)"
    return None


def _target(url: str) -> tuple[str, str]:
    """(transport, target) for a non-simulator address; ValueError for one that names no printer."""
    if url.startswith("escpos+tcp://"):
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError(f"no host in {url!r}")
        return "tcp", f"{parts.hostname}:{parts.port or 9100}"
    if url.startswith("file://"):
        path = urlsplit(url).path
        if not path:
            raise ValueError(f"no path in {url!r}")
        return "file", path
    if url.startswith("escpos+usb://"):
        return "usb", url[len("escpos+usb://"):]
    return "serial", url.removeprefix("escpos+serial://")


def _check_address(url: str) -> None:
    if not url.startswith("sim://"):
        _target(url)


OPTIONS = Declaration(
    kind="receipt_printer", what="receipt printer", default_url="/dev/ttyS1",
    url_doc="a serial path or pyserial URL (also `escpos+serial://…`), `escpos+tcp://host:9100`, `file:///path`, "
            "`escpos+usb://VID:PID`, or `sim://` for the simulator",
    options=(
        baud_option("serial speed (a serial printer only)"),
        Option("timeout_s", float, 3.5, "longest wait to hand data to the printer (write timeout, TCP connect)",
               between(0.05, 60)),
        Option("status_timeout_s", float, 0.5, "wait for each real-time status answer (DLE EOT)", between(0.05, 10)),
        Option("columns", int, COLUMNS_80MM, "characters a line: 48 on 80 mm paper, 32 on 58 mm", between(24, 48)),
        Option("profile", str, "", "python-escpos printer profile (e.g. TM-T88V); empty = the generic one", _profile),
        Option("settle_s", float, 0.5, "wait after a job before asking the status again (the simulator needs none: "
               "0 there unless set to another value)", between(0, 10)),
        Option("flow", str, "none", "serial flow control: none, rtscts, dsrdtr or xonxoff",
               one_of("none", "rtscts", "dsrdtr", "xonxoff")),
        *jobs_options(),
    ),
    url_options={
        "sim": (Option("state", str, "ready", "what the printer reports from the start", _sim_state),
                Option("transport", str, "serial", "the simulator on a pty (serial) or on TCP",
                       one_of("serial", "tcp")),
                Option("out", str, "", "a folder for each job's PNG"),
                Option("paper_lines", int, None, "the roll runs out after this many lines", between(0, 1_000_000))),
        "escpos+tcp": (), "file": (), "escpos+usb": (),
    },
    check_address=_check_address,
)


def for_url(url: str, name: str | None = None, required: bool = True, **options: Any) -> ReceiptPrinter:
    """Build (not open) the receipt printer at ``url`` (forms in the module docstring).

    The printer's options and the simulator's URL options are declared in :data:`OPTIONS`; any
    other is refused. ``jobs`` (a :class:`JobStore`) or ``jobs_dir`` say where kept jobs go.
    """
    url, opts, query = OPTIONS.arguments(url, options)
    jobs, jobs_dir = opts.pop("jobs"), opts.pop("jobs_dir")
    if jobs is None and jobs_dir:
        jobs = JobStore(jobs_dir)
    opts["profile"] = opts["profile"] or None
    if url.startswith("sim://"):
        from devices.printers.simulator import EscposSimulator

        tcp = query["transport"] == "tcp"
        sim = EscposSimulator(state=query["state"], out_dir=query["out"] or None, pty=not tcp,
                              tcp_port=0 if tcp else None, paper_lines=query["paper_lines"])
        if opts["settle_s"] == OPTIONS.option("settle_s").default:
            opts["settle_s"] = 0.0  # it interprets in order on one connection: nothing to wait for
        if tcp:
            assert sim.tcp_address is not None
            host, port = sim.tcp_address
            printer = ReceiptPrinter(url, name, required, "tcp", f"{host}:{port}", jobs=jobs, **opts)
        else:
            printer = ReceiptPrinter(url, name, required, "serial", sim.port, jobs=jobs, **opts)
        printer.simulator = sim
        return printer
    transport, target = _target(url)
    return ReceiptPrinter(url, name, required, transport, target, jobs=jobs, **opts)
