"""The one print-job policy, the same for both printers: status → keep the job if not ready (nothing
sent) → send → status again → printed and forgotten, or kept for reprint when it may not have come
out whole. The receipt printer runs the real driver on the ESC/POS simulator's pty; the document
printer the real driver on a spool folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printers.blocks import Cut, KeyValue, Receipt, Text, Title
from devices.printers.document import DocumentPrinter, SpoolBackend, minimal_test_pdf
from devices.printers.document import for_url as document_printer
from devices.printers.jobs import Job, JobStore
from devices.printers.policy import JobPrinter
from devices.printers.receipt import ReceiptPrinter
from devices.printers.receipt import for_url as receipt_printer
from devices.printers.simulator import EscposSimulator, SimState
from devices.printers.status import PrinterCondition

pytestmark = pytest.mark.timeout(30)


class Rig:
    """One printer on its simulator, with the same three knobs for both kinds."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind = kind
        self.jobs = JobStore(tmp / "kept")
        if kind == "receipt":
            self.sim = EscposSimulator(render=False)
            self.printer: JobPrinter = receipt_printer(self.sim.port, status_timeout_s=0.3, settle_s=0,
                                                       jobs=self.jobs)
        else:
            self.doc = document_printer("sim://", jobs=self.jobs)
            self.printer = self.doc
        self.printer.open()

    def job(self, n: int = 1) -> Job:
        if isinstance(self.printer, ReceiptPrinter):
            lines = tuple(Text(f"第{i}行 line {i}") for i in range(12))
            return self.printer.receipt_job(Receipt("acceptance", f"app-{n}", "受理回执",
                                                    (Title("受理回执"), KeyValue("编号", f"app-{n}"), *lines, Cut())))
        return DocumentPrinter.pdf_job(minimal_test_pdf(f"licence {n}"), f"app-{n}")

    def set(self, state: str, lines_left: int | None = None) -> None:
        if self.kind == "receipt":
            self.sim.set_state(state, paper_lines=lines_left)
        else:
            assert self.doc.simulator is not None
            self.doc.simulator.set_state(state)

    def came_out(self) -> int:
        """How many jobs reached the paper (whole or not)."""
        if self.kind == "receipt":
            return len(self.sim.jobs)
        assert self.doc.simulator is not None
        return len(self.doc.simulator.documents())

    def close(self) -> None:
        self.printer.close()
        if self.kind == "receipt":
            self.sim.close()
        elif self.doc.simulator is not None:
            self.doc.simulator.close()


@pytest.fixture(params=["receipt", "document"])
def rig(request, tmp_path):
    r = Rig(request.param, tmp_path)
    yield r
    r.close()


def test_ready_prints_and_the_job_is_not_kept(rig):
    result = rig.printer.print_job(rig.job())
    assert result.printed and result.outcome == "printed" and not result.kept
    assert result.status_before.ok_to_print and result.status_after.ok_to_print
    assert result.message_zh.endswith("已打印，请取走。") and result.bytes_sent > 0
    assert rig.printer.pending() == [] and len(rig.jobs) == 0
    assert rig.printer.counters["jobs_printed"] == 1 and rig.printer.counters["jobs_kept"] == 0
    if rig.kind == "receipt":
        rig.sim.wait_for_jobs(1)
    assert rig.came_out() == 1


@pytest.mark.parametrize("state, condition", [("paper_out", PrinterCondition.PAPER_OUT),
                                              ("cover_open", PrinterCondition.COVER_OPEN)])
def test_not_ready_sends_nothing_keeps_the_job_and_reprints_it_later(rig, state, condition):
    rig.set(state)
    job = rig.job(7)
    result = rig.printer.print_job(job)
    assert not result.printed and result.kept and result.outcome == "not_ready"
    assert result.status_before.condition is condition and result.status_after is None
    assert result.bytes_sent == 0 and rig.came_out() == 0
    assert "已保存，工作人员处理后可凭受理编号补打" in result.message_zh
    [kept] = rig.printer.pending()
    assert kept.id == job.id and kept.application_id == "app-7" and kept.last_condition == condition.value
    assert rig.printer.counters["paper_out_events"] == (1 if state == "paper_out" else 0)
    rig.set("ready")
    again = rig.printer.reprint(kept.id)
    assert again.printed and rig.printer.pending() == [] and len(rig.jobs) == 0


