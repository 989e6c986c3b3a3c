"""A synthetic face for the simulated camera: enough of a face for OpenCV's shipped Haar cascade.

The shading follows what the cascade looks for (a dark eye band under a lighter forehead, a light
nose bridge between darker eyes); ``seed`` moves the head a little, as a living person does.
"""

from __future__ import annotations

import cv2
import numpy as np


def face_frame(seed: int = 0, size: tuple[int, int] = (640, 480), scale: float = 1.0,
               still: bool = False) -> np.ndarray:
    """One BGR frame of a face in front of the kiosk; ``still`` keeps it where a held-up photo would be."""
    w, h = size
    rng = np.random.default_rng(seed)
    dx, dy = (0, 0) if still else (int(rng.integers(-14, 15)), int(rng.integers(-8, 9)))
    cx, cy = w // 2 + dx, int(h * 0.52) + dy
    s = scale * h / 480
    img = np.full((h, w), 95, np.uint8)
    cv2.rectangle(img, (0, int(h * 0.85)), (w, h), 70, -1)  # shoulders
    cv2.ellipse(img, (cx, cy), (int(85 * s), int(110 * s)), 0, 0, 360, 185, -1)
    for ex in (-33, 33):
        cv2.ellipse(img, (cx + int(ex * s), cy - int(22 * s)), (int(20 * s), int(10 * s)), 0, 0, 360, 60, -1)
        cv2.ellipse(img, (cx + int(ex * s), cy - int(42 * s)), (int(24 * s), int(6 * s)), 0, 0, 360, 70, -1)
    cv2.rectangle(img, (cx - int(8 * s), cy - int(30 * s)), (cx + int(8 * s), cy + int(20 * s)), 215, -1)
    cv2.ellipse(img, (cx, cy + int(28 * s)), (int(16 * s), int(7 * s)), 0, 0, 360, 120, -1)
    cv2.ellipse(img, (cx, cy + int(55 * s)), (int(28 * s), int(8 * s)), 0, 0, 360, 80, -1)
    cv2.ellipse(img, (cx, cy - int(75 * s)), (int(90 * s), int(50 * s)), 0, 180, 360, 40, -1)
    blurred = cv2.GaussianBlur(img, (0, 0), 3 * s)
    noise = rng.normal(0, 2.0, blurred.shape)
    grey = np.clip(blurred.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
