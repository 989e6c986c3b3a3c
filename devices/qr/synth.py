"""Synthetic camera frames holding QR codes: the benchmark set, the tests' images, the camera simulator's scenes.

A frame is a 1280×720 BGR picture of a service-hall background with, in front of it, a phone
showing a QR code (the e-licence case) or a paper receipt carrying one (the progress case),
placed at a scale, angle and perspective and then degraded the way real kiosk cameras degrade
it (defocus and motion blur, sensor noise, glare on a phone screen, low contrast, a dark-mode
inverted code). Everything is drawn with OpenCV and segno from a seed, so a set is reproducible
and needs no files.
"""

from __future__ import annotations

import functools
import math
import string
from dataclasses import dataclass

import cv2
import numpy as np
import segno

FRAME_SIZE = (1280, 720)  # width, height: the kiosk camera's configured mode

# Frame classes of the benchmark, in reporting order; "empty" frames hold no code at all.
CLASSES = ("phone", "paper", "small", "rotation", "perspective", "blur", "noise", "glare",
           "low_contrast", "inverted", "empty")


@dataclass(frozen=True)
class SynthFrame:
    """One generated frame and what it holds (``text`` is None for a frame without a code)."""

    image: np.ndarray  # BGR uint8, height × width × 3
    text: str | None
    kind: str
    seed: int


# -- the code itself ------------------------------------------------------------------------------

def qr_matrix(text: str | bytes, error: str = "m") -> np.ndarray:
    """The module matrix of ``text`` (1 = dark), without quiet zone; segno picks the smallest version."""
    encoding = None
    if isinstance(text, str):
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            encoding = "utf-8"  # what phones emit for Chinese text (segno would otherwise pick Kanji mode)
    qr = segno.make(text, error=error, micro=False, encoding=encoding)
    return np.array([list(row) for row in qr.matrix], dtype=np.uint8)


def render_qr(text: str | bytes, module_px: int = 8, quiet: int = 4, dark: int = 0, light: int = 255,
              error: str = "m") -> np.ndarray:
    """A grayscale image of the QR code of ``text`` with a ``quiet``-module margin."""
    m = qr_matrix(text, error)
    m = np.pad(m, quiet, constant_values=0)
    img = np.where(m == 1, dark, light).astype(np.uint8)
    return np.kron(img, np.ones((module_px, module_px), dtype=np.uint8))


def write_qr_png(text: str | bytes, path: str, module_px: int = 8) -> None:
    """A plain QR image file (what a test or ``yzt qr decode`` is given)."""
    if not cv2.imwrite(str(path), render_qr(text, module_px)):
        raise OSError(f"cannot write {path}")


# -- carriers: a phone screen, a paper receipt ----------------------------------------------------

def _rounded_rect(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, r: int, color: tuple) -> None:
    cv2.rectangle(img, (x0 + r, y0), (x1 - r, y1), color, -1)
    cv2.rectangle(img, (x0, y0 + r), (x1, y1 - r), color, -1)
    for cx, cy in ((x0 + r, y0 + r), (x1 - r, y0 + r), (x0 + r, y1 - r), (x1 - r, y1 - r)):
        cv2.circle(img, (cx, cy), r, color, -1, lineType=cv2.LINE_AA)


