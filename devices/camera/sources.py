"""Where frames come from: a live camera (index, V4L2 path, stream URL), a video file, or a folder of images.

A source is opened, read and closed by the capture thread only. ``read()`` returns the next frame
(BGR uint8), or None when there is no new frame yet; it raises :class:`SourceLost` when the source
has gone (camera unplugged, file or folder removed) so the capture can reconnect. Files and folders
are paced to the configured frame rate and loop, so they behave like a camera.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpg", ".mjpeg", ".m4v"}


class SourceError(Exception):
    """The source cannot be opened now (``missing``: its address does not exist)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


class SourceLost(SourceError):
    """A source that was delivering frames stopped (unplugged, removed, stream ended)."""


@dataclass
class Pacer:
    """Hands out frame times at ``fps`` so a file or folder plays like a camera; stop-aware sleeping."""

    fps: float
    stop: threading.Event
    _next: float = 0.0

    def wait(self) -> bool:
        """Sleep until the next frame is due; False if asked to stop meanwhile."""
        period = 1.0 / self.fps
        now = time.monotonic()
        if self._next == 0.0 or now - self._next > period:  # first frame, or we fell behind: restart
            self._next = now
        delay = self._next - now
        self._next += period
        if delay > 0:
            return not self.stop.wait(delay)
        return not self.stop.is_set()


class FrameSource:
    """Interface of the sources; ``kind`` names it in health reports."""

    kind = "source"
    live = False  # a live camera paces itself; files and folders are paced by a Pacer

    def open(self) -> None:
        raise NotImplementedError

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def describe(self) -> dict:
        return {"source": self.kind}


class _OpenCvSource(FrameSource):
    """A source read through an OpenCV ``VideoCapture`` (released on close)."""

    cap: cv2.VideoCapture | None = None

    def close(self) -> None:
        if self.cap is not None:
            self.cap.release()
            self.cap = None


class CvCapture(_OpenCvSource):
    """OpenCV VideoCapture on a camera index, a V4L2 device path or a stream URL (live)."""

    kind = "camera"
    live = True

    def __init__(self, target: int | str, width: int = 1280, height: int = 720, fps: float = 30,
                 fourcc: str = "MJPG", stop: threading.Event | None = None) -> None:
        self.target = target
        self.width, self.height, self.fps, self.fourcc = width, height, fps, fourcc
        self.cap: cv2.VideoCapture | None = None
        self._failures = 0

    def open(self) -> None:
        target = self.target
        if isinstance(target, str) and target.startswith("/dev/") and not os.path.exists(target):
            raise SourceError(f"{target}: no such device", missing=True)
        if isinstance(target, int) and not Path(f"/dev/video{target}").exists() and Path("/dev").is_dir():
            raise SourceError(f"camera index {target}: no /dev/video{target}", missing=True)
        backend = cv2.CAP_V4L2 if isinstance(target, int) or str(target).startswith("/dev/") else cv2.CAP_ANY
        cap = cv2.VideoCapture(target, backend)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"{target}: the camera did not open")
        if self.fourcc:  # USB cameras deliver 720p at full rate only as MJPEG
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver from queueing stale frames
        self.cap = cap
        self._failures = 0

    def read(self) -> np.ndarray | None:
        assert self.cap is not None
        ok, image = self.cap.read()
        if not ok or image is None:
            self._failures += 1
            if self._failures >= 3:
                raise SourceLost(f"{self.target}: the camera stopped delivering frames")
            time.sleep(0.02)
            return None
        self._failures = 0
        return image

    def describe(self) -> dict:
        d: dict[str, Any] = {"source": self.kind, "target": str(self.target)}
        if self.cap is not None:
            d["size"] = [int(self.cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self.cap.get(cv2.CAP_PROP_FRAME_HEIGHT))]
        return d


class VideoFile(_OpenCvSource):
    """A video file played at its own (or the configured) frame rate, looping; removing it is an unplug."""

    kind = "video"

    def __init__(self, path: Path, fps: float | None, stop: threading.Event, loop: bool = True) -> None:
        self.path = path
        self.loop = loop
        self.cap: cv2.VideoCapture | None = None
        self.pacer = Pacer(fps or 25.0, stop)
        self._fps_given = fps is not None
        self._checked = 0.0

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file", missing=True)
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"{self.path}: not a video OpenCV can read")
        file_fps = cap.get(cv2.CAP_PROP_FPS)
        if not self._fps_given and 1 <= file_fps <= 120:
            self.pacer.fps = file_fps
        self.cap = cap

    def read(self) -> np.ndarray | None:
        assert self.cap is not None
        if not self.pacer.wait():
            return None
        now = time.monotonic()
        if now - self._checked > 0.5:  # the open handle keeps a deleted file readable: look for it
            self._checked = now
            if not self.path.exists():
                raise SourceLost(f"{self.path}: the video file was removed")
        ok, image = self.cap.read()
        if not ok and self.loop:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self.cap.read()
        if not ok or image is None:
            raise SourceLost(f"{self.path}: no more frames")
        return image

    def describe(self) -> dict:
        return {"source": self.kind, "path": str(self.path), "fps": self.pacer.fps}


