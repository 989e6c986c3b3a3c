"""The one print-job policy both printers follow, whatever their transport:

    ask the status → not ready: keep the job, send nothing → send → ask again →
    printed (the job leaves the store) or kept for reprint when it may not have come out whole.

A printer (:class:`JobPrinter`) says how to ask its status (``_status``), how to send a job
(``_transmit``: ESC/POS bytes down a line, a PDF to CUPS and followed to completion) and how it
words what was kept (``KEPT_ZH``, ``what``); the policy decides what happened and keeps the job,
counts, logs and answers a :class:`~devices.printers.jobs.PrintResult` the same way for both.
"""

from __future__ import annotations

import logging
import time
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from devices.base import Device, DeviceState
from devices.printers.jobs import Job, JobStore, PrintResult
from devices.printers.status import MESSAGES, PrinterCondition, PrinterStatus, make_status

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """The transport failed while sending (or submitting): how much came out is unknown."""

    def __init__(self, message_en: str) -> None:
        super().__init__(message_en)
        self.message_en = message_en


@dataclass
class Sent:
    """What the transport did with a job."""

    bytes: int  # handed to the printer
    after: PrinterStatus | None = None  # the status after the job, when the transport followed it (CUPS)
    outcome: str = "printed"  # the transport may know better already: "interrupted", "failed"
    note: str = ""  # what the transport said (a CUPS job state), for maintenance
    details: dict[str, Any] = field(default_factory=dict)  # carried into the result
    counts: dict[str, int] = field(default_factory=dict)  # counters to add once it printed (cuts, pages)


class JobPrinter(Device):
    """A printer that takes :class:`Job` s under the policy of the module docstring."""

    media: ClassVar[str] = ""  # the Job.media it prints
    # what the citizen is told when a job is kept, by outcome; {status} and {what} are filled in
    KEPT_ZH: ClassVar[dict[str, str]] = {
        "not_ready": "{status}{what}已保存，工作人员处理后可凭受理编号补打。",
        "failed": "{what}打印失败，已保存，工作人员处理后可凭受理编号补打。",
        "interrupted": "{status}{what}未能完整打印，已保存，可凭受理编号补打。",
    }

    def __init__(self, url: str, name: str | None = None, required: bool = True,
                 jobs: JobStore | None = None) -> None:
        super().__init__(url, name, required)
        self.jobs = jobs if jobs is not None else JobStore()
        self.last_status: PrinterStatus | None = None
        for key in ("jobs_printed", "jobs_kept", "paper_out_events", "bytes_sent"):
            self.counters[key] = 0

    # -- what each printer says ---------------------------------------------------------------------
    def what(self, job: Job) -> str:
        """The document's name in the citizen's message (回执, 营业执照, 文件)."""
        return "营业执照" if job.kind == "licence" else "文件"

    @abstractmethod
    def _status(self) -> PrinterStatus:
        """Ask the printer now; never raises (a printer that does not answer is OFFLINE)."""

    @abstractmethod
    def _transmit(self, job: Job, before: PrinterStatus) -> Sent:
        """Send ``job``; raise :class:`SendFailed` when the transport fails."""

    def _status_after(self, before: PrinterStatus) -> PrinterStatus:
        """The status once the job is through (a receipt printer lets its buffer print first)."""
        return self._status()

    # -- the policy ---------------------------------------------------------------------------------
    def status(self) -> PrinterStatus:
        """The printer's condition now; never raises."""
        with self._lock:
            return self._status()

    def _remember(self, status: PrinterStatus, state: DeviceState | None = None,
                  error_en: str | None = None) -> PrinterStatus:
        """Keep ``status`` as the last one; a condition that stops printing is the last error."""
        self.last_status = status
        if state is not None:
            self._set_state(state)
        if not status.ok_to_print:
            self.last_error, self.last_error_at = error_en or status.message_en, time.time()
        return status

    def print_job(self, job: Job) -> PrintResult:
        """Status, send, status again. Printed jobs leave the store; the others stay in it."""
        if job.media != self.media:
            raise ValueError(f"a {self.kind.replace('_', ' ')} cannot print {job.media} (job {job.id})")
        started = time.perf_counter()
        with self._lock:
            before = self._status()
            if not before.ok_to_print:
                return self._kept(job, "not_ready", before, None, 0, started)
            try:
                sent = self._transmit(job, before)
            except SendFailed as exc:
                failed = make_status(self.name, [PrinterCondition.OFFLINE], exc.message_en)
                return self._kept(job, "failed", before, failed, 0, started)
            after = sent.after if sent.after is not None else self._status_after(before)
            outcome = sent.outcome
            if outcome == "printed" and not after.ok_to_print:  # it stopped during the job
                outcome = "interrupted"
            if outcome != "printed":
                return self._kept(job, outcome, before, after, sent.bytes, started, sent.details)
            return self._printed(job, before, after, sent, started)

    def _printed(self, job: Job, before: PrinterStatus, after: PrinterStatus, sent: Sent,
                 started: float) -> PrintResult:
        self.counters["jobs_printed"] += 1
        for key, n in sent.counts.items():
            self.counters[key] += n
        self.jobs.done(job.id)
        what = self.what(job)
        unknown = after.condition is PrinterCondition.UNKNOWN
        warn_zh = "".join(f"（{MESSAGES[c][1]}）" for c in after.warnings)
        warn_en = "; warning: " + ", ".join(c.value for c in after.warnings) if after.warnings else ""
        en = ("printed" + (f" ({sent.note})" if sent.note else "") + (" (status unknown)" if unknown else "")
              + warn_en)
        details = {**sent.details, **({"warning_zh": warn_zh} if warn_zh else {})}
        return PrintResult(job.id, job.application_id, job.kind, "printed", True, False,
                           f"{what}已发送打印。" if unknown else f"{what}已打印，请取走。", en,
                           before, after, sent.bytes, time.perf_counter() - started, details)

    def _kept(self, job: Job, outcome: str, before: PrinterStatus, after: PrinterStatus | None, sent: int,
              started: float, details: dict[str, Any] | None = None) -> PrintResult:
        status = after or before
        if PrinterCondition.PAPER_OUT in status.conditions:
            self.counters["paper_out_events"] += 1
        kept = self.jobs.keep(job, status)
        self.counters["jobs_kept"] += 1
        zh = self.KEPT_ZH[outcome].format(status=status.message_zh, what=self.what(job))
        en = f"{outcome}: {status.message_en}; job {job.id} kept for reprint"
        log.warning("%s %s: %s (application %s)", self.name, job.kind, en, job.application_id)
        return PrintResult(kept.id, job.application_id, job.kind, outcome, False, True, zh, en, before, after,
                           sent, time.perf_counter() - started, details or {})

    # -- kept jobs ----------------------------------------------------------------------------------
    def pending(self, kind: str | None = None) -> list[Job]:
        """Kept jobs this printer takes, oldest first (the store may be shared by both printers)."""
        return [j for j in self.jobs.pending(kind) if j.media == self.media]

    def reprint(self, job_id: str) -> PrintResult:
        """Print a kept job again (raises :class:`~devices.printers.jobs.JobNotFound` for an unknown id)."""
        return self.jobs.reprint(job_id, self)

    def _self_test(self, job: Job) -> PrintResult:
        """Print a test page; one that did not print is not a citizen's document: nothing to reprint."""
        result = self.print_job(job)
        if result.kept:
            self.jobs.done(result.job_id)
        return result