def test_a_printer_that_stops_during_the_job_keeps_it_for_reprint(rig, tmp_path):
    if rig.kind == "receipt":
        rig.set("ready", lines_left=4)  # the roll runs out half-way through
        printer = rig.printer
    else:  # the folder reports media-empty once the document is in: a jam or paper-out during the job
        class RunsOut(SpoolBackend):
            def submit(self, job: Job) -> str:
                handle = super().submit(job)
                (self.folder / self.STATE_FILE).write_text("media-empty-error\n", encoding="utf-8")
                return handle

        printer = DocumentPrinter("spool://", RunsOut(tmp_path), jobs=rig.jobs, poll_s=0.01)
        printer.open()
    result = printer.print_job(rig.job(3))
    assert not result.printed and result.kept and result.outcome == "interrupted"
    assert result.status_before.condition is PrinterCondition.READY
    assert result.status_after.condition is PrinterCondition.PAPER_OUT
    assert ("可能未完整打印" if rig.kind == "receipt" else "未能完整打印") in result.message_zh
    assert [j.application_id for j in printer.pending()] == ["app-3"]
    assert printer.counters["paper_out_events"] == 1 and printer.counters["jobs_kept"] == 1


def test_a_transport_that_fails_keeps_the_job_as_failed(tmp_path):
    class Refuses(SpoolBackend):
        def submit(self, job: Job) -> str:
            raise OSError(28, "No space left on device")

    jobs = JobStore()
    printer = DocumentPrinter("spool://", Refuses(tmp_path), jobs=jobs)
    printer.open()
    result = printer.print_job(DocumentPrinter.pdf_job(minimal_test_pdf("x"), "app-9"))
    assert result.kept and result.outcome == "failed" and result.status_after.condition is PrinterCondition.OFFLINE
    assert "No space left" in result.status_after.detail and "打印失败" in result.message_zh
    assert [j.application_id for j in printer.pending()] == ["app-9"]


class CableCut(EscposSimulator):
    """The printer whose cable is pulled as soon as print data (not a status query) arrives."""

    def _connection(self, link):
        feed = super()._connection(link)

        def cut_on_print(data: bytes) -> None:
            if b"x" in data:
                self.endpoint.unplug()
                return
            feed(data)

        return cut_on_print


def test_a_receipt_printer_whose_cable_is_pulled_mid_job_keeps_it_as_failed():
    sim = CableCut(render=False)
    printer = receipt_printer(sim.port, status_timeout_s=0.2, settle_s=0, jobs=JobStore())
    printer.open()
    try:
        result = printer.print_bytes(b"\x1b@" + b"x" * 200_000 + b"\n\x1dV\x00", "app-5", cuts=1)
        assert result.kept and result.outcome == "failed" and result.status_before.ok_to_print
        assert result.status_after.condition is PrinterCondition.OFFLINE and "打印中断" in result.message_zh
        assert [j.application_id for j in printer.pending()] == ["app-5"] and printer.backend is None
        # the line is gone for good: asking again says offline, and never raises
        again = printer.print_job(printer.pending()[0])
        assert again.outcome == "not_ready" and again.status_before.condition is PrinterCondition.OFFLINE
        assert len(printer.pending()) == 1
    finally:
        printer.close()
        sim.close()


def test_each_printer_takes_only_its_own_media(rig):
    other = Job(kind="x", application_id="a", payload=b"%PDF-1.4" if rig.kind == "receipt" else b"\x1b@",
                media="application/pdf" if rig.kind == "receipt" else "escpos")
    with pytest.raises(ValueError, match="cannot print"):
        rig.printer.print_job(other)


def test_self_test_pages_are_never_kept(rig):
    rig.set("paper_out")
    result = rig.printer.test_print()  # type: ignore[attr-defined]
    assert not result.printed and result.kept and rig.printer.pending() == [] and len(rig.jobs) == 0


def test_one_store_shared_by_both_printers_each_sees_its_own(tmp_path):
    jobs = JobStore(tmp_path / "kept")
    sim = EscposSimulator(state=SimState.PAPER_OUT, render=False)
    receipt = receipt_printer(sim.port, status_timeout_s=0.3, settle_s=0, jobs=jobs)
    document = document_printer("sim://?state=paper_out", jobs=jobs)
    try:
        receipt.open(), document.open()
        r = receipt.print_job(Job("acceptance", "app-1", b"\x1b@hi\n", "escpos"))
        d = document.print_job(DocumentPrinter.pdf_job(minimal_test_pdf("l"), "app-1"))
        assert r.kept and d.kept and len(jobs) == 2
        assert [j.media for j in receipt.pending()] == ["escpos"]
        assert [j.media for j in document.pending()] == ["application/pdf"]
    finally:
        receipt.close(), document.close(), sim.close()
        if document.simulator is not None:
            document.simulator.close()
