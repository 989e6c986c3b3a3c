"""The receipt printer driver through the real python-escpos backends to the ESC/POS simulator,
over a pty and over TCP: what came out (Chinese text, a QR code that decodes, the cut), and
paper-out / cover-open / offline caught before anything is sent, the job kept for reprint."""

from __future__ import annotations

import stat
import time

import pytest
import zxingcpp
from escpos.printer import Network, Serial

from devices.base import DeviceState, HealthLevel
from devices.printers.encode import encode_receipt
from devices.printers.jobs import JobNotFound, JobStore
from devices.printers.receipt import ReceiptPrinter, for_url
from devices.printers.simulator import EscposSimulator, SimState
from devices.printers.status import PrinterCondition
from devices.registry import open_device
from kiosk.documents import acceptance_receipt, linked_items_receipt
from service.contract import acceptance
from kiosk.documents.samples import SAMPLE_ACCEPTANCE_NO, SAMPLE_APPLICATION_ID, sample_application, sample_decision, sample_items, sample_kiosk

PROGRESS = f"https://yzt.yangjiang.gov.cn/p/{SAMPLE_ACCEPTANCE_NO}"
QUERY_BYTES = 3  # DLE EOT n


@pytest.fixture
def sim(tmp_path):
    s = EscposSimulator(out_dir=tmp_path / "paper", tcp_port=0)
    yield s
    s.close()


@pytest.fixture
def receipt():
    return acceptance_receipt(sample_application(), sample_decision(), sample_kiosk())


def _printer(sim: EscposSimulator, transport: str, **options) -> ReceiptPrinter:
    url = sim.tcp_url if transport == "tcp" else sim.port
    printer = for_url(url, status_timeout_s=0.3, settle_s=0, **options)
    printer.open()
    return printer


