"""The document printer: the licence PDF to a spool folder (always) and to a real CUPS queue
(a private cupsd with a cups-pdf queue, when it can be started here)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from devices.base import DeviceState, HealthLevel
from devices.printers.document import CupsBackend, SpoolBackend, for_url
from devices.printers.jobs import JobStore
from devices.printers.status import PrinterCondition
from kiosk.documents import licence_from, licence_pdf
from kiosk.documents.samples import sample_application, sample_decision


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return licence_pdf(licence_from(sample_application(), sample_decision(), issued=date(2026, 3, 18)))


# -- spool folder ----------------------------------------------------------------------------------------
def test_spool_writes_the_pdf_atomically_and_private(tmp_path, pdf):
    printer = for_url(f"spool://{tmp_path}")
    printer.open()
    result = printer.print_pdf(pdf, "app-1")
    assert result.printed and not result.kept and result.outcome == "printed"
    files = sorted(tmp_path.glob("*.pdf"))
    assert len(files) == 1 and files[0].read_bytes() == pdf
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"
    meta = files[0].with_suffix(".json").read_text(encoding="utf-8")
    assert "app-1" in meta and stat.S_IMODE(files[0].with_suffix(".json").stat().st_mode) == 0o600
    assert printer.counters["jobs_printed"] == 1 and printer.counters["bytes_sent"] == len(pdf)


@pytest.mark.parametrize("reasons, condition", [
    ("media-empty-error", PrinterCondition.PAPER_OUT),
    ("media-jam-error", PrinterCondition.PAPER_JAM),
    ("door-open-error", PrinterCondition.COVER_OPEN),
    ("toner-empty-error", PrinterCondition.TONER_OUT),
    ("offline-report", PrinterCondition.OFFLINE),
])
def test_blocking_reasons_keep_the_job_and_nothing_is_spooled(tmp_path, pdf, reasons, condition):
    (tmp_path / ".state").write_text(reasons)
    printer = for_url(f"spool://{tmp_path}", jobs_dir=tmp_path / "kept")
    result = printer.print_pdf(pdf, "app-2")
    assert not result.printed and result.kept and result.outcome == "not_ready"
    assert result.status_before.condition is condition
    assert "营业执照已保存" in result.message_zh and result.message_en
    assert not list(tmp_path.glob("*.pdf"))
    kept = printer.pending()
    assert [j.application_id for j in kept] == ["app-2"] and kept[0].last_condition == condition.value
    assert printer.state in (DeviceState.USER_ERROR, DeviceState.OFFLINE)
    # kept on disk too: a new store over the same folder finds it, and it reprints once the printer is back
    store = JobStore(tmp_path / "kept")
    assert [j.id for j in store.pending()] == [kept[0].id]
    (tmp_path / ".state").unlink()
    again = printer.reprint(kept[0].id)
    assert again.printed and printer.pending() == [] and len(list(tmp_path.glob("*.pdf"))) == 1
    assert JobStore(tmp_path / "kept").pending() == []


def test_warnings_print_but_are_reported(tmp_path, pdf):
    (tmp_path / ".state").write_text("toner-low-warning media-low-report")
    result = for_url(f"spool://{tmp_path}").print_pdf(pdf, "app-3")
    assert result.printed and result.status_after.condition is PrinterCondition.TONER_LOW
    assert "toner_low" in result.message_en


def test_missing_folder_is_offline_and_the_job_kept(tmp_path, pdf):
    printer = for_url(f"spool://{tmp_path}/absent")
    report = printer.health(HealthLevel.INTERNAL)
    assert not report.ok and report.summary_zh
    result = printer.print_pdf(pdf, "app-4")
    assert result.kept and result.status_before.condition is PrinterCondition.OFFLINE


def test_sim_url_spools_into_a_temporary_folder_with_settable_state(pdf):
    printer = for_url("sim://")
    try:
        printer.open()
        assert printer.health(HealthLevel.EXTERNAL).ok
        printer.simulator.set_state("paper_out")
        assert printer.print_pdf(pdf, "app-5").kept and printer.simulator.documents() == []
        printer.simulator.set_state("ready")
        assert printer.reprint(printer.pending()[0].id).printed
        assert len(printer.simulator.documents()) == 1
        assert printer.health(HealthLevel.INTERACTIVE).ok  # a test sheet
        assert len(printer.simulator.documents()) == 2
    finally:
        printer.simulator.close()


def test_bad_urls_and_input_are_refused(tmp_path, pdf):
    with pytest.raises(ValueError):
        for_url("lpd://x")
    with pytest.raises(ValueError):
        for_url("cups://bad queue name")
    with pytest.raises(ValueError):
        for_url(f"spool://{tmp_path}").print_pdf(b"not a pdf", "x")


# -- CUPS ------------------------------------------------------------------------------------------------
class PrivateCups:
    """A cupsd of our own (own config, spool and socket in a temporary folder) with a cups-pdf queue."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="yzt-cups-"))
        self.root.chmod(0o755)  # filters run as lp and must reach TempDir
        for sub in ("spool", "cache", "state", "log", "tmp", "ppd"):
            (self.root / sub).mkdir()
        (self.root / "tmp").chmod(0o1777)
        shutil.chown(self.root / "spool", group="lp")
        (self.root / "spool").chmod(0o710)
        self.socket = str(self.root / "cups.sock")
        self._server_bin()
        (self.root / "cups-files.conf").write_text(
            f"SystemGroup root\nServerBin {self.root}/lib\nRequestRoot {self.root}/spool\nCacheDir {self.root}/cache\n"
            f"StateDir {self.root}/state\nTempDir {self.root}/tmp\nAccessLog {self.root}/log/access_log\n"
            f"ErrorLog {self.root}/log/error_log\nPageLog {self.root}/log/page_log\nServerRoot {self.root}\n")
        (self.root / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nErrorPolicy abort-job\nBrowsing No\nWebInterface No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        self.proc = subprocess.Popen(["cupsd", "-f", "-c", str(self.root / "cupsd.conf"),
                                      "-s", str(self.root / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.env = {**os.environ, "CUPS_SERVER": self.socket}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self.proc.stderr.read().decode(errors='replace')[:300]}")
            if subprocess.run(["lpstat", "-r"], env=self.env, capture_output=True).stdout.startswith(b"scheduler is running"):
                break
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("cupsd did not start in 10 s")

    def _server_bin(self) -> None:
        """The system's filters and backends, plus ``yztfault``: a backend that reports a printer
        condition (``STATE: +media-empty-error``) and then hangs, as a printer out of paper does."""
        lib = self.root / "lib"
        (lib / "backend").mkdir(parents=True)
        for item in Path("/usr/lib/cups").iterdir():
            if item.name != "backend":
                (lib / item.name).symlink_to(item)
        for item in Path("/usr/lib/cups/backend").iterdir():
            (lib / "backend" / item.name).symlink_to(item)
        fault = lib / "backend" / "yztfault"
        fault.write_text('#!/bin/sh\n'
                         'if [ $# -eq 0 ]; then echo \'direct yztfault "Unknown" "YZT fault printer"\'; exit 0; fi\n'
                         'echo "STATE: +${DEVICE_URI#yztfault:/}" >&2\n'
                         'cat > /dev/null\n'
                         'sleep 60\n')
        fault.chmod(0o755)
        for path in (lib, lib / "backend"):
            path.chmod(0o755)

    def add_pdf_queue(self, name: str) -> None:
        ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
        subprocess.run(["lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-P", ppd,
                        "-o", "printer-error-policy=abort-job"], env=self.env, check=True, capture_output=True)

    def lp(self, *args: str) -> None:
        subprocess.run(list(args), env=self.env, check=True, capture_output=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _why_no_cups() -> str | None:
    if os.geteuid() != 0:
        return "a private cupsd needs root here (its filters run as lp)"
    for tool in ("cupsd", "lpadmin", "lp", "lpstat", "cancel"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt install cups cups-client)"
    if not Path("/usr/lib/cups/backend/cups-pdf").exists():
        return "cups-pdf is not installed (apt install printer-driver-cups-pdf)"
    return None


@pytest.fixture(scope="module")
def cups():
    reason = _why_no_cups()
    if reason:
        pytest.skip(f"CUPS test skipped: {reason}")
    try:
        server = PrivateCups()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"CUPS test skipped: cupsd cannot be started here ({exc})")
    try:
        server.add_pdf_queue("YztLicence")
        yield server
    finally:
        server.stop()


CUPS_PDF_OUT = Path.home() / "PDF"  # where Debian's cups-pdf writes root's jobs ("Out ${HOME}/PDF")


def _cups_pdf_outputs() -> set[Path]:
    return set(CUPS_PDF_OUT.glob("*.pdf")) if CUPS_PDF_OUT.is_dir() else set()


@pytest.fixture(autouse=True)
def _remove_cups_pdf_output():
    """cups-pdf writes every completed job to ~/PDF: take ours away again."""
    existed, before = CUPS_PDF_OUT.is_dir(), _cups_pdf_outputs()
    yield
    for path in _cups_pdf_outputs() - before:
        path.unlink()
    if not existed and CUPS_PDF_OUT.is_dir() and not any(CUPS_PDF_OUT.iterdir()):
        CUPS_PDF_OUT.rmdir()


@pytest.mark.parametrize("ipptool", [True, False], ids=["ipptool", "lpstat"])
def test_licence_through_a_real_cups_queue_completes(cups, pdf, ipptool):
    if ipptool and shutil.which("ipptool") is None:
        pytest.skip("ipptool not installed (apt install cups-ipp-utils)")
    before = _cups_pdf_outputs()
    printer = for_url("cups://YztLicence", cups_server=cups.socket, use_ipptool=ipptool, job_timeout_s=30)
    printer.open()
    status = printer.status()
    assert status.condition is PrinterCondition.READY, status.message_en
    result = printer.print_pdf(pdf, "app-cups")
    assert result.printed, result.message_en
    assert "completed" in result.details["cups_job"]
    made = _cups_pdf_outputs() - before
    assert made and all(p.stat().st_size > 1000 for p in made), "cups-pdf wrote the licence"


def test_a_stopped_cups_queue_is_caught_before_submitting(cups, pdf):
    cups.lp("cupsdisable", "YztLicence")
    try:
        printer = for_url("cups://YztLicence", cups_server=cups.socket)
        result = printer.print_pdf(pdf, "app-stopped")
        assert result.kept and not result.printed
        assert result.status_before.condition is PrinterCondition.OFFLINE and "stopped" in result.message_en
        queued = subprocess.run(["lpstat", "-o", "YztLicence"], env=cups.env, capture_output=True).stdout
        assert queued.strip() == b"", "nothing was submitted"
    finally:
        cups.lp("cupsenable", "YztLicence")
    assert printer.reprint(printer.pending()[0].id).printed


def test_unknown_cups_queue_is_no_device(cups, pdf):
    printer = for_url("cups://NoSuchQueue", cups_server=cups.socket)
    report = printer.health(HealthLevel.EXTERNAL)
    assert not report.ok and printer.state is DeviceState.NO_DEVICE
    assert printer.print_pdf(pdf, "x").kept


def test_cups_backend_without_a_scheduler_is_offline(tmp_path):
    backend = CupsBackend("Q", server=str(tmp_path / "none.sock"), timeout_s=5)
    printer = for_url(f"cups://Q?server={tmp_path}/none.sock")
    status = printer.status()
    assert status.condition is PrinterCondition.OFFLINE and not status.ok_to_print
    assert backend.printer_uri().startswith("ipp://%2F")


def test_spool_backend_description():
    assert "spool" in SpoolBackend("/tmp").description


def _raw_queue(cups, name: str, uri: str) -> None:
    subprocess.run(["lpadmin", "-p", name, "-E", "-v", uri, "-o", "printer-error-policy=abort-job"],
                   env=cups.env, check=True, capture_output=True)


def test_a_job_that_never_completes_is_cancelled_at_the_deadline_and_kept(cups, pdf):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts and never answers: a printer hung mid-job
    try:
        _raw_queue(cups, "YztHung", f"socket://127.0.0.1:{listener.getsockname()[1]}")
        printer = for_url("cups://YztHung", cups_server=cups.socket, job_timeout_s=3, poll_s=0.2)
        started = time.monotonic()
        result = printer.print_pdf(pdf, "app-hung")
        assert result.kept and result.outcome == "interrupted" and "deadline" in result.details["cups_job"]
        assert time.monotonic() - started < 15
        assert printer.counters["jobs_cancelled"] == 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # CUPS lets the job go once cancelled
            if not subprocess.run(["lpstat", "-o", "YztHung"], env=cups.env, capture_output=True).stdout.strip():
                break
            time.sleep(0.2)
        else:
            pytest.fail("the cancelled job stayed in the queue")
    finally:
        listener.close()


def test_a_condition_reported_during_the_job_cancels_it_and_keeps_it(cups, pdf):
    _raw_queue(cups, "YztEmpty", "yztfault:/media-empty-error")
    printer = for_url("cups://YztEmpty", cups_server=cups.socket, job_timeout_s=30, poll_s=0.2)
    assert printer.status().ok_to_print
    started = time.monotonic()
    result = printer.print_pdf(pdf, "app-empty")
    assert result.kept and result.outcome == "interrupted", result.message_en
    assert result.status_after.condition is PrinterCondition.PAPER_OUT
    assert "缺纸" in result.message_zh and "cancelled: paper_out" in result.details["cups_job"]
    assert time.monotonic() - started < 15, "cancelled after the grace period, long before the deadline"
    assert printer.counters["jobs_cancelled"] == 1 and printer.counters["paper_out_events"] == 1
    assert printer.pending()[0].application_id == "app-empty"
