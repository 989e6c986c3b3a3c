"""The face step: a live face in front of the kiosk (OpenCV detection + a movement check), then a
comparison with the card holder by a provider behind :class:`FaceMatcher`.

Liveness here is the cheap, honest part a kiosk can do alone: exactly one face, present in nearly
every frame for a few seconds, and moving a little as living people do (a photo held still does
not). The comparison itself needs the card photo decoded (a vendor WLT library) and a model or
the platform's identity service; which one is configured in ``[identity] face_matcher``. The
``simulated`` matcher exists for the simulator and the demo and says so in every result.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

_CASCADE: Any = None


def _cascade() -> Any:
    global _CASCADE
    if _CASCADE is None:
        _CASCADE = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    return _CASCADE


def faces_in(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) at least a sixth of the frame high: someone standing at the kiosk."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    small = max(60, gray.shape[0] // 6)
    found = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(small, small))
    return [tuple(int(v) for v in box) for box in found]


class FaceError(Exception):
    """Why the face step did not pass; ``key`` names the message for the screen."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(detail or key)
        self.key = key


@dataclass(frozen=True)
class Liveness:
    frames: int
    with_face: int
    movement: float  # spread of the face centre, in face widths
    best: np.ndarray | None


def observe(camera: Any, seconds: float = 2.5, min_frames: int = 8) -> Liveness:
    """Watch the camera for ``seconds``: how often one face was seen, and how much it moved."""
    deadline = time.monotonic() + seconds
    seq, frames, with_face = 0, 0, 0
    centres: list[tuple[float, float, float]] = []
    best, best_w = None, 0
    while time.monotonic() < deadline or frames < min_frames:
        frame = camera.wait_frame(after_seq=seq, timeout=2.0)
        seq = frame.seq
        frames += 1
        boxes = faces_in(frame.image)
        if len(boxes) > 1:
            raise FaceError("error.face.many", f"{len(boxes)} faces")
        if boxes:
            x, y, w, h = boxes[0]
            with_face += 1
            centres.append((x + w / 2, y + h / 2, float(w)))
            if w > best_w:
                best, best_w = frame.image[y:y + h, x:x + w].copy(), w
        if frames > min_frames * 6:
            break
    movement = 0.0
    if len(centres) >= 2:
        arr = np.array(centres)
        movement = float(np.hypot(arr[:, 0].std(), arr[:, 1].std()) / max(1.0, arr[:, 2].mean()))
    return Liveness(frames, with_face, movement, best)


class FaceMatcher(Protocol):
    name: str

    def compare(self, face: np.ndarray, card: Any) -> float:
        """Similarity 0–1 between the live face and the card holder."""


class SimulatedMatcher:
    """For the simulator and demo only: a live face matches with a fixed score."""

    name = "simulated"

    def compare(self, face: np.ndarray, card: Any) -> float:
        return 0.93


class NoMatcher:
    """No comparison provider configured: the face step cannot pass, and says why."""

    name = "none"

    def compare(self, face: np.ndarray, card: Any) -> float:
        raise FaceError("error.face.no_provider", "no face comparison provider configured")


MATCHERS = {"simulated": SimulatedMatcher, "none": NoMatcher}


def check_face(camera: Any, cfg: Any, card: Any = None) -> tuple[bool, float, float]:
    """(passed, score, threshold) for the person at the camera; FaceError says what to do otherwise."""
    identity = cfg.identity
    threshold = float(identity.face_threshold)
    if hasattr(camera, "simulator") and getattr(camera, "simulator", None) is not None and \
            identity.face_matcher == "simulated":
        camera.simulator.show_face()
    try:
        seen = observe(camera, float(identity.liveness_s))
    finally:
        if getattr(camera, "simulator", None) is not None and identity.face_matcher == "simulated":
            camera.simulator.show_nothing()
    if seen.with_face < max(3, int(seen.frames * 0.7)) or seen.best is None:
        raise FaceError("error.face.none", f"a face in {seen.with_face} of {seen.frames} frames")
    if seen.movement < 0.004:
        raise FaceError("error.face.still", f"movement {seen.movement:.4f}")
    matcher = MATCHERS.get(identity.face_matcher, NoMatcher)()
    score = float(matcher.compare(seen.best, card))
    log.info("face step: %d/%d frames with a face, movement %.3f, %s score %.2f (threshold %.2f)",
             seen.with_face, seen.frames, seen.movement, matcher.name, score, threshold)
    return score >= threshold, score, threshold
