"""The idle timeout: warn for the last seconds, then wipe. Plain Python with an injectable clock."""

from __future__ import annotations

import time
from typing import Callable


class IdleTimer:
    """Tracks the last touch; :meth:`poll` says whether to show the countdown or to wipe now.

    The screen layer calls :meth:`touched` on every touch and :meth:`poll` a few times a second;
    it decides nothing itself.
    """

    def __init__(self, timeout_s: float, warning_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 < warning_s < timeout_s:
            raise ValueError("warning_s must be between 0 and timeout_s")
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self._clock = clock
        self._last = clock()
        self.paused = False  # e.g. while printing or submitting: never wipe mid-transaction

    def touched(self) -> None:
        self._last = self._clock()

    def remaining(self) -> float:
        if self.paused:
            return self.timeout_s
        return max(0.0, self.timeout_s - (self._clock() - self._last))

    def poll(self) -> tuple[str, int]:
        """``("idle", 0)``, ``("warning", seconds_left)`` or ``("expired", 0)``."""
        left = round(self.remaining(), 6)
        if left <= 0:
            return "expired", 0
        if left <= self.warning_s:
            return "warning", int(left + 0.999)
        return "idle", 0
