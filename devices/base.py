"""The one interface every device follows, in the spirit of UnifiedPOS and XFS4IoT.

A device is opened from a URL, reports a :class:`DeviceState`, keeps counters, and answers
``health(level)`` with a typed :class:`HealthReport`. Readings are typed objects defined by
each device package (``IdCard``, ``QrCode``, ``PrinterStatus``). Simulators sit behind the very
same classes: a simulated card reader is the real driver talking to a simulator on a pty.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, ClassVar, Self


class DeviceState(str, Enum):
    """Where a device stands (UnifiedPOS CLOSED/IDLE/BUSY/ERROR, refined as XFS4IoT does)."""

    CLOSED = "closed"
    ONLINE = "online"  # open and idle, ready for work
    BUSY = "busy"
    OFFLINE = "offline"  # configured but not answering (unplugged, powered off)
    NO_DEVICE = "no_device"  # the address does not exist
    HARDWARE_ERROR = "hardware_error"  # needs an engineer
    USER_ERROR = "user_error"  # hall staff can fix it (paper out, cover open, card removed)


class HealthLevel(str, Enum):
    """UnifiedPOS ``checkHealth`` levels."""

    INTERNAL = "internal"  # driver and port only, no physical change
    EXTERNAL = "external"  # a real exchange with the device (may print on a printer)
    INTERACTIVE = "interactive"  # an operator is in the loop (test print, card read, QR scan)


@dataclass(frozen=True)
class HealthReport:
    """The typed answer of :meth:`Device.health`."""

    device: str  # the configured name, e.g. "idcard"
    kind: str  # the device kind, e.g. "idcard"
    level: HealthLevel
    ok: bool
    state: DeviceState
    summary_en: str  # for maintenance staff
    summary_zh: str  # for hall staff / citizens
    url: str = ""
    required: bool = True
    details: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["level"] = self.level.value
        doc["state"] = self.state.value
        return doc


class DeviceError(Exception):
    """A device failure with a message for the citizen (zh) and one for maintenance (en)."""

    state: DeviceState = DeviceState.HARDWARE_ERROR

    def __init__(self, message_en: str, message_zh: str = "设备暂时无法使用，请联系工作人员。",
                 state: DeviceState | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        if state is not None:
            self.state = state


class DeviceOffline(DeviceError):
    state = DeviceState.OFFLINE


class DeviceTimeout(DeviceError):
    """The device did not answer in time: the outcome is unknown, not failed."""

    state = DeviceState.OFFLINE


@dataclass(frozen=True)
class Reading:
    """Base of typed readings: when it was taken and by which device."""

    source: str
    at: float


class Device(ABC):
    """Base of every device driver and simulator-backed driver.

    Subclasses implement :meth:`_open`, :meth:`_close` and :meth:`_check`. The base keeps the
    state, the last error and the counters, and turns exceptions in a health check into a
    failed report rather than letting them escape.
    """

    kind: ClassVar[str] = "device"

    def __init__(self, url: str, name: str | None = None, required: bool = True) -> None:
        self.url = url
        self.name = name or self.kind
        self.required = required
        self._state = DeviceState.CLOSED
        self._lock = threading.RLock()
        self.last_error: str | None = None
        self.last_error_at: float | None = None
        self.counters: Counter[str] = Counter()
        self.info: dict[str, Any] = {}  # firmware, SAM ID, model… as the device reports them

    # -- state -----------------------------------------------------------------------------
    @property
    def state(self) -> DeviceState:
        return self._state

    def _set_state(self, state: DeviceState) -> None:
        self._state = state

    def record_error(self, exc: BaseException | str, state: DeviceState | None = None) -> None:
        """Remember the last error (masked text only) and count it."""
        from service.contract.privacy import mask_text

        self.last_error = mask_text(str(exc))
        self.last_error_at = time.time()
        self.counters["errors"] += 1
        if state is None and isinstance(exc, DeviceError):
            state = exc.state
        if state is not None:
            self._set_state(state)

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> Self:
        with self._lock:
            if self._state is not DeviceState.CLOSED:
                return self
            try:
                self._open()
            except DeviceError as exc:
                self.record_error(exc)
                raise
            except OSError as exc:
                err = DeviceOffline(f"{self.kind} at {self.url}: {exc}", "设备未连接，请联系工作人员。")
                self.record_error(err)
                raise err from exc
            if self._state is DeviceState.CLOSED:
                self._set_state(DeviceState.ONLINE)
            return self

    def close(self) -> None:
        with self._lock:
            if self._state is DeviceState.CLOSED:
                return
            try:
                self._close()
            finally:
                self._set_state(DeviceState.CLOSED)

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- health ----------------------------------------------------------------------------
    def health(self, level: HealthLevel = HealthLevel.INTERNAL) -> HealthReport:
        """Check the device at ``level``; never raises."""
        started = time.perf_counter()
        try:
            ok, en, zh, details = self._check(level)
        except DeviceError as exc:
            self.record_error(exc)
            ok, en, zh, details = False, exc.message_en, exc.message_zh, {}
        except Exception as exc:  # noqa: BLE001 - a health check must report, never crash the caller
            self.record_error(exc, DeviceState.HARDWARE_ERROR)
            ok, en, zh, details = False, f"{type(exc).__name__}: {exc}", "设备自检失败，请联系工作人员。", {}
        return HealthReport(
            device=self.name, kind=self.kind, level=level, ok=ok, state=self.state,
            summary_en=en, summary_zh=zh, url=self.url, required=self.required,
            details={**self.info, **details, "counters": dict(self.counters), "last_error": self.last_error},
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def statistics(self) -> dict[str, Any]:
        return {"state": self.state.value, "counters": dict(self.counters), "last_error": self.last_error,
                "info": dict(self.info)}

    @abstractmethod
    def _open(self) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...

    @abstractmethod
    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        """Return (ok, summary_en, summary_zh, details) for ``level``."""
