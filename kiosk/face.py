"""The face step: a live face in front of the kiosk (OpenCV detection + a movement check), then the
comparison with the photo on file by the platform's identity provider.

Liveness here is the cheap, honest part a kiosk can do alone: exactly one face, present in nearly
every frame for a few seconds, and moving a little as living people do (a photo held still does
not). The comparison is the platform's (the province's 可信身份认证 in production, a labelled
simulator in tests): the kiosk sends the best live frame once, as JPEG, and keeps nothing; the
platform answers a single-use verification id the application carries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

_CASCADE: Any = None


def _cascade() -> Any:
    global _CASCADE
    if _CASCADE is None:
        _CASCADE = cv2.CascadeClassifier(cv2.data.haarcascades  # type: ignore[attr-defined]
                                          + "haarcascade_frontalface_default.xml")
    return _CASCADE


def faces_in(image: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) at least a sixth of the frame high: someone standing at the kiosk."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    small = max(60, gray.shape[0] // 6)
    found = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(small, small))
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in found]


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
    best: np.ndarray | None  # the largest face, cropped
    best_frame: np.ndarray | None = None  # the whole frame it was seen in (what the platform compares)


def observe(camera: Any, seconds: float = 2.5, min_frames: int = 8) -> Liveness:
    """Watch the camera for ``seconds``: how often one face was seen, and how much it moved."""
    deadline = time.monotonic() + seconds
    seq, frames, with_face = 0, 0, 0
    centres: list[tuple[float, float, float]] = []
    best, best_w, best_frame = None, 0, None
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
                best, best_w, best_frame = frame.image[y:y + h, x:x + w].copy(), w, frame.image.copy()
        if frames > min_frames * 6:
            break
    movement = 0.0
    if len(centres) >= 2:
        arr = np.array(centres)
        movement = float(np.hypot(arr[:, 0].std(), arr[:, 1].std()) / max(1.0, arr[:, 2].mean()))
    return Liveness(frames, with_face, movement, best, best_frame)


@dataclass(frozen=True)
class FaceResult:
    passed: bool
    score: float
    verification_id: str | None


def check_face(camera: Any, cfg: Any, card: Any, compare: Any) -> FaceResult:
    """Liveness at the camera, then ``compare(id_number, name, jpeg) -> {"passed", "score",
    "verification_id"}`` (the platform); FaceError says what to do otherwise."""
    simulator = getattr(camera, "simulator", None)
    if simulator is not None:  # the simulated camera shows a moving face while it is watched
        simulator.show_face()
    try:
        seen = observe(camera, float(cfg.identity.liveness_s))
    finally:
        if simulator is not None:
            simulator.show_nothing()
    if seen.with_face < max(3, int(seen.frames * 0.7)) or seen.best_frame is None:
        raise FaceError("error.face.none", f"a face in {seen.with_face} of {seen.frames} frames")
    if seen.movement < 0.004:
        raise FaceError("error.face.still", f"movement {seen.movement:.4f}")
    ok, jpeg = cv2.imencode(".jpg", seen.best_frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise FaceError("error.face.none", "the frame could not be encoded")
    get = (lambda k: card.get(k)) if isinstance(card, dict) else (lambda k: getattr(card, k, None))
    answer = compare(get("id_number") or "", get("name") or get("name_en") or "", jpeg.tobytes())
    result = FaceResult(bool(answer.get("passed")), float(answer.get("score") or 0.0), answer.get("verification_id"))
    log.info("face step: %d/%d frames with a face, movement %.3f, platform score %.2f, %s", seen.with_face,
             seen.frames, seen.movement, result.score, "passed" if result.passed else "not passed")
    return result
