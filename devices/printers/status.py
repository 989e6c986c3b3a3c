"""The typed printer status both printers report: one condition, a message for the citizen (zh)
and one for maintenance (en), and whether a job may be sent.

Receipt printers answer the ESC/POS real-time status queries DLE EOT 1–4 with one byte each
(``0xx1xx10``: bits 1 and 4 set, 0 and 7 clear). Document printers report CUPS
``printer-state-reasons`` keywords. Both map onto :class:`PrinterCondition`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from devices.base import DeviceState, Reading


class PrinterCondition(str, Enum):
    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"  # prints; staff should change the roll soon
    TONER_LOW = "toner_low"  # prints; staff should change the cartridge soon
    PAPER_OUT = "paper_out"
    PAPER_JAM = "paper_jam"
    COVER_OPEN = "cover_open"
    TONER_OUT = "toner_out"
    CUTTER_ERROR = "cutter_error"
    OFFLINE = "offline"  # the printer says it is offline, or does not answer at all
    HARDWARE_ERROR = "hardware_error"
    UNKNOWN = "unknown"  # the transport cannot report status (a plain file, a spool folder without status)


# Conditions under which a job is sent. UNKNOWN prints because the transport cannot say
# otherwise (a file:// device); the job is still kept if the transport then fails.
WARNINGS = (PrinterCondition.PAPER_NEAR_END, PrinterCondition.TONER_LOW)
PRINTABLE = {PrinterCondition.READY, PrinterCondition.PAPER_NEAR_END, PrinterCondition.TONER_LOW,
             PrinterCondition.UNKNOWN}

MESSAGES: dict[PrinterCondition, tuple[str, str]] = {
    PrinterCondition.READY: ("printer ready", "打印机正常。"),
    PrinterCondition.PAPER_NEAR_END: ("paper near end: change the roll soon", "打印纸即将用完，请工作人员及时更换。"),
    PrinterCondition.TONER_LOW: ("toner low: change the cartridge soon", "打印机墨粉不足，请工作人员及时更换。"),
    PrinterCondition.PAPER_OUT: ("paper out: load paper", "打印机缺纸，暂时无法打印。"),
    PrinterCondition.PAPER_JAM: ("paper jam: clear the paper path", "打印机卡纸，暂时无法打印。"),
    PrinterCondition.COVER_OPEN: ("cover open: close the printer cover", "打印机盖未关好，暂时无法打印。"),
    PrinterCondition.TONER_OUT: ("toner empty: replace the cartridge", "打印机墨粉用完，暂时无法打印。"),
    PrinterCondition.CUTTER_ERROR: ("auto-cutter error: clear the cutter and power-cycle the printer",
                                    "打印机切纸故障，暂时无法打印。"),
    PrinterCondition.OFFLINE: ("printer offline or not answering: check power and cable",
                               "打印机未连接，暂时无法打印。"),
    PrinterCondition.HARDWARE_ERROR: ("printer error: needs an engineer", "打印机故障，暂时无法打印。"),
    PrinterCondition.UNKNOWN: ("status unknown: this transport cannot report printer status", "打印机状态未知。"),
}

DEVICE_STATES: dict[PrinterCondition, DeviceState] = {
    PrinterCondition.READY: DeviceState.ONLINE,
    PrinterCondition.PAPER_NEAR_END: DeviceState.ONLINE,
    PrinterCondition.TONER_LOW: DeviceState.ONLINE,
    PrinterCondition.UNKNOWN: DeviceState.ONLINE,
    PrinterCondition.PAPER_OUT: DeviceState.USER_ERROR,
    PrinterCondition.PAPER_JAM: DeviceState.USER_ERROR,
    PrinterCondition.COVER_OPEN: DeviceState.USER_ERROR,
    PrinterCondition.TONER_OUT: DeviceState.USER_ERROR,
    PrinterCondition.OFFLINE: DeviceState.OFFLINE,
    PrinterCondition.CUTTER_ERROR: DeviceState.HARDWARE_ERROR,
    PrinterCondition.HARDWARE_ERROR: DeviceState.HARDWARE_ERROR,
}


@dataclass(frozen=True)
class PrinterStatus(Reading):
    """One status reading: ``conditions`` every condition seen, ``condition`` the one that matters most."""

    condition: PrinterCondition = PrinterCondition.UNKNOWN
    conditions: tuple[PrinterCondition, ...] = ()
    detail: str = ""  # what the printer said (status bytes, CUPS reasons), for maintenance
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def ok_to_print(self) -> bool:
        return self.condition in PRINTABLE

    @property
    def device_state(self) -> DeviceState:
        return DEVICE_STATES[self.condition]

    @property
    def message_en(self) -> str:
        en = MESSAGES[self.condition][0]
        return f"{en} ({self.detail})" if self.detail else en

    @property
    def message_zh(self) -> str:
        return MESSAGES[self.condition][1]

    @property
    def warnings(self) -> tuple[PrinterCondition, ...]:
        """Conditions that do not stop printing but need staff (near end, toner low)."""
        return tuple(c for c in self.conditions if c in WARNINGS)

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.condition.value, "conditions": [c.value for c in self.conditions],
                "ok_to_print": self.ok_to_print, "message_en": self.message_en, "message_zh": self.message_zh,
                "detail": self.detail, "raw": self.raw, "source": self.source, "at": self.at}


# Most important first: what staff must fix before anything else.
PRIORITY = (PrinterCondition.OFFLINE, PrinterCondition.COVER_OPEN, PrinterCondition.PAPER_JAM,
            PrinterCondition.PAPER_OUT, PrinterCondition.TONER_OUT, PrinterCondition.CUTTER_ERROR,
            PrinterCondition.HARDWARE_ERROR, PrinterCondition.PAPER_NEAR_END, PrinterCondition.TONER_LOW)


def make_status(source: str, conditions: Iterable[PrinterCondition], detail: str = "",
                raw: dict[str, Any] | None = None, unknown: bool = False) -> PrinterStatus:
    found = [c for c in PRIORITY if c in set(conditions)]
    if found:
        condition = found[0]
    else:
        condition = PrinterCondition.UNKNOWN if unknown else PrinterCondition.READY
    return PrinterStatus(source=source, at=time.time(), condition=condition, conditions=tuple(found),
                         detail=detail, raw=raw or {})


# -- ESC/POS real-time status (DLE EOT n) ---------------------------------------------------------
DLE_EOT = b"\x10\x04"


def valid_status_byte(value: int) -> bool:
    """``0xx1xx10``: what every DLE EOT answer looks like (anything else is line noise or an ASB packet)."""
    return value & 0b1001_0011 == 0b0001_0010


def escpos_conditions(answers: dict[int, int]) -> set[PrinterCondition]:
    """Conditions from the answers to DLE EOT 1..4 (``{n: byte}``; missing n = not asked)."""
    found: set[PrinterCondition] = set()
    b1, b2, b3, b4 = (answers.get(n) for n in (1, 2, 3, 4))
    if b2 is not None:
        if b2 & 0x04:
            found.add(PrinterCondition.COVER_OPEN)
        if b2 & 0x20:
            found.add(PrinterCondition.PAPER_OUT)
    if b3 is not None:
        if b3 & 0x08:
            found.add(PrinterCondition.CUTTER_ERROR)
        if b3 & 0x20:
            found.add(PrinterCondition.HARDWARE_ERROR)  # unrecoverable error
        if b3 & 0x40:
            found.add(PrinterCondition.HARDWARE_ERROR)  # auto-recoverable (head temperature…) – not now
    if b4 is not None:
        if b4 & 0x60:
            found.add(PrinterCondition.PAPER_OUT)
        elif b4 & 0x0C:
            found.add(PrinterCondition.PAPER_NEAR_END)
    causes = {PrinterCondition.CUTTER_ERROR, PrinterCondition.HARDWARE_ERROR}
    if b2 is not None and b2 & 0x40 and not found & causes:
        found.add(PrinterCondition.HARDWARE_ERROR)  # "error occurred" with no cause in n=3
    if b1 is not None and b1 & 0x08 and not found - {PrinterCondition.PAPER_NEAR_END}:
        found.add(PrinterCondition.OFFLINE)  # offline with no other reason given (e.g. feed button held)
    return found


# -- CUPS printer-state-reasons --------------------------------------------------------------------
_CUPS_REASONS: dict[str, PrinterCondition] = {
    "media-empty": PrinterCondition.PAPER_OUT,
    "media-needed": PrinterCondition.PAPER_OUT,
    "input-tray-missing": PrinterCondition.PAPER_OUT,
    "media-low": PrinterCondition.PAPER_NEAR_END,
    "media-jam": PrinterCondition.PAPER_JAM,
    "door-open": PrinterCondition.COVER_OPEN,
    "cover-open": PrinterCondition.COVER_OPEN,
    "interlock-open": PrinterCondition.COVER_OPEN,
    "toner-low": PrinterCondition.TONER_LOW,
    "marker-supply-low": PrinterCondition.TONER_LOW,
    "toner-empty": PrinterCondition.TONER_OUT,
    "marker-supply-empty": PrinterCondition.TONER_OUT,
    "offline": PrinterCondition.OFFLINE,
    "shutdown": PrinterCondition.OFFLINE,
    "timed-out": PrinterCondition.OFFLINE,
    "connecting-to-device": PrinterCondition.OFFLINE,
    "paused": PrinterCondition.OFFLINE,
    "stopped-partly": PrinterCondition.HARDWARE_ERROR,
    "fuser-over-temp": PrinterCondition.HARDWARE_ERROR,
    "fuser-under-temp": PrinterCondition.HARDWARE_ERROR,
}
_IGNORED_REASONS = {"none", "cups-waiting-for-job-completed", "cups-insecure-filter", "cups-missing-filter",
                    "other", "moving-to-paused", "spool-area-full", "processing-to-stop-point",
                    "cups-remote-pending", "cups-remote-pending-held"}


def cups_conditions(reasons: list[str] | tuple[str, ...]) -> set[PrinterCondition]:
    """Conditions from CUPS ``printer-state-reasons`` (suffixes -error/-warning/-report stripped;
    -report is informational, except ``offline-report``). An unknown ``…-error`` is a hardware error."""
    found: set[PrinterCondition] = set()
    for reason in reasons:
        reason = reason.strip().lower()
        if not reason or reason in _IGNORED_REASONS:
            continue
        base, suffix = reason, ""
        for end in ("-error", "-warning", "-report"):
            if reason.endswith(end):
                base, suffix = reason[: -len(end)], end
                break
        if suffix == "-report" and base != "offline":  # an unplugged printer is "offline-report"
            continue
        if base in _CUPS_REASONS:
            found.add(_CUPS_REASONS[base])
        elif suffix == "-error":
            found.add(PrinterCondition.HARDWARE_ERROR)
    return found
