"""Cheap image restoration for QR regions a first decoding pass could not read.

Everything here works on a small grayscale crop (a few hundred pixels a side) or, for
:func:`code_candidates`, on a 1/8-scale summary of the frame, so a frame without anything code-like
pays well under a millisecond for it:

* :func:`code_candidates` — boxes of dense two-directional edges (what a QR code's modules make at
  any scale, even too small for a finder-pattern search), from Sobel energies pooled in 8×8 cells;
* :func:`upscale` / :func:`unsharp` — Lanczos enlargement and a strong unsharp mask: a code of
  ~1.3–1.6 px per module, softened by the lens, becomes one zxing-cpp's detector can sample;
* :func:`estimate_motion` — the blur's length and direction from the crop's cepstrum (a straight
  motion of L px puts a negative peak at distance L along its direction), with how clear the peak is
  (two guesses: a pixel-aligned code's module pitch can dip as well);
* :func:`wiener` — Wiener deconvolution by a motion line or a defocus disc (numpy's FFT, one thread).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels

CELL = 8  # pixels per cell of the candidate map
MAX_BASE_SCORE = 90.0  # the noise-raised threshold stops here: a code filling the picture is its own median
MIN_CELL_SCORE = 40.0  # min of mean |∂x|, |∂y| (3×3 Sobel, half scale) in a cell: QR modules 60–250, a wall < 10


def code_candidates(gray: np.ndarray, max_count: int = 3, min_px: int = 60, max_px: int = 360) -> list[Box]:
    """Up to ``max_count`` boxes (best first) of regions textured like a QR code, ``min_px``–``max_px`` wide.

    A cell (8×8 px) scores the smaller of its mean horizontal and vertical gradient magnitudes, so a single
    edge (a counter, a phone's outline) scores low while modules (edges both ways, every module or
    two) score high; cells over the threshold are joined and the squarish, well-filled groups that
    are textured both ways and all through (:func:`_code_like`) kept.
    The threshold rises with the frame's own level (sensor noise lifts every cell), up to a cap."""
    h, w = gray.shape
    sw, sh = w // CELL, h // CELL
    if sw < 2 or sh < 2:
        return []
    half = cv2.resize(gray[:sh * CELL, :sw * CELL], (sw * CELL // 2, sh * CELL // 2), interpolation=cv2.INTER_AREA)
    gx, gy = cv2.spatialGradient(half)  # at half resolution: 8× cheaper, and codes of 1.3 px a module still show
    ex = cv2.resize(cv2.convertScaleAbs(gx), (sw, sh), interpolation=cv2.INTER_AREA)
    ey = cv2.resize(cv2.convertScaleAbs(gy), (sw, sh), interpolation=cv2.INTER_AREA)
    score = cv2.min(ex, ey)
    counts = cv2.calcHist([score], [0], None, [256], [0, 256]).ravel().cumsum()
    median = float(np.searchsorted(counts, counts[-1] / 2))
    base = max(MIN_CELL_SCORE, min(3.0 * median, MAX_BASE_SCORE))
    found: list[tuple[float, Box]] = []
    too_big = False
    for threshold in (base, 1.75 * base, 2.5 * base):  # higher levels split a code from a textured surround
        if threshold > base and not too_big:
            break
        mask = cv2.morphologyEx((score > threshold).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        bws, bhs, areas = stats[:, 2], stats[:, 3], stats[:, 4]
        longer, shorter = np.maximum(bws, bhs), np.minimum(bws, bhs)
        fit = ((longer * CELL >= min_px) & (longer * CELL <= max_px) & (shorter * CELL >= 0.8 * min_px)
               & (shorter >= 0.4 * longer) & (areas >= 0.35 * bws * bhs))
        fit[0] = False  # the background
        too_big = bool(np.any(longer[1:] * CELL > max_px) or np.any((longer[1:] * CELL >= min_px) & ~fit[1:]))
        for i in np.flatnonzero(fit):  # the size and shape tests in numpy: a frame has ~60 small groups
            x, y, bw, bh = (int(v) for v in stats[i, :4])
            if not _code_like(ex[y:y + bh, x:x + bw], ey[y:y + bh, x:x + bw], score[y:y + bh, x:x + bw], threshold):
                continue
            box = (x * CELL, y * CELL, (x + bw) * CELL, (y + bh) * CELL)
            if not any(_inside(box, kept) or _inside(kept, box) for _, kept in found):
                found.append((float(score[labels == i].mean()), box))
    found.sort(key=lambda item: -item[0])
    return [box for _, box in found[:max_count]]


MIN_ISOTROPY = 0.45  # codes on the tuning set ≥ 0.6 (motion-blurred ones lowest); ruled text 0.2–0.45
MIN_CORE = 0.4  # codes ≥ 0.5; the blurred rim of a round shape (a head) 0–0.25


def _code_like(ex: np.ndarray, ey: np.ndarray, score: np.ndarray, threshold: float) -> bool:
    """Whether a group of cells is textured like a code all through: edges as strong across as down
    (summed over the group, whatever the code's rotation), and busy in its middle half too, not only
    on a rim (ruled lines of a receipt are one-directional; a blurred round shape is a ring)."""
    sx, sy = float(ex.sum()), float(ey.sum())
    if min(sx, sy) < MIN_ISOTROPY * max(sx, sy):
        return False
    h, w = score.shape
    core = score[h // 4:h - h // 4, w // 4:w - w // 4]
    return core.size > 0 and float((core > threshold).mean()) >= MIN_CORE


def _inside(a: Box, b: Box) -> bool:
    """Whether the centre of ``a`` lies in ``b``."""
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def crop(gray: np.ndarray, box: Box, margin: float = 0.3) -> tuple[np.ndarray, int, int]:
    """The part of ``gray`` in ``box`` widened by ``margin`` of its side (+8 px) for the quiet zone."""
    x0, y0, x1, y1 = box
    pad = int(max(x1 - x0, y1 - y0) * margin) + 8
    h, w = gray.shape
    x0, y0 = max(x0 - pad, 0), max(y0 - pad, 0)
    x1, y1 = min(x1 + pad, w), min(y1 + pad, h)
    return gray[y0:y1, x0:x1], x0, y0


def upscale(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor == 1:
        return gray
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_LANCZOS4)


def unsharp(gray: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """``gray + amount·(gray − blur_sigma(gray))``, saturated to 8 bits."""
    soft = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1.0 + amount, soft, -amount, 0)


# -- blur: kernels, estimation, deconvolution -----------------------------------------------------

def line_kernel(length: float, angle_deg: float) -> np.ndarray:
    """The point-spread function of a straight motion of ``length`` px at ``angle_deg`` (image axes,
    y down), anti-aliased by drawing it 8× larger and averaging down."""
    n = (math.ceil(length) | 1) + 2
    scale = 8
    big = np.zeros((n * scale, n * scale), np.float32)
    c = (n - 1) / 2
    dx = math.cos(math.radians(angle_deg)) * (length - 1) / 2
    dy = math.sin(math.radians(angle_deg)) * (length - 1) / 2
    p0 = (round((c - dx) * scale + scale / 2), round((c - dy) * scale + scale / 2))
    p1 = (round((c + dx) * scale + scale / 2), round((c + dy) * scale + scale / 2))
    cv2.line(big, p0, p1, 1.0, thickness=scale, lineType=cv2.LINE_AA)
    k = np.asarray(cv2.resize(big, (n, n), interpolation=cv2.INTER_AREA), np.float32)
    return k / float(k.sum())


def disc_kernel(radius: float) -> np.ndarray:
    """The point-spread function of defocus: an anti-aliased disc of ``radius`` px."""
    r = math.ceil(radius)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1].astype(np.float32)
    k = np.clip(radius + 0.5 - np.sqrt(xx * xx + yy * yy), 0.0, 1.0)
    return k / float(k.sum())


def gaussian_kernel(sigma: float) -> np.ndarray:
    """A Gaussian point-spread function (a soft lens, or a camera pixel's own integration)."""
    g = cv2.getGaussianKernel(2 * math.ceil(3 * sigma) + 1, sigma)
    return np.asarray(g @ g.T, np.float32)


def estimate_motion(gray: np.ndarray, max_length: int = 16, count: int = 2,
                    window_px: int = 320) -> list[tuple[float, float, float]]:
    """Up to ``count`` guesses ``(length px, angle°, clarity)`` of a straight motion blur in ``gray``,
    best first, from its cepstrum.

    A motion of L px multiplies the spectrum by a sinc whose zeros repeat every 1/L; the log
    spectrum's own transform (the cepstrum) then dips at distance L in the motion's direction.
    ``clarity`` is how many standard deviations a dip lies below the rest of the ring searched
    (≥ 3: a real motion; ~1: none, or a defocus, which makes no single dip). A code whose modules
    line up with the pixel grid dips at its module pitch too, hence the second guess. Only the
    central ``window_px`` square is used (a larger one costs more and measures the same motion)."""
    h, w = gray.shape
    y0, x0 = max((h - window_px) // 2, 0), max((w - window_px) // 2, 0)
    f = gray[y0:y0 + window_px, x0:x0 + window_px].astype(np.float32)
    f -= float(f.mean())
    h, w = f.shape
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    spectrum = np.abs(np.fft.rfft2(f * window))
    cep = np.fft.irfft2(np.log(spectrum + 1e-3), s=(h, w))
    r = max_length
    near = np.roll(cep, (r, r), (0, 1))[:2 * r + 1, :2 * r + 1]  # the origin's neighbourhood, wrapped
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    dist = np.hypot(xx, yy)
    ring = (dist >= 2) & (dist <= r)
    rest = near[ring]
    mean, spread = float(rest.mean()), float(rest.std()) + 1e-9
    values = np.where(ring, near, np.inf)
    out: list[tuple[float, float, float]] = []
    for _ in range(count):
        iy, ix = np.unravel_index(int(np.argmin(values)), values.shape)
        if not np.isfinite(values[iy, ix]):
            break
        dy, dx = int(iy) - r, int(ix) - r
        out.append((math.hypot(dx, dy), math.degrees(math.atan2(dy, dx)) % 180.0, (mean - float(values[iy, ix])) / spread))
        for sy, sx in ((dy, dx), (-dy, -dx)):  # the cepstrum is symmetric: clear the dip and its mirror
            values[np.hypot(xx - sx, yy - sy) <= 1.5] = np.inf
    return out


def wiener(gray: np.ndarray, kernel: np.ndarray, nsr: float = 0.01) -> np.ndarray:
    """``gray`` deconvolved by ``kernel`` with noise-to-signal ratio ``nsr`` (borders mirrored first)."""
    h, w = gray.shape
    kh, kw = kernel.shape
    pad = max(kh, kw) + 4
    height, width = cv2.getOptimalDFTSize(h + 2 * pad), cv2.getOptimalDFTSize(w + 2 * pad)
    image = cv2.copyMakeBorder(gray, pad, height - h - pad, pad, width - w - pad, cv2.BORDER_REFLECT)
    spread = np.zeros((height, width), np.float32)
    spread[:kh, :kw] = kernel
    spread = np.roll(spread, (-(kh // 2), -(kw // 2)), (0, 1))
    img_f = np.fft.rfft2(image.astype(np.float32))
    k_f = np.fft.rfft2(spread)
    out = np.fft.irfft2(img_f * np.conj(k_f) / (k_f.real ** 2 + k_f.imag ** 2 + nsr), s=(height, width))
    return np.clip(out[pad:pad + h, pad:pad + w], 0, 255).astype(np.uint8)
