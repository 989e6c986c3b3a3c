"""The camera device: a capture thread that always holds the newest frame, and reconnects.

Consumers never queue frames: :meth:`Camera.latest` hands out the newest one (a preview at 30 fps
and a decoder at 10 fps share one camera without either falling behind), and
:meth:`Camera.wait_frame` blocks until a frame newer than the one a consumer already has arrives.
When the source goes away (unplugged, folder or file removed, no frame for ``frame_timeout_s``)
the device turns OFFLINE — asking it for a frame then raises :class:`CameraOffline` rather than
serving a stale picture — and the thread keeps reopening the source with a growing back-off.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devices.base import Device, DeviceOffline, DeviceState, DeviceTimeout, HealthLevel, Reading
from devices.camera.sources import FrameSource, SourceError
from devices.reconnect import Backoff, keep_connected

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Frame(Reading):
    """One captured picture: BGR uint8 pixels (read-only, shared), its sequence number and time."""

    image: np.ndarray = field(repr=False)
    seq: int

    @property
    def size(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])


class CameraOffline(DeviceOffline):
    """No frame can be had: the camera is closed, not connected, or has stopped delivering."""

    def __init__(self, message_en: str) -> None:
        super().__init__(message_en, "摄像头暂时无法使用，请联系工作人员。")


class Camera(Device):
    """A camera (or a file/folder standing in for one) behind a capture thread."""

    kind = "camera"

    def __init__(self, url: str, source_factory: Callable[[threading.Event], FrameSource], name: str | None = None,
                 required: bool = True, frame_timeout_s: float = 3.5, reconnect_s: float = 0.5,
                 reconnect_max_s: float = 5.0, open_wait_s: float = 2.0, interactive_timeout_s: float = 15.0) -> None:
        super().__init__(url, name, required)
        self._factory = source_factory
        self.frame_timeout_s = frame_timeout_s
        self.reconnect_s = reconnect_s
        self.reconnect_max_s = reconnect_max_s
        self.open_wait_s = open_wait_s
        self.interactive_timeout_s = interactive_timeout_s
        self.simulator: Any = None  # a CameraSimulator when the URL is sim://
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._first_attempt = threading.Event()
        self._times: collections.deque[float] = collections.deque(maxlen=60)
        self._source: FrameSource | None = None
        for key in ("frames", "reconnects", "open_failures", "losses", "errors"):  # all keys up front: read
            # from other threads while the capture thread counts
            self.counters[key] = 0

    # -- lifecycle -------------------------------------------------------------------------
    def _open(self) -> None:
        self._set_state(DeviceState.OFFLINE)  # until the thread has the source open
        self._stop.clear()
        self._first_attempt.clear()
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.name}", daemon=True)
        self._thread.start()
        self._first_attempt.wait(self.open_wait_s)  # not fatal: the thread keeps trying

    def _close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._cond:
            self._frame = None

    # -- the capture thread ----------------------------------------------------------------
    def _run(self) -> None:
        keep_connected(self, self._stop, self._connect, self._pump, lambda source: source.close(),
                       Backoff(self.reconnect_s, self.reconnect_max_s), connect_errors=(SourceError,),
                       loss_errors=(SourceError,), missing=lambda exc: bool(getattr(exc, "missing", False)),
                       on_up=self._source_up, on_down=self._source_down, attempted=self._first_attempt,
                       what=f"camera {self.name} at {self.url}")

    def _connect(self) -> FrameSource:
        source = self._factory(self._stop)
        source.open()
        return source

    def _source_up(self, source: FrameSource) -> None:
        self._source = source
        self.info.update(source.describe())

    def _source_down(self, source: FrameSource) -> None:
        self._source = None
        with self._cond:
            self._frame = None  # never serve a picture from before a loss as if it were live
            self._cond.notify_all()

    def _pump(self, source: FrameSource) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            image = source.read()
            now = time.monotonic()
            if image is None:
                if now - last > self.frame_timeout_s:
                    raise SourceError(f"no frame for {self.frame_timeout_s:g} s")
                continue
            last = now
            self._publish(image)

    def _publish(self, image: np.ndarray) -> None:
        if image.flags.writeable:
            image.flags.writeable = False  # one array is shared by every consumer: copy before drawing on it
        with self._cond:
            self._seq += 1
            self._frame = Frame(source=self.name, at=time.time(), image=image, seq=self._seq)
            self._times.append(time.monotonic())
            self.counters["frames"] += 1
            self._cond.notify_all()

    # -- consumers -------------------------------------------------------------------------
    def _check_online(self) -> None:
        if self.state is DeviceState.CLOSED:
            raise CameraOffline(f"camera {self.name} is not open")
        if self.state is not DeviceState.ONLINE:
            raise CameraOffline(f"camera {self.name} is {self.state.value}: {self.last_error or 'no frames'}")

    def latest(self) -> Frame | None:
        """The newest frame (None before the first one); :class:`CameraOffline` when offline."""
        self._check_online()
        return self._frame

    def wait_frame(self, after_seq: int = 0, timeout: float = 1.0) -> Frame:
        """The newest frame once it is newer than ``after_seq``; raises CameraOffline or DeviceTimeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._check_online()
                frame = self._frame
                if frame is not None and frame.seq > after_seq:
                    return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout(f"camera {self.name}: no new frame in {timeout:g} s",
                                        "摄像头没有画面，请联系工作人员。")
                self._cond.wait(remaining)

    def fps(self) -> float:
        """Frames per second over the last couple of seconds (0 when none)."""
        with self._cond:
            times = list(self._times)
        if len(times) < 2 or time.monotonic() - times[-1] > 1.0:
            return 0.0
        recent = [t for t in times if times[-1] - t <= 2.0]
        return (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6) if len(recent) > 1 else 0.0

    # -- health ----------------------------------------------------------------------------
    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        details: dict[str, Any] = {}
        if self.state is not DeviceState.ONLINE:
            why = self.last_error or self.state.value
            return False, f"camera {self.state.value}: {why}", "摄像头未连接或无画面，请联系工作人员。", details
        if level is HealthLevel.INTERNAL:
            return True, "camera open", "摄像头已连接", details
        frame = self.wait_frame(self._frame.seq if self._frame else 0, timeout=self.frame_timeout_s)
        details.update(size=list(frame.size), measured_fps=round(self.fps(), 1))
        if level is HealthLevel.EXTERNAL:
            return True, f"frames arriving ({frame.size[0]}×{frame.size[1]}, {details['measured_fps']} fps)", \
                "摄像头画面正常", details
        from devices.qr.decode import decode_frame
        from service.contract.privacy import mask_text

        deadline = time.monotonic() + self.interactive_timeout_s
        seq = frame.seq
        while time.monotonic() < deadline:
            codes = decode_frame(frame.image, source=self.name)
            if codes:
                details["qr"] = mask_text(codes[0].text[:80])
                details["decoder"] = codes[0].decoder
                return True, "a QR code was read from the camera", "摄像头扫码正常", details
            seq = frame.seq
            frame = self.wait_frame(seq, timeout=self.frame_timeout_s)
        return False, f"no QR code read in {self.interactive_timeout_s:g} s", "未识别到二维码，请将二维码对准摄像头。", details
