"""Keeping a device connected: a bounded back-off, and the one reconnect loop the threaded devices run.

A device whose thread owns the connection (the camera's capture, the QR scanner's reader) runs
:func:`keep_connected` on it: connect; on failure say so once per streak of failures (state
NO_DEVICE while it has never been there, OFFLINE after), wait a back-off that doubles up to its
bound, try again; once connected, go ONLINE and ``pump`` until the connection is lost (OFFLINE,
``losses``) or the device is stopped; release the connection; count ``reconnects`` when it comes
back. A surprise exception from the driver is a HARDWARE_ERROR, never the end of the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from devices.base import Device, DeviceState

log = logging.getLogger(__name__)

C = TypeVar("C")


class Backoff:
    """Waits that start at ``first_s`` and double on each failure, never beyond ``max_s``."""

    def __init__(self, first_s: float, max_s: float) -> None:
        if first_s <= 0 or max_s < first_s:
            raise ValueError(f"back-off must satisfy 0 < first ({first_s}) <= max ({max_s})")
        self.first_s = float(first_s)
        self.max_s = float(max_s)
        self.current = self.first_s

    def next(self) -> float:
        """The wait before the next attempt (then the one after it doubles, up to the bound)."""
        wait = self.current
        self.current = min(self.current * 2, self.max_s)
        return wait

    def reset(self) -> None:
        """A success: the next failure waits ``first_s`` again."""
        self.current = self.first_s


def _release(conn: Any, release: Callable[[Any], None], what: str) -> None:
    try:
        release(conn)
    except Exception as exc:  # noqa: BLE001 - closing a dead port or camera may fail too
        log.debug("%s: closing after use: %s", what, exc)


def keep_connected(device: Device, stop: threading.Event, connect: Callable[[], C], pump: Callable[[C], None],
                   release: Callable[[C], None], backoff: Backoff, *,
                   connect_errors: tuple[type[BaseException], ...] = (OSError,),
                   loss_errors: tuple[type[BaseException], ...] = (OSError,),
                   missing: Callable[[BaseException], bool] = lambda exc: True,
                   on_up: Callable[[C], None] | None = None, on_down: Callable[[C], None] | None = None,
                   attempted: threading.Event | None = None, what: str = "") -> None:
    """Run ``device``'s connection until ``stop`` is set (see the module docstring).

    ``connect()`` returns an open connection or raises one of ``connect_errors`` (``missing(exc)``:
    whether that failure means the address does not exist); ``pump(conn)`` works the connection
    and returns when ``stop`` is set, or raises one of ``loss_errors`` when it is lost; ``on_up`` /
    ``on_down`` run as it comes and goes; ``attempted`` is set after every attempt (``open()`` waits
    for the first one).
    """
    what = what or f"{device.kind} {device.name} at {device.url}"
    ever = lost = failing = False

    def attempt_done() -> None:
        if attempted is not None:
            attempted.set()

    while not stop.is_set():
        try:
            conn = connect()
        except connect_errors as exc:
            device.counters["open_failures"] += 1
            state = DeviceState.NO_DEVICE if missing(exc) and not ever else DeviceState.OFFLINE
            if not failing:  # a streak of failures is logged and recorded once
                log.warning("%s: %s", what, exc)
                device.record_error(exc, state)
            device._set_state(state)
            failing = True
            attempt_done()
            stop.wait(backoff.next())
            continue
        except Exception as exc:  # a driver surprise must not kill the thread
            device.counters["open_failures"] += 1
            log.exception("%s: opening failed", what)
            device.record_error(exc, DeviceState.HARDWARE_ERROR)
            attempt_done()
            stop.wait(backoff.max_s)
            continue
        if lost:
            device.counters["reconnects"] += 1
            log.info("%s is back", what)
        ever, failing = True, False
        backoff.reset()
        if on_up is not None:
            on_up(conn)
        device._set_state(DeviceState.ONLINE)
        attempt_done()
        try:
            pump(conn)
        except loss_errors as exc:
            lost = True
            device.counters["losses"] += 1
            log.warning("%s lost: %s", what, exc)
            device.record_error(exc, DeviceState.OFFLINE)
        except Exception as exc:  # the driver failed while working: reconnect rather than die
            lost = True
            device.counters["losses"] += 1
            log.exception("%s failed", what)
            device.record_error(exc, DeviceState.HARDWARE_ERROR)
        finally:
            if on_down is not None:
                on_down(conn)
            _release(conn, release, what)
        if not stop.is_set():
            stop.wait(backoff.current)
