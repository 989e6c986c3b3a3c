"""Print jobs that could not be printed, kept (with the application number) for reprint.

A :class:`JobStore` holds jobs in memory and, given a folder, one file per job (0600, written
atomically) so a kept licence or receipt survives a restart. ``seal``/``unseal`` are the hooks
the reliability work uses to encrypt kept jobs at rest; by default the bytes are stored as they are.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devices.printers.status import PrinterStatus

log = logging.getLogger(__name__)


class JobNotFound(KeyError):
    """No kept job with that id (already reprinted, or never kept)."""

    message_zh = "未找到待补打的打印任务。"


@dataclass(frozen=True)
class Job:
    """One print job: the bytes as the printer takes them, and what they belong to."""

    kind: str  # receipt kinds (acceptance, result, …) or "licence"
    application_id: str
    payload: bytes = field(repr=False)
    media: str = "escpos"  # "escpos" or "application/pdf"
    title: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: float = field(default_factory=time.time)
    attempts: int = 0
    last_condition: str = ""
    last_error_en: str = ""
    last_error_zh: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"cuts": 1, "size": "A4"}

    def to_json(self) -> bytes:
        doc = asdict(self)
        doc["payload"] = base64.b64encode(self.payload).decode("ascii")
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Job:
        doc = json.loads(data.decode("utf-8"))
        doc["payload"] = base64.b64decode(doc["payload"])
        return cls(**doc)

    def summary(self) -> dict[str, Any]:
        """What a maintenance screen lists (no payload)."""
        return {"id": self.id, "kind": self.kind, "application_id": self.application_id, "title": self.title,
                "media": self.media, "bytes": len(self.payload), "created_at": self.created_at,
                "attempts": self.attempts, "last_condition": self.last_condition,
                "last_error_en": self.last_error_en}


@dataclass(frozen=True)
class PrintResult:
    """What became of one job: printed, or kept for reprint and why (zh for the citizen, en for the log)."""

    job_id: str
    application_id: str
    kind: str
    outcome: str  # printed, not_ready, failed, interrupted
    printed: bool
    kept: bool
    message_zh: str
    message_en: str
    status_before: PrinterStatus | None = None
    status_after: PrinterStatus | None = None
    bytes_sent: int = 0
    elapsed_s: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def condition(self) -> str:
        status = self.status_after or self.status_before
        return status.condition.value if status is not None else ""

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "application_id": self.application_id, "kind": self.kind,
                "outcome": self.outcome, "printed": self.printed, "kept": self.kept,
                "condition": self.condition,
                "message_zh": self.message_zh, "message_en": self.message_en, "bytes_sent": self.bytes_sent,
                "elapsed_s": round(self.elapsed_s, 3),
                "status_before": self.status_before.to_dict() if self.status_before else None,
                "status_after": self.status_after.to_dict() if self.status_after else None, **self.details}


class JobStore:
    """Kept jobs, oldest first; in memory, and in ``folder`` when one is given."""

    SUFFIX = ".job"

    def __init__(self, folder: str | os.PathLike[str] | None = None,
                 seal: Callable[[bytes], bytes] | None = None,
                 unseal: Callable[[bytes], bytes] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._seal = seal or (lambda b: b)
        self._unseal = unseal or (lambda b: b)
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                self.folder.chmod(0o700)
            except OSError:
                pass
            self._load()

    def _load(self) -> None:
        assert self.folder is not None
        for path in sorted(self.folder.glob("*" + self.SUFFIX)):
            try:
                job = Job.from_json(self._unseal(path.read_bytes()))
            except Exception as exc:  # noqa: BLE001 - one damaged file must not lose the others
                log.error("kept print job %s unreadable (%s); moved aside", path.name, exc)
                path.rename(path.with_suffix(".damaged"))
                continue
            self._jobs[job.id] = job

    def _path(self, job_id: str) -> Path:
        assert self.folder is not None
        if not job_id.isalnum():
            raise JobNotFound(job_id)
        return self.folder / f"{job_id}{self.SUFFIX}"

    def _write(self, job: Job) -> None:
        if self.folder is None:
            return
        from service.contract.files import write_private

        write_private(self._path(job.id), self._seal(job.to_json()))

    def keep(self, job: Job, status: PrinterStatus | None = None, error_en: str = "",
             error_zh: str = "") -> Job:
        """Keep (or update) ``job`` for reprint, remembering why it did not print."""
        with self._lock:
            previous = self._jobs.get(job.id)
            attempts = max(job.attempts, previous.attempts if previous else 0) + 1
            job = replace(job, attempts=attempts,
                          last_condition=status.condition.value if status is not None else job.last_condition,
                          last_error_en=error_en or (status.message_en if status is not None else ""),
                          last_error_zh=error_zh or (status.message_zh if status is not None else ""))
            self._write(job)
            self._jobs[job.id] = job
            return job

    def done(self, job_id: str) -> None:
        """Forget a job (it printed)."""
        with self._lock:
            self._jobs.pop(job_id, None)
            if self.folder is not None:
                self._path(job_id).unlink(missing_ok=True)

    def get(self, job_id: str) -> Job:
        with self._lock:
            try:
                return self._jobs[job_id]
            except KeyError:
                raise JobNotFound(job_id) from None

    def pending(self, kind: str | None = None, application_id: str | None = None) -> list[Job]:
        """Kept jobs, oldest first, optionally only of one kind or one application."""
        with self._lock:
            jobs = sorted(self._jobs.values(), key=lambda j: j.created_at)
        return [j for j in jobs if (kind is None or j.kind == kind)
                and (application_id is None or j.application_id == application_id)]

    def __len__(self) -> int:
        return len(self._jobs)

    def reprint(self, job_id: str, printer: Any) -> PrintResult:
        """Send a kept job to ``printer`` again; it leaves the store once printed."""
        return printer.print_job(self.get(job_id))