class ImageFolder(FrameSource):
    """The images of a folder (or one image file), in name order, looping at ``fps``.

    The folder is listed again every ``rescan_s`` so images added, replaced or removed show up;
    a folder that disappears is an unplugged camera. Decoded images are cached by name, size and
    modification time and served read-only. When ``overlay`` (a sub-folder) holds images, those
    are served instead: that is how the simulator holds a code up to the camera.
    """

    kind = "folder"

    def __init__(self, path: Path, fps: float, stop: threading.Event, overlay: Path | None = None,
                 rescan_s: float = 0.1) -> None:
        self.path = path
        self.overlay = overlay
        self.pacer = Pacer(fps, stop)
        self.rescan_s = rescan_s
        self._files: list[Path] = []
        self._listed = 0.0
        self._index = 0
        self._cache: dict[Path, tuple[tuple[int, int], np.ndarray]] = {}
        self.bad_images = 0

    def _list(self, folder: Path) -> list[Path]:
        with os.scandir(folder) as it:
            return sorted(Path(e.path) for e in it
                          if e.is_file() and Path(e.name).suffix.lower() in IMAGE_SUFFIXES
                          and not e.name.startswith("."))

    def _relist(self) -> None:
        if self.path.is_file():
            self._files = [self.path]
        else:
            try:
                files = self._list(self.path)
            except FileNotFoundError:
                raise SourceLost(f"{self.path}: the image folder was removed", missing=True) from None
            except NotADirectoryError:
                raise SourceLost(f"{self.path}: not a folder any more", missing=True) from None
            if self.overlay is not None:
                try:
                    shown = self._list(self.overlay)
                except (FileNotFoundError, NotADirectoryError):
                    shown = []
                files = shown or files
            self._files = files
        self._listed = time.monotonic()
        live = set(self._files)
        for stale in [p for p in self._cache if p not in live]:
            del self._cache[stale]

    def open(self) -> None:
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such folder or image", missing=True)
        self._relist()
        if not self._files:
            raise SourceError(f"{self.path}: holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        self._index = 0

    def _load(self, path: Path) -> np.ndarray | None:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            data = np.fromfile(path, dtype=np.uint8)
        except OSError:
            return None
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        if image is None:  # half-written or not an image: skip it this time
            self.bad_images += 1
            return None
        image.flags.writeable = False  # shared by every Frame that serves it
        self._cache[path] = (key, image)
        return image

    def read(self) -> np.ndarray | None:
        if not self.pacer.wait():
            return None
        if time.monotonic() - self._listed >= self.rescan_s:
            self._relist()
        if not self._files:
            return None
        self._index %= len(self._files)
        path = self._files[self._index]
        self._index += 1
        return self._load(path)

    def describe(self) -> dict:
        return {"source": self.kind, "path": str(self.path), "fps": self.pacer.fps, "images": len(self._files),
                "bad_images": self.bad_images}


def source_for(target: str, stop: threading.Event, fps: float | None = None, width: int = 1280,
               height: int = 720, fourcc: str = "MJPG", loop: bool = True,
               overlay: Path | None = None) -> FrameSource:
    """The source for a camera address: ``0``, ``/dev/video0``, ``rtsp://…``, a video file, an image or folder."""
    target = target.strip()
    if target.isdigit():
        return CvCapture(int(target), width, height, fps or 30, fourcc)
    if target.startswith("v4l2://"):
        return CvCapture(target[len("v4l2://"):], width, height, fps or 30, fourcc)
    if "://" in target and not target.startswith("file://"):
        return CvCapture(target, width, height, fps or 30, "")
    path = Path(target.removeprefix("file://")).expanduser()
    if str(path).startswith("/dev/"):
        return CvCapture(str(path), width, height, fps or 30, fourcc)
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES or (path.is_file() and suffix not in IMAGE_SUFFIXES):
        return VideoFile(path, fps, stop, loop)
    return ImageFolder(path, fps or 25.0, stop, overlay)