def phone_carrier(code: np.ndarray, inverted: bool = False) -> np.ndarray:
    """A phone (dark body, lit screen, header bar) showing ``code`` centred; BGR with a 4th alpha plane."""
    side = code.shape[0]
    w = int(side * 1.35)
    h = int(w * 2.05)
    img = np.zeros((h, w, 4), np.uint8)
    _rounded_rect(img, 0, 0, w - 1, h - 1, w // 9, (25, 25, 28, 255))  # body
    m = max(4, w // 28)
    screen = (20, 20, 20, 255) if inverted else (250, 250, 250, 255)
    _rounded_rect(img, m, m, w - 1 - m, h - 1 - m, w // 12, screen)
    cv2.rectangle(img, (m, m + h // 14), (w - 1 - m, m + h // 6), (40, 40, 190, 255), -1)  # red header
    cv2.putText(img, "E-LICENCE", (m + w // 10, m + h // 8), cv2.FONT_HERSHEY_SIMPLEX, w / 420, (255, 255, 255, 255),
                max(1, w // 200), cv2.LINE_AA)
    y = (h - side) // 2 + h // 20
    x = (w - side) // 2
    img[y:y + side, x:x + side, :3] = code[..., None]
    for i in range(3):  # text lines under the code
        yy = y + side + (i + 1) * h // 22
        cv2.rectangle(img, (x, yy), (x + int(side * (0.9 - 0.2 * i)), yy + h // 80), (150, 150, 150, 255), -1)
    return img


def paper_carrier(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A narrow receipt: faux text lines above a code, slightly off-white; BGR + alpha."""
    side = code.shape[0]
    w = int(side * 1.6)
    h = int(side * 2.4)
    tone = int(rng.integers(225, 250))
    img = np.full((h, w, 4), (tone, tone, tone - 6, 255), np.uint8)
    for i in range(9):
        yy = int(h * 0.05) + i * int(h * 0.045)
        length = int(w * rng.uniform(0.35, 0.85))
        cv2.rectangle(img, (w // 12, yy), (w // 12 + length, yy + max(2, h // 120)), (70, 70, 70, 255), -1)
    y = int(h * 0.5)
    x = (w - side) // 2
    shade = code.astype(np.int16)
    shade = np.where(shade < 128, 35, tone).astype(np.uint8)  # thermal print: not quite black, paper white
    img[y:y + side, x:x + side, :3] = shade[..., None]
    return img


# -- the scene ------------------------------------------------------------------------------------

def background(rng: np.random.Generator, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A service-hall-like backdrop: a lit wall gradient, counters and blobs, a little texture."""
    w, h = size
    top = rng.uniform(150, 210, 3)
    bottom = rng.uniform(60, 130, 3)
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    img = (top * (1 - t) + bottom * t).astype(np.float32)
    img = np.repeat(img, w, axis=1)
    img = img.astype(np.uint8)
    for _ in range(int(rng.integers(4, 9))):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(40, 400)), y0 + int(rng.integers(20, 260))
        color = tuple(int(c) for c in rng.integers(30, 230, 3))
        cv2.rectangle(img, (x0, y0), (x1, y1), color, -1)
    for _ in range(int(rng.integers(1, 4))):  # people-ish blobs
        cx, cy = int(rng.integers(0, w)), int(rng.integers(h // 3, h))
        color = tuple(int(c) for c in rng.integers(20, 120, 3))
        cv2.ellipse(img, (cx, cy), (int(rng.integers(60, 140)), int(rng.integers(120, 300))), 0, 0, 360, color, -1)
        cv2.circle(img, (cx, cy - int(rng.integers(150, 260))), int(rng.integers(35, 60)), color, -1)
    return cv2.GaussianBlur(img, (0, 0), 2.0)


def _quad(cw: int, ch: int, center: tuple[float, float], scale: float, angle_deg: float,
          tilt: float, rng: np.random.Generator) -> np.ndarray:
    """Corner positions of a carrier of ``cw``×``ch`` after scale, rotation and a perspective tilt."""
    hw, hh = cw * scale / 2, ch * scale / 2
    pts = np.array([[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]], np.float32)
    if tilt:
        # shrink one edge to mimic the phone held at an angle to the camera
        edge = int(rng.integers(0, 4))
        a, b = edge, (edge + 1) % 4
        mid = (pts[a] + pts[b]) / 2
        pts[a] = mid + (pts[a] - mid) * (1 - tilt)
        pts[b] = mid + (pts[b] - mid) * (1 - tilt)
    r = math.radians(angle_deg)
    rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]], np.float32)
    return pts @ rot.T + np.array(center, np.float32)


def composite(base: np.ndarray, carrier: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp ``carrier`` (BGR + alpha) onto ``base`` at the corners ``quad`` (only its bounding box is blended)."""
    h, w = carrier.shape[:2]
    bh, bw = base.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, bw), min(y1, bh)
    out = base.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, (quad - np.array([x0, y0], np.float32)).astype(np.float32))
    warped = cv2.warpPerspective(carrier, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                 borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4].astype(np.float32) / 255.0
    roi = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = (roi * (1 - alpha) + warped[..., :3].astype(np.float32) * alpha).astype(np.uint8)
    return out


# -- degradations ---------------------------------------------------------------------------------

def motion_blur(img: np.ndarray, length: int, angle_deg: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle_deg, 1.0)
    k = cv2.warpAffine(k, rot, (length, length))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def add_noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian sensor noise (OpenCV's generator, seeded from ``rng``, for speed)."""
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    noise = np.empty(img.shape, np.int16)
    cv2.randn(noise, 0, sigma)
    return cv2.add(img, noise, dtype=cv2.CV_8U)


def add_glare(img: np.ndarray, center: tuple[float, float], radius: float, strength: float) -> np.ndarray:
    """A specular highlight on the phone glass: a bright soft ellipse washing out what is under it."""
    h, w = img.shape[:2]
    yy, xx = np.ogrid[:h, :w]
    d = ((xx - center[0]) / radius) ** 2 + ((yy - center[1]) / (radius * 0.6)) ** 2
    g = (np.exp(-d * 2.0) * strength).astype(np.float32)[..., None]
    out = img.astype(np.float32) * (1 - g) + 255.0 * g
    return np.clip(out, 0, 255).astype(np.uint8)


def low_contrast(img: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return (lo + img.astype(np.float32) * ((hi - lo) / 255.0)).astype(np.uint8)


# -- frames ---------------------------------------------------------------------------------------

_ALPHABET = string.ascii_letters + string.digits


def sample_text(rng: np.random.Generator) -> str:
    """A payload like the ones the kiosk meets: an e-licence, a receipt URL, a bare progress code, other."""
    choice = int(rng.integers(0, 4))
    blob = "".join(rng.choice(list(_ALPHABET), int(rng.integers(20, 40))))
    uid = "%08x-%04x-4%03x-a%03x-%012x" % tuple(int(rng.integers(0, 16 ** n)) for n in (8, 4, 3, 3, 12))
    if choice == 0:  # about the size of a real YZTL1 code (version 9–10)
        return "YZTL1." + "".join(rng.choice(list(_ALPHABET + "-_"), 160)) + "." + blob + blob
    if choice == 1:
        return f"https://yzt.example.gov.cn/progress/{uid}"
    if choice == 2:
        return f"YZTP1:{uid}"
    return "http://www.gsxt.gov.cn/index.html?uniscid=91441700MA" + blob[:8].upper()


def make_frame(kind: str, seed: int, text: str | None = None,
               size: tuple[int, int] = FRAME_SIZE) -> SynthFrame:
    """One frame of class ``kind`` (see :data:`CLASSES`), reproducible from ``seed``."""
    if kind not in CLASSES:
        raise ValueError(f"unknown frame class {kind!r}; known: {', '.join(CLASSES)}")
    rng = np.random.default_rng(seed)
    w, h = size
    img = background(rng, size)
    if kind == "empty":
        if rng.random() < 0.5:  # a phone or paper without a code: the hard negative
            blank = np.full((200, 200), 250, np.uint8)
            carrier = phone_carrier(blank) if rng.random() < 0.5 else paper_carrier(blank, rng)
            quad = _quad(carrier.shape[1], carrier.shape[0], (w * rng.uniform(0.3, 0.7), h * 0.5),
                         h * 0.8 / carrier.shape[0], rng.uniform(-20, 20), 0, rng)
            img = composite(img, carrier, quad)
        img = add_noise(img, 3.0, rng)
        return SynthFrame(img, None, kind, seed)
    text = text if text is not None else sample_text(rng)
    inverted = kind == "inverted"
    code = render_qr(text, module_px=6, dark=255 if inverted else 0, light=20 if inverted else 255)
    carrier = paper_carrier(code, rng) if kind == "paper" else phone_carrier(code, inverted=inverted)
    modules = code.shape[0] / 6
    # the code's size on screen in pixels per module: 3.5–6 is a phone held at a comfortable distance
    ppm = rng.uniform(3.5, 6.0)
    angle = rng.uniform(-12, 12)
    tilt = 0.0
    if kind == "small":
        ppm = rng.uniform(1.3, 2.6)
    elif kind == "rotation":
        angle = rng.uniform(20, 160) * (1 if rng.random() < 0.5 else -1)
    elif kind == "perspective":
        tilt = rng.uniform(0.2, 0.55)
    scale = ppm * modules / code.shape[0]
    fit = min(w * 0.95 / carrier.shape[1], h * 0.95 / carrier.shape[0])
    scale = min(scale, fit)
    cw, ch = carrier.shape[1] * scale, carrier.shape[0] * scale
    margin_x, margin_y = max(cw / 2, 1), max(ch / 2, 1)
    cx = rng.uniform(min(margin_x, w / 2), max(w - margin_x, w / 2))
    cy = rng.uniform(min(margin_y, h / 2), max(h - margin_y, h / 2))
    quad = _quad(carrier.shape[1], carrier.shape[0], (cx, cy), scale, angle, tilt, rng)
    img = composite(img, carrier, quad)
    if kind == "blur":
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 3.2))
        else:
            img = motion_blur(img, int(rng.integers(4, 15)), rng.uniform(0, 180))
    elif kind == "noise":
        img = add_noise(img, rng.uniform(15, 50), rng)
    elif kind == "glare":
        img = add_glare(img, (cx + rng.uniform(-0.2, 0.2) * cw, cy + rng.uniform(-0.2, 0.2) * ch),
                        radius=cw * rng.uniform(0.2, 0.45), strength=rng.uniform(0.6, 0.97))
    elif kind == "low_contrast":
        lo = int(rng.integers(60, 110))
        img = low_contrast(img, lo, lo + int(rng.integers(12, 45)))
    img = add_noise(img, 2.0, rng)  # every sensor has some
    return SynthFrame(img, text, kind, seed)


@functools.lru_cache(maxsize=4)
def _hall(size: tuple[int, int]) -> np.ndarray:
    image = background(np.random.default_rng(7), size)  # the same hall behind every simulated frame
    image.flags.writeable = False
    return image


def phone_frame(text: str | bytes, seed: int = 0, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A clear frame of a phone held up to the camera showing ``text``: what the simulator shows."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = _hall(size)
    code = render_qr(text, module_px=6)
    carrier = phone_carrier(code)
    scale = h * 0.88 / carrier.shape[0]  # held close: the phone fills most of the picture
    quad = _quad(carrier.shape[1], carrier.shape[0], (w / 2 + rng.uniform(-8, 8), h / 2 + rng.uniform(-6, 6)),
                 scale, rng.uniform(-4, 4), 0, rng)
    return add_noise(composite(img, carrier, quad), 2.0, rng)


def scene_frame(seed: int = 0, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A frame of the hall with nobody showing anything (the simulator's idle picture)."""
    rng = np.random.default_rng(seed)
    return add_noise(_hall(size), 2.0, rng)


def benchmark_set(per_class: int, seed: int = 20240605, classes: tuple[str, ...] = CLASSES) -> list[SynthFrame]:
    """``per_class`` frames of each class, reproducible from ``seed``."""
    return [make_frame(kind, seed * 1000 + i * 37 + k) for k, kind in enumerate(classes) for i in range(per_class)]
