"""The camera simulator: a folder of generated frames that the real capture path reads and loops.

``sim://`` makes a private temporary folder holding a few frames of an empty service hall;
``sim://DIR`` uses DIR (filled with those frames when it holds no images). To hold a code up to
the camera, :meth:`CameraSimulator.show_text` renders it with segno onto a phone screen and writes
those frames into ``DIR/.shown/``, which the folder source serves instead of the hall while it holds
images; :meth:`show_nothing` empties it again. :meth:`unplug`/:meth:`replug` move the folder away
and back, which the capture sees exactly as it would see a camera being unplugged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

import cv2
import numpy as np

from devices.camera.sources import IMAGE_SUFFIXES
from devices.qr import synth

OVERLAY = ".shown"


def _write_jpeg(path: Path, image: np.ndarray, quality: int = 92) -> None:
    """Write atomically, so the capture never reads half a file."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise OSError(f"cannot encode a frame for {path}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)


class CameraSimulator:
    """Generated frames in a folder; what the simulated camera shows is changed by rewriting them."""

    def __init__(self, folder: Path | None = None, size: tuple[int, int] = synth.FRAME_SIZE,
                 frames: int = 3) -> None:
        self._owned = folder is None
        self.folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="yzt-camsim-"))
        self.size = size
        self.frames = frames
        self.shown: str | None = None  # the text currently held up, if any
        self.folder.mkdir(parents=True, exist_ok=True)
        if not any(p.suffix.lower() in IMAGE_SUFFIXES for p in self.folder.iterdir()):
            for i in range(frames):
                _write_jpeg(self.folder / f"scene-{i:02d}.jpg", synth.scene_frame(seed=i, size=size))
        if self._owned:
            self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.folder), True)

    @property
    def overlay(self) -> Path:
        return self.folder / OVERLAY

    def _replace_overlay(self, images: list[np.ndarray]) -> None:
        self.overlay.mkdir(exist_ok=True)
        names = []
        for i, image in enumerate(images):
            name = f"shown-{i:02d}.jpg"
            _write_jpeg(self.overlay / name, image)
            names.append(name)
        for old in self.overlay.iterdir():
            if old.name not in names and not old.name.startswith("."):
                old.unlink(missing_ok=True)

    def show_text(self, text: str | bytes, frames: int | None = None) -> None:
        """Hold up a phone showing the QR code of ``text`` (slightly moving between frames)."""
        count = frames or self.frames
        self._replace_overlay([synth.phone_frame(text, seed=i, size=self.size) for i in range(count)])
        self.shown = text if isinstance(text, str) else text.decode("latin-1")

    def show_image(self, image: np.ndarray | str | Path) -> None:
        """Hold up any picture (a benchmark frame, a photo of a receipt)."""
        if not isinstance(image, np.ndarray):
            loaded = cv2.imread(str(image), cv2.IMREAD_COLOR)
            if loaded is None:
                raise OSError(f"{image}: not an image")
            image = loaded
        self._replace_overlay([np.ascontiguousarray(image)])
        self.shown = None

    def show_face(self, frames: int = 6, still: bool = False) -> None:
        """A citizen looks into the camera (moving slightly, unless ``still``: a photo held up)."""
        from devices.camera.faces import face_frame

        self._replace_overlay([face_frame(seed=i, size=self.size, still=still) for i in range(frames)])
        self.shown = None

    def show_nothing(self) -> None:
        """Take the phone away: the camera sees the hall again."""
        if self.overlay.is_dir():
            for old in self.overlay.iterdir():
                old.unlink(missing_ok=True)
        self.shown = None

    @property
    def _unplugged(self) -> Path:
        return self.folder.with_name(self.folder.name + ".unplugged")

    def unplug(self) -> None:
        """The camera disappears (its folder is moved away)."""
        if self.folder.exists():
            os.replace(self.folder, self._unplugged)

    def replug(self) -> None:
        if self._unplugged.exists() and not self.folder.exists():
            os.replace(self._unplugged, self.folder)

    def cleanup(self) -> None:
        """Remove a folder this simulator created (``sim://``); a given DIR is left alone."""
        if self._owned:
            shutil.rmtree(self._unplugged, ignore_errors=True)
            self._finalizer()
