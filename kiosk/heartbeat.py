"""The kiosk's heartbeat: its device states and counters sent to the platform every minute.

The platform keeps the latest per kiosk for the fleet page; a kiosk that stops beating rises to the
top there. A heartbeat carries no personal data (see :func:`kiosk.diagnostics.heartbeat_status`).
It runs on its own thread so a slow or absent platform never holds up the screen; a failed beat
is logged and counted, and the next one simply tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kiosk.diagnostics import heartbeat_status

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, runtime: Any, interval_s: float | None = None) -> None:
        self.runtime = runtime
        self.interval_s = float(interval_s if interval_s is not None else runtime.cfg.platform.heartbeat_s)
        self.sent = 0
        self.failed = 0
        self.last_sent_at: float | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> bool:
        """Send one heartbeat now; True if the platform took it."""
        try:
            status = heartbeat_status(self.runtime)
            self.runtime.platform_client().heartbeat(self.runtime.cfg.kiosk.site, status,
                                                     self.runtime.cfg.fleet_number)
        except Exception as exc:  # the platform may be down: the next beat tries again
            self.failed += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("heartbeat not delivered: %s", self.last_error)
            return False
        self.sent += 1
        self.last_sent_at = time.time()
        self.last_error = None
        self._platform_takes_us()
        return True

    def _platform_takes_us(self) -> None:
        """A signed beat went through: applications held back by the platform (down, or refusing this
        kiosk's key until it was enrolled) are due now, not at the end of their backoff."""
        outbox = getattr(self.runtime, "_outbox", None)
        if outbox is not None and not getattr(outbox, "closed", False):
            try:
                outbox.retry_now(("auth", "unreachable", "server"))
            except Exception as exc:  # the forwarder's own backoff still runs
                log.debug("outbox not woken: %s", exc)

    def start(self) -> "Heartbeat":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="yzt-heartbeat", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval_s)
