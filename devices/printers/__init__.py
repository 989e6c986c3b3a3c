"""Printers: the ESC/POS receipt printer (with its simulator) and the document printer (CUPS or a
spool folder); both report the same typed :class:`~devices.printers.status.PrinterStatus` and keep
jobs that could not print in a :class:`~devices.printers.jobs.JobStore` for reprint."""

from devices.printers.jobs import Job, JobNotFound, JobStore, PrintResult
from devices.printers.status import PrinterCondition, PrinterStatus

__all__ = ["Job", "JobNotFound", "JobStore", "PrintResult", "PrinterCondition", "PrinterStatus"]

import logging as _logging

# the kiosk's logging decides where the printers' warnings go (not Python's last-resort stderr)
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
