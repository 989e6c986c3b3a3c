"""Run slow work (devices, platform) off the UI thread and hand the result back on it."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)


def run_async(fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], object],
              on_error: Callable[[BaseException], object], **kwargs: Any) -> threading.Thread:
    """Call ``fn`` in a daemon thread; ``on_done``/``on_error`` run on the UI thread (never both)."""

    def work() -> None:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # handed to the screen, which shows a message and a way forward
            log.warning("background %s failed: %s", getattr(fn, "__name__", fn), exc)
            Clock.schedule_once(lambda dt, e=exc: on_error(e), 0)
            return
        Clock.schedule_once(lambda dt: on_done(result), 0)

    thread = threading.Thread(target=work, daemon=True, name=f"yzt-{getattr(fn, '__name__', 'work')}")
    thread.start()
    return thread
