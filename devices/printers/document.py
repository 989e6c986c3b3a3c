"""The document printer: the licence PDF to a CUPS queue, or to a spool folder where there is no CUPS.

Addresses (``for_url``):

* ``cups://QUEUE`` (``?server=/run/cups/cups.sock`` or ``?server=host:631`` to pick a scheduler;
  default: the system's) — submits with ``lp``, reads printer and job state with ``ipptool``
  (cups-ipp-utils) and falls back to ``lpstat`` without it, cancels with ``cancel``;
* ``spool:///dir`` — writes each PDF atomically (0600) into ``dir``; a ``.state`` file in the folder
  may hold CUPS-style state reasons (``media-empty-error``…) that the driver honours, so a folder
  can stand in for a printer;
* ``sim://`` (``?state=paper_out&out=DIR``) — a spool folder in a fresh temporary directory (or DIR);
  ``printer.simulator`` sets its state.

:data:`OPTIONS` declares the printer's options and these URL options; anything else is refused.

CUPS traps this driver avoids (RESEARCH.md): it checks ``printer-state-reasons`` before
submitting, polls the job during printing and cancels it on a blocking condition or a deadline
(a job stuck on media-empty would otherwise print, unwanted, when paper comes back), looks at
the printer again after "completed" (a quick jam can still show completed), and the queue should
have ``ErrorPolicy abort-job`` (see README).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import plistlib
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import quote, urlsplit

from devices.base import DeviceError, DeviceOffline, DeviceState, HealthLevel
from devices.options import Declaration, Option, between, jobs_options
from devices.printers.jobs import Job, JobStore, PrintResult
from devices.printers.policy import JobPrinter, SendFailed, Sent
from devices.printers.status import PrinterCondition, PrinterStatus, cups_conditions, make_status
from service.contract.files import write_private

log = logging.getLogger(__name__)

JOB_STATES = {3: "pending", 4: "pending", 5: "processing", 6: "processing", 7: "failed", 8: "failed",
              9: "completed"}
JOB_STATE_NAMES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped", 7: "canceled",
                   8: "aborted", 9: "completed"}
BLOCKING_GRACE_S = 2.0  # a blocking condition seen during a job for this long cancels it


class _Backend(Protocol):
    description: str

    def status(self, source: str) -> PrinterStatus: ...
    def submit(self, job: Job) -> str: ...
    def poll(self, handle: str) -> tuple[str, str]: ...
    def cancel(self, handle: str) -> None: ...


# -- spool folder -------------------------------------------------------------------------------------
class SpoolBackend:
    """A folder that takes PDFs: each job written atomically, readable by the kiosk user only."""

    STATE_FILE = ".state"
    MIN_FREE = 8 * 1024 * 1024

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.description = f"spool folder {self.folder}"

    def status(self, source: str) -> PrinterStatus:
        if not self.folder.is_dir():
            return make_status(source, [PrinterCondition.OFFLINE], f"{self.folder} does not exist")
        if not os.access(self.folder, os.W_OK | os.X_OK):
            return make_status(source, [PrinterCondition.OFFLINE], f"{self.folder} is not writable")
        if shutil.disk_usage(self.folder).free < self.MIN_FREE:
            return make_status(source, [PrinterCondition.HARDWARE_ERROR], f"{self.folder}: disk almost full")
        reasons = self.reasons()
        return make_status(source, cups_conditions(reasons), " ".join(reasons) if reasons else "",
                           raw={"printer-state-reasons": reasons})

    def reasons(self) -> list[str]:
        try:
            text = (self.folder / self.STATE_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [r for r in re.split(r"[\s,]+", text) if r]

    def submit(self, job: Job) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{job.kind}-{job.id[:12]}.pdf"
        target = self.folder / name
        write_private(target, job.payload)
        meta = {"job_id": job.id, "application_id": job.application_id, "kind": job.kind, "title": job.title,
                "media": job.meta.get("size", "A4"), "bytes": len(job.payload), "created_at": job.created_at}
        write_private(target.with_suffix(".json"), json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        return name

    def poll(self, handle: str) -> tuple[str, str]:
        if (self.folder / handle).is_file():
            return "completed", "spooled"
        return "failed", "spool file vanished"

    def cancel(self, handle: str) -> None:
        for path in (self.folder / handle, (self.folder / handle).with_suffix(".json")):
            path.unlink(missing_ok=True)


class SpoolSimulator:
    """The document printer simulator: a temporary spool folder whose state can be set."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="yzt-docsim-"))
        self.folder.mkdir(parents=True, exist_ok=True)

    NAMED: ClassVar[dict[str, str]] = {
        "ready": "", "paper_out": "media-empty-error", "paper_near_end": "media-low-warning",
        "paper_jam": "media-jam-error", "cover_open": "door-open-error", "toner_low": "toner-low-warning",
        "toner_out": "toner-empty-error", "offline": "offline-report offline-error"}

    def set_state(self, state: str) -> None:
        """A condition name (``paper_out``…) or CUPS reasons (``media-empty-error``)."""
        reasons = self.NAMED.get(state, state)
        path = self.folder / SpoolBackend.STATE_FILE
        if reasons:
            path.write_text(reasons + "\n", encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    def documents(self) -> list[Path]:
        return sorted(self.folder.glob("*.pdf"))

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# -- CUPS -----------------------------------------------------------------------------------------------
def _ipp_request(operation: str, attributes: tuple[str, ...], extra: str = "") -> str:
    """An ipptool request file: ``operation`` on $uri as $user, asking for ``attributes``."""
    return (f"{{\n  OPERATION {operation}\n  GROUP operation-attributes-tag\n"
            "  ATTR charset attributes-charset utf-8\n  ATTR naturalLanguage attributes-natural-language en\n"
            f"  ATTR uri printer-uri $uri\n{extra}  ATTR name requesting-user-name $user\n"
            f"  ATTR keyword requested-attributes {','.join(attributes)}\n}}\n")


_PRINTER_TEST = _ipp_request("Get-Printer-Attributes", (
    "printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs", "queued-job-count"))
_JOB_TEST = _ipp_request("Get-Job-Attributes", ("job-state", "job-state-reasons", "job-state-message"),
                         "  ATTR integer job-id $job_id\n")
_test_dir: Path | None = None
_test_lock = threading.Lock()


def _ipp_tests() -> Path:
    """The two ipptool request files, written once per process to a private temporary folder."""
    global _test_dir
    with _test_lock:
        if _test_dir is None or not _test_dir.is_dir():
            folder = Path(tempfile.mkdtemp(prefix="yzt-ipp-"))
            atexit.register(shutil.rmtree, folder, True)
            (folder / "printer.test").write_text(_PRINTER_TEST, encoding="utf-8")
            (folder / "job.test").write_text(_JOB_TEST, encoding="utf-8")
            _test_dir = folder
        return _test_dir


class CupsError(DeviceError):
    pass


class CupsBackend:
    """A CUPS queue through the command-line clients (lp, lpstat, cancel; ipptool when present)."""

    def __init__(self, queue: str, server: str | None = None, timeout_s: float = 10.0,
                 use_ipptool: bool | None = None) -> None:
        self.check_queue(queue)
        self.queue = queue
        self.server = server
        self.timeout_s = timeout_s
        self.ipptool = shutil.which("ipptool") if use_ipptool in (None, True) else None
        if use_ipptool and not self.ipptool:
            raise ValueError("ipptool is not installed (apt install cups-ipp-utils)")
        self.description = f"CUPS queue {queue}" + (f" on {server}" if server else "")

    @staticmethod
    def check_queue(queue: str) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,127}", queue or ""):
            raise ValueError(f"bad CUPS queue name {queue!r}")

    # -- plumbing ---------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.server:
            env["CUPS_SERVER"] = self.server
        env["LC_ALL"] = env["LANG"] = "C"  # parse English messages
        return env

    def _run(self, args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        if shutil.which(args[0]) is None:
            raise CupsError(f"{args[0]} is not installed (apt install cups-client)", "打印服务未安装，请联系工作人员。",
                            DeviceState.NO_DEVICE)
        try:
            return subprocess.run(args, input=data, capture_output=True, env=self._env(),
                                  timeout=self.timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise CupsError(f"{args[0]} did not answer in {self.timeout_s:g} s", "打印服务无响应，请联系工作人员。",
                            DeviceState.OFFLINE) from None

    def _server(self) -> str:
        return self.server or os.environ.get("CUPS_SERVER") or "/run/cups/cups.sock"

    def printer_uri(self) -> str:
        server = self._server()
        if server.startswith("/"):
            host = quote(server, safe="")
        else:
            host = server if ":" in server else f"{server}:631"
        return f"ipp://{host}/printers/{self.queue}"

    def _ipp(self, test: str, **defines: str) -> dict[str, Any]:
        assert self.ipptool is not None  # only called when ipptool was found
        args = [self.ipptool, "-X", "-T", f"{max(self.timeout_s - 1, 1):g}", "-d", f"user={_user()}"]
        for key, value in defines.items():
            args += ["-d", f"{key}={value}"]
        args += [self.printer_uri(), str(_ipp_tests() / test)]
        proc = self._run(args)
        try:
            doc = plistlib.loads(proc.stdout)
        except Exception:  # noqa: BLE001 - whatever ipptool printed, it is no answer
            raise CupsError(f"ipptool: {_first_line(proc.stderr) or 'no answer'}", "打印服务无响应，请联系工作人员。",
                            DeviceState.OFFLINE) from None
        tests = doc.get("Tests") or [{}]
        result = tests[0]
        status = str(result.get("StatusCode") or "")
        if not status.startswith("successful"):
            status = status or _first_line(proc.stderr) or "no answer"
            if "not-found" in status:
                raise CupsError(f"CUPS: no queue {self.queue} ({status})", "打印机未配置，请联系工作人员。",
                                DeviceState.NO_DEVICE)
            raise CupsError(f"CUPS: {status}", "打印服务无响应，请联系工作人员。", DeviceState.OFFLINE)
        merged: dict[str, Any] = {}
        for group in result.get("ResponseAttributes") or []:
            merged.update(group)
        return merged

    # -- the backend interface --------------------------------------------------------------------
    def status(self, source: str) -> PrinterStatus:
        if self.ipptool:
            attrs = self._ipp("printer.test")
            reasons = attrs.get("printer-state-reasons", [])
            reasons = [reasons] if isinstance(reasons, str) else list(reasons)
            state = int(attrs.get("printer-state", 3))
            accepting = bool(attrs.get("printer-is-accepting-jobs", True))
            message = str(attrs.get("printer-state-message") or "")
        else:
            state, accepting, reasons, message = self._lpstat_printer()
        found = cups_conditions(reasons)
        detail = " ".join(r for r in reasons if r != "none")
        if state == 5:
            found.add(PrinterCondition.OFFLINE)
            detail = f"queue stopped {detail}".strip()
        if not accepting:
            found.add(PrinterCondition.OFFLINE)
            detail = f"queue rejecting jobs {detail}".strip()
        if message and found:
            detail = f"{detail}; {message}"
        raw = {"printer-state": state, "printer-state-reasons": reasons, "accepting": accepting,
               "message": message}
        return make_status(source, found, detail, raw=raw)

    def _lpstat_printer(self) -> tuple[int, bool, list[str], str]:
        proc = self._run(["lpstat", "-l", "-p", self.queue, "-a", self.queue])
        text = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        if "Invalid destination" in err or "Unknown destination" in err:
            raise CupsError(f"CUPS: no queue {self.queue}", "打印机未配置，请联系工作人员。", DeviceState.NO_DEVICE)
        if proc.returncode != 0 and not text:
            raise CupsError(f"lpstat: {_first_line(proc.stderr)}", "打印服务无响应，请联系工作人员。", DeviceState.OFFLINE)
        state = 5 if re.search(rf"printer {re.escape(self.queue)} disabled", text) else (
            4 if re.search(rf"printer {re.escape(self.queue)} now printing", text) else 3)
        accepting = bool(re.search(rf"^{re.escape(self.queue)} accepting requests", text, re.MULTILINE))
        m = re.search(r"Alerts:\s*(.*)", text)
        reasons = m.group(1).split() if m else []
        return state, accepting, reasons, ""

    def submit(self, job: Job) -> str:
        args = ["lp", "-d", self.queue, "-t", job.title or job.kind, "-o", "job-sheets=none"]
        if job.meta.get("size"):
            args += ["-o", f"media={job.meta['size']}"]
        proc = self._run(args, job.payload)
        m = re.search(rb"request id is \S+-(\d+)", proc.stdout)
        if proc.returncode != 0 or not m:
            raise CupsError(f"lp: {_first_line(proc.stderr) or _first_line(proc.stdout) or 'no request id'}",
                            "打印任务提交失败，请联系工作人员。", DeviceState.OFFLINE)
        return m.group(1).decode("ascii")

    def poll(self, handle: str) -> tuple[str, str]:
        if self.ipptool:
            attrs = self._ipp("job.test", job_id=handle)
            code = int(attrs.get("job-state", 3))
            reasons = attrs.get("job-state-reasons", "")
            reasons = " ".join(reasons) if isinstance(reasons, list) else str(reasons)
            return JOB_STATES.get(code, "processing"), f"{JOB_STATE_NAMES.get(code, code)} {reasons}".strip()
        job = f"{self.queue}-{handle}"
        active = self._run(["lpstat", "-W", "not-completed", "-o", self.queue]).stdout.decode("utf-8",
                                                                                          "replace")
        if re.search(rf"^{re.escape(job)}\s", active, re.MULTILINE):
            return "processing", "not completed"
        done = self._run(["lpstat", "-W", "completed", "-o", self.queue]).stdout.decode("utf-8", "replace")
        if re.search(rf"^{re.escape(job)}\s", done, re.MULTILINE):
            return "completed", "completed (lpstat cannot tell aborted from completed)"
        return "failed", "job no longer known to CUPS"

    def cancel(self, handle: str) -> None:
        self._run(["cancel", f"{self.queue}-{handle}"])


def _first_line(data: bytes) -> str:
    return data.decode("utf-8", "replace").strip().splitlines()[0] if data and data.strip() else ""


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER", "kiosk")


# -- the device -------------------------------------------------------------------------------------------
class DocumentPrinter(JobPrinter):
    """The licence printer (see the module docstring)."""

    kind = "document_printer"
    media = "application/pdf"

    def __init__(self, url: str, backend: _Backend, name: str | None = None, required: bool = True,
                 jobs: JobStore | None = None, job_timeout_s: float = 120.0, poll_s: float = 0.25) -> None:
        super().__init__(url, name, required, jobs)
        self.backend = backend
        self.job_timeout_s = job_timeout_s
        self.poll_s = poll_s
        self.simulator: SpoolSimulator | None = None
        self.test_page: bytes | None = None  # a self-test sheet the kiosk composed (kiosk.documents.test_sheet)
        for key in ("jobs_cancelled", "pages"):
            self.counters[key] = 0
        self.info["backend"] = backend.description

    def _open(self) -> None:
        status = self._status()
        if status.condition is PrinterCondition.OFFLINE and "not exist" in status.detail:
            raise DeviceOffline(status.message_en, "证照打印机未连接，请联系工作人员。", DeviceState.NO_DEVICE)

    def _close(self) -> None:
        pass

    def _status(self) -> PrinterStatus:
        try:
            status = self.backend.status(self.name)
        except DeviceError as exc:
            status = make_status(self.name, [PrinterCondition.OFFLINE], exc.message_en)
            return self._remember(status, exc.state, exc.message_en)
        return self._remember(status, status.device_state)

    # -- printing -----------------------------------------------------------------------------------
    @staticmethod
    def pdf_job(pdf: bytes, application_id: str, kind: str = "licence", title: str = "营业执照",
                size: str = "A4") -> Job:
        if not pdf.startswith(b"%PDF"):
            raise ValueError("not a PDF document")
        return Job(kind=kind, application_id=application_id, payload=pdf, media="application/pdf",
                   title=title, meta={"size": size})

    def print_pdf(self, pdf: bytes, application_id: str, kind: str = "licence", title: str = "营业执照",
                  size: str = "A4") -> PrintResult:
        return self.print_job(self.pdf_job(pdf, application_id, kind, title, size))

    def _transmit(self, job: Job, before: PrinterStatus) -> Sent:
        """Submit, then follow the job to completion (or cancel it on a blocking condition or the deadline)."""
        try:
            handle = self.backend.submit(job)
        except (DeviceError, OSError) as exc:
            raise SendFailed(getattr(exc, "message_en", f"{type(exc).__name__}: {exc}")) from exc
        self._set_state(DeviceState.BUSY)
        self.counters["bytes_sent"] += len(job.payload)
        outcome, after, detail = self._follow(handle)
        return Sent(len(job.payload), after=after, outcome=outcome, note=detail, details={"cups_job": detail},
                    counts={"pages": 1})

    def _follow(self, handle: str) -> tuple[str, PrinterStatus, str]:
        deadline = time.monotonic() + self.job_timeout_s
        blocked_since: float | None = None
        detail = ""
        while True:
            try:
                state, detail = self.backend.poll(handle)
            except DeviceError as exc:
                state, detail = "processing", exc.message_en
            if state == "completed":
                after = self._status()  # a quick jam can still read "completed"
                return ("printed" if after.ok_to_print else "interrupted"), after, detail
            if state == "failed":
                return "failed", self._status(), detail
            status = self._status()
            now = time.monotonic()
            if not status.ok_to_print:
                blocked_since = blocked_since or now
                if now - blocked_since >= BLOCKING_GRACE_S:
                    self._cancel(handle)
                    return "interrupted", status, f"{detail}; cancelled: {status.condition.value}"
            else:
                blocked_since = None
            if now >= deadline:
                self._cancel(handle)
                return "interrupted", make_status(self.name, status.conditions or [PrinterCondition.OFFLINE],
                                                  f"not completed in {self.job_timeout_s:g} s"), \
                    f"{detail}; cancelled: deadline"
            time.sleep(self.poll_s)

    def _cancel(self, handle: str) -> None:
        try:
            self.backend.cancel(handle)
            self.counters["jobs_cancelled"] += 1
        except DeviceError as exc:
            log.error("%s: could not cancel job %s: %s", self.name, handle, exc.message_en)

    def test_print(self, pdf: bytes | None = None) -> PrintResult:
        """A one-page test sheet (INTERACTIVE health): the page the kiosk gave (``test_page``, Chinese in
        the licence's font), else the printer's own minimal page."""
        page = pdf or self.test_page or minimal_test_pdf(f"{self.name} self-test {time.strftime('%Y-%m-%d %H:%M:%S')}")
        return self._self_test(self.pdf_job(page, "", "self_test", "证照打印机自检"))

    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        details: dict[str, Any] = {"backend": self.backend.description, "kept_jobs": len(self.jobs)}
        if level is HealthLevel.INTERACTIVE:
            result = self.test_print()
            details["result"] = result.to_dict()
            return result.printed, result.message_en, result.message_zh, details
        status = self.status()
        details["status"] = status.to_dict()
        if level is HealthLevel.INTERNAL:
            reachable = bool(status.raw)  # the queue or folder answered, whatever its condition
            return reachable, f"{self.backend.description}: {status.message_en}", \
                "证照打印机已连接" if reachable else "证照打印机未连接，请联系工作人员。", details
        return status.ok_to_print, status.message_en, status.message_zh, details


def minimal_test_pdf(line: str) -> bytes:
    """A valid one-page A4 PDF with one line of ASCII in Helvetica: the printer's own self-test page,
    made without any document library (devices print documents; they do not compose them)."""
    text = line.encode("ascii", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET 72 400 451 280 re S"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _sim_state(value: str) -> str | None:
    names = [n for n in SpoolSimulator.NAMED]
    if value in names or re.fullmatch(r"[a-z][a-z0-9-]*(-(error|warning|report))?( [a-z][a-z0-9-]*)*", value):
        return None
    return f"must be one of {', '.join(names)} or CUPS printer-state-reasons (media-empty-error …)"


def _address(url: str) -> tuple[str, str]:
    """(scheme, queue or folder) of an address; ValueError for one that is not a document printer's."""
    parts = urlsplit(url)
    if parts.scheme == "cups":
        queue = (parts.netloc + parts.path).strip("/")
        CupsBackend.check_queue(queue)
        return "cups", queue
    if parts.scheme == "spool":
        if not parts.path:
            raise ValueError(f"no folder in {url!r}")
        return "spool", parts.path
    if parts.scheme == "sim":
        return "sim", ""
    raise ValueError(f"document printer url {url!r}: use cups://QUEUE, spool:///dir or sim://")


OPTIONS = Declaration(
    kind="document_printer", what="document printer", default_url="cups://Licence",
    url_doc="`cups://QUEUE`, `spool:///dir` (a folder standing in for a printer), or `sim://` for the simulator",
    options=(
        Option("timeout_s", float, 10.0, "longest wait for one CUPS command (lp, ipptool, lpstat; at least 5 s)",
               between(0.05, 120)),
        Option("job_timeout_s", float, 120.0, "deadline for a document to come out; then it is cancelled and kept",
               between(1, 3600)),
        Option("poll_s", float, 0.25, "how often a printing job is looked at (0.05 on the simulator unless set to another value)",
               between(0.01, 10)),
        Option("cups_server", str, "", "the CUPS scheduler: a socket path or host:port; empty = the system's "
               "(a cups:// address's ?server= wins)"),
        Option("use_ipptool", object, None, "True/False: ask CUPS through ipptool or lpstat (None: ipptool when "
               "installed)", config=False),
        *jobs_options(),
    ),
    url_options={
        "cups": (Option("server", str, "", "the CUPS scheduler for this queue: a socket path or host:port"),),
        "spool": (),
        "sim": (Option("state", str, "", "the printer's condition from the start (paper_out …)", _sim_state),
                Option("out", str, "", "the spool folder (default: a fresh temporary one)")),
    },
    check_address=_address,
)


def for_url(url: str, name: str | None = None, required: bool = True, **options: Any) -> DocumentPrinter:
    """Build (not open) the document printer at ``url`` (forms in the module docstring).

    Its options and URL options are declared in :data:`OPTIONS`; any other is refused. ``jobs``
    (a :class:`JobStore`) or ``jobs_dir`` say where kept jobs go.
    """
    url, opts, query = OPTIONS.arguments(url, options)
    scheme, where = _address(url)
    jobs = opts["jobs"] if opts["jobs"] is not None else JobStore(opts["jobs_dir"]) if opts["jobs_dir"] else None
    common: dict[str, Any] = {"name": name, "required": required, "jobs": jobs,
                              "job_timeout_s": opts["job_timeout_s"], "poll_s": opts["poll_s"]}
    if scheme == "cups":
        backend: _Backend = CupsBackend(where, server=query["server"] or opts["cups_server"] or None,
                                        timeout_s=max(opts["timeout_s"], 5.0), use_ipptool=opts["use_ipptool"])
        return DocumentPrinter(url, backend, **common)
    if scheme == "spool":
        return DocumentPrinter(url, SpoolBackend(where), **common)
    sim = SpoolSimulator(query["out"] or None)
    if query["state"]:
        sim.set_state(query["state"])
    if opts["poll_s"] == OPTIONS.option("poll_s").default:
        common["poll_s"] = 0.05  # a folder answers at once
    printer = DocumentPrinter(url, SpoolBackend(sim.folder), **common)
    printer.simulator = sim
    return printer
