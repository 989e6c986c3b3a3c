"""Decoding off the UI thread: a worker that pulls the camera's newest frame, decodes it and delivers
each code once.

A phone held up to the camera is seen in every frame for seconds; :class:`Deduper` lets a text
through once and then again only after it has been out of sight for ``window_s``. Readings go to a
callback (called on the reader's thread: a UI marshals them to its own thread) and to a bounded
queue (the oldest reading is dropped when nobody empties it). A serial scanner attached with
``scanner=`` feeds the same de-duplication and delivery, so a journey sees one stream of
:class:`~devices.qr.codes.QrCode` whichever way the citizen showed the code.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Self

from devices.base import DeviceError
from devices.delivery import Listeners, NewestQueue
from devices.qr.codes import QrCode
from devices.qr.decode import decode_frame

log = logging.getLogger(__name__)


class Deduper:
    """Passes a text once; again only after it has been unseen for ``window_s`` seconds."""

    def __init__(self, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, text: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last_seen.get(text)
            self._last_seen[text] = now  # every sighting extends the quiet period
            if len(self._last_seen) > 256:  # forget codes long gone
                for key in [k for k, t in self._last_seen.items() if now - t > self.window_s]:
                    del self._last_seen[key]
            return last is None or now - last > self.window_s

    def reset(self) -> None:
        """Forget everything (a new citizen: the same code shown again must count)."""
        with self._lock:
            self._last_seen.clear()


class QrReader:
    """Decodes the camera's newest frames in a worker thread and delivers de-duplicated codes.

    ``on_code(code)`` (the first listener; :meth:`add_listener` adds more) runs on the worker
    thread; ``get(timeout)`` takes readings from the queue. ``rate_hz`` caps the decoding rate (a
    decode costs 2–6 ms, but the CPU is shared with the UI).
    """

    def __init__(self, camera: Any = None, on_code: Callable[[QrCode], None] | None = None,
                 dedupe_s: float = 3.0, rate_hz: float = 15.0, queue_size: int = 16,
                 decoder: Callable[..., list[QrCode]] = decode_frame, scanner: Any = None) -> None:
        self.camera = camera
        self.deduper = Deduper(dedupe_s)
        self.rate_hz = rate_hz
        self.decoder = decoder
        self.scanner = scanner
        self.queue: NewestQueue[QrCode] = NewestQueue(queue_size)
        self.counters: dict[str, int] = {"frames": 0, "codes": 0, "delivered": 0, "duplicates": 0, "dropped": 0,
                                         "camera_offline": 0, "callback_errors": 0}
        self.listeners: Listeners[QrCode] = Listeners("QR reader", self.counters, on_error=self._listener_failed)
        if on_code is not None:
            self.listeners.add(on_code)
        self.decode_ms: deque[float] = deque(maxlen=200)
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Self:
        if self._thread is not None:
            return self
        self._stop.clear()
        if self.scanner is not None:
            self.scanner.add_listener(self.submit)
        if self.camera is not None:
            self._thread = threading.Thread(target=self._run, name="qr-reader", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self.scanner is not None:
            self.scanner.remove_listener(self.submit)
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- delivery --------------------------------------------------------------------------
    def submit(self, code: QrCode) -> bool:
        """Deliver ``code`` unless it is a repeat; True if delivered. Any source may call it."""
        with self._lock:
            self.counters["codes"] += 1
            if not self.deduper.accept(code.text):
                self.counters["duplicates"] += 1
                return False
            self.counters["delivered"] += 1
            if self.queue.put(code) is not None:  # nobody empties the queue: the oldest reading goes
                self.counters["dropped"] += 1
        self.listeners.emit(code)
        return True

    def add_listener(self, fn: Callable[[QrCode], Any]) -> None:
        """Call ``fn(code)`` (on the worker thread) for every delivered code."""
        self.listeners.add(fn)

    def remove_listener(self, fn: Callable[[QrCode], Any]) -> None:
        self.listeners.remove(fn)

    def _listener_failed(self, fn: Callable[[QrCode], Any], exc: Exception) -> None:
        self.last_error = f"on_code: {type(exc).__name__}: {exc}"

    def get(self, timeout: float | None = None) -> QrCode | None:
        """The next delivered code, or None after ``timeout`` seconds."""
        return self.queue.get(timeout)

    def reset(self) -> None:
        """A new session: forget codes already seen and drop undelivered readings."""
        self.deduper.reset()
        self.queue.clear()

    def median_decode_ms(self) -> float:
        return statistics.median(self.decode_ms) if self.decode_ms else 0.0

    # -- the worker ------------------------------------------------------------------------
    def _run(self) -> None:
        seq = 0
        period = 1.0 / self.rate_hz if self.rate_hz > 0 else 0.0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                frame = self.camera.wait_frame(seq, timeout=0.5)
            except DeviceError as exc:  # offline or no frame yet: wait and ask again
                self.counters["camera_offline"] += 1
                self.last_error = exc.message_en
                self._stop.wait(0.2)
                continue
            seq = frame.seq
            t0 = time.perf_counter()
            try:
                codes = self.decoder(frame.image, source=frame.source, at=frame.at)
            except Exception as exc:  # noqa: BLE001 - a decoder surprise on one frame must not end reading
                self.last_error = f"decode: {type(exc).__name__}: {exc}"
                log.warning("QR decode failed on frame %d: %s", seq, exc)
                codes = []
            self.decode_ms.append((time.perf_counter() - t0) * 1000)
            self.counters["frames"] += 1
            for code in codes:
                self.submit(code)
            rest = period - (time.monotonic() - started)
            if rest > 0:
                self._stop.wait(rest)