def _decode(job) -> list[str]:
    return [c.text for c in zxingcpp.read_barcodes(job.image(), formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("transport", ["pty", "tcp"])
def test_a_receipt_comes_out_with_chinese_text_a_readable_qr_and_a_cut(sim, receipt, transport):
    printer = _printer(sim, transport)
    try:
        assert isinstance(printer.backend, Network if transport == "tcp" else Serial)  # python-escpos backends
        result = printer.print_receipt(receipt)
        assert result.printed and result.outcome == "printed" and not result.kept, result.message_en
        assert result.message_zh == "回执已打印，请取走。"
        [job] = sim.wait_for_jobs(1)
        assert job.cut and not job.interrupted
        title = next(line for line in job.lines if line.text == "受理回执")
        assert title.bold and (title.width, title.height) == (2, 2) and title.align == "center"
        assert f"受理编号：{acceptance.grouped(SAMPLE_ACCEPTANCE_NO)}" in job.texts
        assert "申请人：陈**" in job.texts and "证件号码：4417**********1234" in job.texts
        assert "公章刻制：当日办结" in job.texts and "申领发票和税务UKey：1个工作日内办结" in job.texts
        assert job.qr == [PROGRESS]
        assert _decode(job) == [PROGRESS], "the QR printed on the paper decodes"
        assert job.path is not None and job.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        c = printer.counters
        assert (c["jobs_printed"], c["cuts"], c["jobs_kept"], c["paper_out_events"]) == (1, 1, 0, 0)
        assert c["bytes_sent"] == len(encode_receipt(receipt)) == result.bytes_sent
        assert printer.state is DeviceState.ONLINE and printer.pending() == []
    finally:
        printer.close()


@pytest.mark.parametrize("transport", ["pty", "tcp"])
@pytest.mark.parametrize("state, condition, device_state", [
    (SimState.PAPER_OUT, PrinterCondition.PAPER_OUT, DeviceState.USER_ERROR),
    (SimState.COVER_OPEN, PrinterCondition.COVER_OPEN, DeviceState.USER_ERROR),
    (SimState.OFFLINE, PrinterCondition.OFFLINE, DeviceState.OFFLINE),
    (SimState.CUTTER_ERROR, PrinterCondition.CUTTER_ERROR, DeviceState.HARDWARE_ERROR),
])
def test_a_printer_not_ready_gets_nothing_and_the_job_is_kept_for_reprint(sim, receipt, transport, state,
                                                                          condition, device_state):
    sim.set_state(state)
    printer = _printer(sim, transport)
    try:
        result = printer.print_receipt(receipt)
        assert not result.printed and result.kept and result.outcome == "not_ready"
        assert result.status_before.condition is condition and result.status_after is None
        assert result.bytes_sent == 0 and "回执已保存" in result.message_zh and result.message_en
        time.sleep(0.2)
        assert sim.jobs == []
        assert sim.counters["received"] == QUERY_BYTES * sim.counters["status_queries"], "only status queries"
        assert printer.state is device_state
        [kept] = printer.pending()
        assert kept.application_id == SAMPLE_APPLICATION_ID and kept.kind == "acceptance"
        assert kept.last_condition == condition.value
        assert printer.counters["jobs_kept"] == 1
        assert printer.counters["paper_out_events"] == (1 if state is SimState.PAPER_OUT else 0)
        sim.set_state(SimState.READY)  # staff load paper / close the cover
        again = printer.reprint(kept.id)
        assert again.printed and printer.pending() == []
        [job] = sim.wait_for_jobs(1)
        assert job.cut and _decode(job) == [PROGRESS]
        with pytest.raises(JobNotFound):
            printer.reprint(kept.id)
    finally:
        printer.close()


@pytest.mark.parametrize("transport", ["pty", "tcp"])
def test_a_silent_printer_is_offline_within_the_status_timeouts(sim, receipt, transport):
    printer = _printer(sim, transport)
    try:
        sim.set_state(SimState.SILENT)
        started = time.monotonic()
        status = printer.status()
        assert time.monotonic() - started < 1.5  # two tries of 0.3 s for DLE EOT 1, then no more questions
        assert status.condition is PrinterCondition.OFFLINE and "no answer" in status.detail
        assert printer.state is DeviceState.OFFLINE
        result = printer.print_receipt(receipt)
        assert result.kept and result.status_before.condition is PrinterCondition.OFFLINE
        assert "打印机未连接" in result.message_zh
    finally:
        printer.close()


def test_near_end_prints_and_warns(sim, receipt):
    sim.set_state(SimState.PAPER_NEAR_END)
    printer = _printer(sim, "pty")
    try:
        result = printer.print_receipt(receipt)
        assert result.printed and PrinterCondition.PAPER_NEAR_END in result.status_after.warnings
        assert "paper_near_end" in result.message_en and "即将用完" in result.details["warning_zh"]
        assert printer.state is DeviceState.ONLINE
        assert printer.health(HealthLevel.EXTERNAL).ok
    finally:
        printer.close()


def test_paper_running_out_mid_job_is_caught_after_and_the_job_kept(sim):
    receipt = linked_items_receipt(sample_application(), sample_decision(), sample_kiosk(), sample_items())
    sim.set_state(SimState.READY, paper_lines=12)
    printer = _printer(sim, "tcp")
    try:
        result = printer.print_receipt(receipt)
        assert not result.printed and result.kept and result.outcome == "interrupted"
        assert result.status_before.condition is PrinterCondition.READY
        assert result.status_after.condition is PrinterCondition.PAPER_OUT
        assert "可能未完整打印" in result.message_zh and printer.counters["paper_out_events"] == 1
        [job] = sim.wait_for_jobs(1)
        assert job.interrupted and not job.cut and len(job.texts) <= 12
        sim.set_state(SimState.READY)
        assert printer.reprint(printer.pending()[0].id).printed
        assert sim.wait_for_jobs(2)[1].cut
    finally:
        printer.close()


def test_kept_jobs_survive_a_restart_in_a_private_folder(sim, receipt, tmp_path):
    sim.set_state(SimState.COVER_OPEN)
    printer = _printer(sim, "pty", jobs_dir=tmp_path / "kept")
    result = printer.print_receipt(receipt)
    printer.close()
    files = list((tmp_path / "kept").glob("*.job"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "kept").stat().st_mode) == 0o700
    assert "陈思远" not in files[0].read_text(encoding="utf-8")
    sim.set_state(SimState.READY)
    again = _printer(sim, "tcp", jobs=JobStore(tmp_path / "kept"))  # "after a restart", another transport
    try:
        assert [j.id for j in again.pending()] == [result.job_id]
        assert again.reprint(result.job_id).printed
        assert not list((tmp_path / "kept").glob("*.job"))
        assert sim.wait_for_jobs(1)[0].qr == [PROGRESS]
    finally:
        again.close()


def test_any_pyserial_url_works_socket_to_the_simulator(sim, receipt):
    host, port = sim.tcp_address
    printer = for_url(f"escpos+serial://socket://{host}:{port}", status_timeout_s=0.3, settle_s=0)
    printer.open()
    try:
        assert printer.transport == "serial" and printer.print_receipt(receipt).printed
        assert sim.wait_for_jobs(1)[0].cut
    finally:
        printer.close()


def test_file_backend_writes_the_bytes_with_unknown_status(tmp_path, receipt):
    target = tmp_path / "lp0"
    printer = for_url(f"file://{target}")
    printer.open()
    status = printer.status()
    assert status.condition is PrinterCondition.UNKNOWN and status.ok_to_print
    result = printer.print_receipt(receipt)
    printer.close()
    assert result.printed and "status unknown" in result.message_en
    assert target.read_bytes() == encode_receipt(receipt)
    assert printer.health(HealthLevel.EXTERNAL).ok


def test_the_connection_comes_back_after_the_printer_restarts(tmp_path, receipt):
    first = EscposSimulator(pty=False, tcp_port=0)
    port = first.tcp_address[1]
    printer = for_url(f"escpos+tcp://127.0.0.1:{port}", status_timeout_s=0.3, settle_s=0)
    printer.open()
    try:
        assert printer.print_receipt(receipt).printed
        first.close()  # power off
        result = printer.print_receipt(receipt)
        assert result.kept and result.status_before.condition is PrinterCondition.OFFLINE
        second = EscposSimulator(pty=False, tcp_port=port)  # power on, same address
        try:
            again = printer.reprint(result.job_id)
            assert again.printed and printer.counters["reconnects"] >= 1
            assert second.wait_for_jobs(1)[0].cut
        finally:
            second.close()
    finally:
        printer.close()


def test_status_is_right_despite_asb_packets_and_noise(sim):
    printer = _printer(sim, "pty")
    try:
        printer.backend._raw(b"\x1da\xff")  # automatic status back on: the printer pushes 4-byte packets
        sim.set_state(SimState.COVER_OPEN)  # …and another on every change
        time.sleep(0.2)
        assert printer.status().condition is PrinterCondition.COVER_OPEN
        sim.set_state(SimState.READY)
        time.sleep(0.2)
        assert printer.status().condition is PrinterCondition.READY
    finally:
        printer.close()


def test_health_levels_and_the_registry(sim):
    printer = open_device("receipt_printer", sim.port, name="receipt", status_timeout_s=0.3, settle_s=0)
    assert isinstance(printer, ReceiptPrinter)
    printer.open()
    try:
        assert printer.health(HealthLevel.INTERNAL).ok
        report = printer.health(HealthLevel.EXTERNAL)
        assert report.ok and report.details["status"]["condition"] == "ready"
        report = printer.health(HealthLevel.INTERACTIVE)
        assert report.ok, report.summary_en
        [job] = sim.wait_for_jobs(1)
        assert "打印机自检" in job.texts and job.cut and len(job.qr) == 1
        assert "中文字符：银政通企业开办，标点“，。；：？！”" in job.texts
        sim.set_state(SimState.PAPER_OUT)
        report = printer.health(HealthLevel.EXTERNAL)
        assert not report.ok and report.summary_zh.startswith("打印机缺纸") and report.state is DeviceState.USER_ERROR
        report = printer.health(HealthLevel.INTERACTIVE)
        assert not report.ok and printer.pending() == [], "a failed test print is not kept for a citizen"
    finally:
        printer.close()


def test_sim_url_starts_the_simulator_on_a_pty_or_tcp(receipt, tmp_path):
    for url in (f"sim://?out={tmp_path}/a", f"sim://?transport=tcp&state=paper_out&out={tmp_path}/b"):
        printer = for_url(url)
        try:
            printer.open()
            assert printer.simulator is not None
            result = printer.print_receipt(receipt)
            if "paper_out" in url:
                assert result.kept and printer.simulator.jobs == []
            else:
                assert result.printed and printer.simulator.wait_for_jobs(1)[0].path.parent == tmp_path / "a"
        finally:
            printer.close()
            printer.simulator.close()


def test_bad_addresses_are_refused_or_offline():
    with pytest.raises(ValueError):
        for_url("")
    with pytest.raises(ValueError):
        for_url("escpos+tcp://:9100")
    printer = for_url("/dev/ttyDOES-NOT-EXIST", status_timeout_s=0.1)
    report = printer.health(HealthLevel.INTERNAL)
    assert not report.ok and report.summary_zh
    result = printer.print_bytes(b"x", application_id="a1", kind="acceptance")
    assert result.kept and result.status_before.condition is PrinterCondition.OFFLINE


def test_one_kept_jobs_folder_can_serve_both_printers(sim, receipt, tmp_path):
    from devices.printers.document import for_url as document_printer

    store = JobStore(tmp_path / "kept")
    sim.set_state(SimState.PAPER_OUT)
    receipts = _printer(sim, "pty", jobs=store)
    licences = document_printer(f"spool://{tmp_path}/absent", jobs=store)
    try:
        assert receipts.print_receipt(receipt).kept
        assert licences.print_pdf(b"%PDF-1.4 x", "app").kept
        assert len(store) == 2
        assert [j.media for j in receipts.pending()] == ["escpos"]
        assert [j.media for j in licences.pending()] == ["application/pdf"]
        with pytest.raises(ValueError):
            receipts.reprint(licences.pending()[0].id)
    finally:
        receipts.close()
