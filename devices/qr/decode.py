"""QR decoding of camera frames and image files: the single decoders and the kiosk's combination.

The combination (:func:`decode_frame`) was chosen on the synthetic tuning set and checked on an
evaluation set never used for tuning (``bench/bench_qr.py``, figures in the README). zxing-cpp
restricted to QR codes reads the most and is the fastest, so it runs first on every frame. Where it
reads nothing, the frame's code-like regions (:func:`devices.qr.restore.code_candidates`: dense
two-way texture, ~0.8 ms a frame) and the codes zxing-cpp located but could not read are cropped
and given second chances: a sharpened Lanczos enlargement (small codes of 1.2–1.6 px a module), the
camera's softness undone by a Wiener filter, and Wiener deconvolution by the motion blur the crop's
cepstrum measures (or by defocus discs where a code was located). A frame with nothing code-like in
it costs one zxing-cpp pass and the candidate map. Every read still comes from zxing-cpp's decoder
and its Reed–Solomon check (no text is guessed from a restored image; the benchmark counts false
reads on every frame). zxing-cpp and OpenCV release the GIL, and numpy's FFT mostly does, so
decoding in a worker thread does not stall the UI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from ctypes import c_void_p, cast
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar
from pyzbar.wrapper import (
    ZBarConfig,
    ZBarSymbol,
    zbar_image_scanner_set_config,
    zbar_image_set_data,
    zbar_image_set_format,
    zbar_image_set_size,
    zbar_scan_image,
)

from devices.qr import restore
from devices.qr.codes import ImageUnreadable, QrCode
from devices.qr.restore import Box

Point = tuple[int, int]
Decoder = Callable[..., list[QrCode]]

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_PLAIN = zxingcpp.TextMode.Plain  # the default (HRI) writes control bytes as "<U+80>"-style escapes
_ZBAR_CFG_BINARY = 4  # zbar >= 0.23: hand back the code's bytes instead of zbar's guessed transcoding
MAX_IMAGE_PIXELS = 40_000_000  # larger files are refused rather than decoded for seconds


def text_of(raw: bytes) -> str:
    """The text of a code's bytes: UTF-8 (what phones emit), else GB 18030, else Latin-1 (binary)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def to_gray(image: np.ndarray) -> np.ndarray:
    """A contiguous 8-bit grayscale view of a BGR, BGRA or gray frame."""
    if image.ndim == 2:
        gray = image
    elif image.shape[2] == 4:
        gray = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    elif image.shape[2] == 3:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    else:
        gray = image[..., 0]
    if gray.dtype != np.uint8:
        values = np.nan_to_num(gray.astype(np.float64))
        low = float(values.min()) if values.size else 0.0
        span = float(np.ptp(values)) if values.size else 0.0
        gray = ((values - low) * (255.0 / span if span > 0 else 0.0)).astype(np.uint8)
    return np.ascontiguousarray(gray)


def _shift(points: list[Point] | tuple[Point, ...], dx: float, dy: float, scale: float) -> tuple[Point, ...]:
    return tuple((round(x / scale + dx), round(y / scale + dy)) for x, y in points)


# -- the single decoders --------------------------------------------------------------------------

def _zxing_points(barcode: zxingcpp.Barcode) -> list[Point]:
    p = barcode.position
    return [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
            (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]


def decode_zxing(image: np.ndarray, source: str = "image", at: float | None = None,
                 binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage) -> list[QrCode]:
    """zxing-cpp, QR codes only (leaving ``formats`` unset costs ten times as much)."""
    at = time.time() if at is None else at
    out = []
    for b in zxingcpp.read_barcodes(to_gray(image), formats=_QR, binarizer=binarizer, text_mode=_PLAIN):
        out.append(QrCode(source=source, at=at, text=b.text, decoder="zxing-cpp",
                          position=tuple(_zxing_points(b)), raw=bytes(b.bytes)))
    return out


def _zxing_candidates(gray: np.ndarray) -> tuple[list[zxingcpp.Barcode], list[zxingcpp.Barcode]]:
    """(decoded, located-but-unreadable) QR codes of one zxing-cpp pass."""
    found = zxingcpp.read_barcodes(gray, formats=_QR, return_errors=True, text_mode=_PLAIN)
    return [b for b in found if b.valid], [b for b in found if not b.valid]


def decode_pyzbar(image: np.ndarray, source: str = "image", at: float | None = None) -> list[QrCode]:
    """ZBar through pyzbar, QR only, in binary mode (ZBar's own charset guess turns UTF-8 Chinese into
    Shift-JIS mojibake); the bytes are then read as UTF-8, GB 18030 or Latin-1."""
    at = time.time() if at is None else at
    gray = to_gray(image)
    pixels, width, height = pyzbar._pixel_data(gray)
    out = []
    with pyzbar._image_scanner() as scanner:
        zbar_image_scanner_set_config(scanner, 0, ZBarConfig.CFG_ENABLE, 0)  # 0 = every symbology
        zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, ZBarConfig.CFG_ENABLE, 1)
        zbar_image_scanner_set_config(scanner, ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1)
        with pyzbar._image() as img:
            zbar_image_set_format(img, pyzbar._FOURCC["L800"])
            zbar_image_set_size(img, width, height)
            zbar_image_set_data(img, cast(pixels, c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, img) > 0:
                for d in pyzbar._decode_symbols(pyzbar._symbols_for_image(img)):
                    out.append(QrCode(source=source, at=at, text=text_of(d.data), decoder="pyzbar",
                                      position=tuple((int(p.x), int(p.y)) for p in d.polygon), raw=bytes(d.data)))
    return out


_cv_detector: cv2.QRCodeDetectorAruco | None = None


def decode_opencv(image: np.ndarray, source: str = "image", at: float | None = None) -> list[QrCode]:
    """OpenCV's QRCodeDetectorAruco (the better of OpenCV's two built-in detectors); benchmark only."""
    global _cv_detector
    if _cv_detector is None:
        _cv_detector = cv2.QRCodeDetectorAruco()
    at = time.time() if at is None else at
    ok, texts, points, _ = _cv_detector.detectAndDecodeMulti(to_gray(image))
    out = []
    if ok and points is not None:
        for text, quad in zip(texts, points):
            if text:
                out.append(QrCode(source=source, at=at, text=text, decoder="opencv",
                                  position=tuple((int(x), int(y)) for x, y in quad)))
    return out


# -- the kiosk's combination ----------------------------------------------------------------------

def _box(points: list[Point] | tuple[Point, ...]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _boxes_overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _merged(boxes: list[Box]) -> list[Box]:
    """``boxes`` with overlapping ones united where one mostly holds the other, in the order of their
    first member: zxing-cpp often locates a single finder pattern of a code it cannot read, and the
    texture box around it holds the whole code. Boxes that merely touch stay apart (their union would
    be a large, slow region holding mostly something else)."""
    out: list[Box] = []
    for box in boxes:
        for i, kept in enumerate(out):
            if _boxes_overlap(box, kept):
                union = (min(box[0], kept[0]), min(box[1], kept[1]), max(box[2], kept[2]), max(box[3], kept[3]))
                if _side(union) <= 1.25 * max(_side(box), _side(kept)):
                    out[i] = union
                    break
        else:
            out.append(box)
    return out


def _side(box: Box) -> int:
    return max(box[2] - box[0], box[3] - box[1])


# The rescue ladder, cheapest first; each step is tried on a region until one reads a code. Chosen on
# the tuning set (bench/bench_qr.py): pyzbar, plain enlargement and adaptive-threshold sweeps were
# measured there too and read nothing these steps miss, so they are not tried.
RESCUE_STEPS: tuple[str, ...] = ("sharpen", "lens", "deblur")
MOTION_CLARITY = 4.0  # cepstral dip (standard deviations) above which a motion blur is taken as measured:
# every deconvolution that read a code on the tuning set had ≥ 4.2; busy pictures without a code reach 3–4
DEFOCUS_RADII = (1.5, 2.5)  # px; tried only where a code was located
LENS_SIGMA, LENS_NSR = 0.8, 0.005  # the camera's own softness (lens + pixel), undone on located codes


def _scale_for(side: int) -> float:
    """Enlargement for a region ``side`` px wide: 3× for small codes, 2× otherwise, at most ~1400 px."""
    return max(1.0, min(3.0, max(2.0, 480.0 / max(side, 1)), 1400.0 / max(side, 1)))


def _read(img: np.ndarray, source: str, at: float) -> tuple[list[QrCode], bool]:
    """The codes zxing-cpp reads in ``img``, and whether it located one (found its finder patterns)."""
    decoded, located = _zxing_candidates(img)
    found = [QrCode(source=source, at=at, text=b.text, decoder="zxing-cpp", position=tuple(_zxing_points(b)),
                    raw=bytes(b.bytes)) for b in decoded]
    return found, bool(located) or bool(decoded)


def _rescue(crop: np.ndarray, source: str, at: float, steps: tuple[str, ...],
            located: bool) -> tuple[list[QrCode], float]:
    """Second chances on one region (a located-but-unread code, or a code-like texture): the codes
    read and the scale of the image they were read in (their positions are in its pixels).

    * ``sharpen``: enlarged (Lanczos, :func:`_scale_for`) and strongly unsharp-masked;
    * ``lens``: the camera's own blur undone (Wiener, Gaussian σ 0.8 px), then enlarged;
    * ``deblur``: Wiener by the motion the cepstrum measures, else by defocus discs, enlarged 2×.

    ``located``: zxing-cpp found finder patterns there (in the frame, or in the enlarged region);
    ``lens`` and the defocus discs run only then, so a busy picture that merely looks code-like
    costs one enlarged read and a cepstrum."""
    scale = _scale_for(max(crop.shape))
    for step in steps:
        found: list[QrCode] = []
        used = scale
        if step == "sharpen":
            found, seen = _read(restore.unsharp(restore.upscale(crop, scale), 0.5 * scale, 8.0), source, at)
            located = located or seen
        elif step == "lens" and located:
            deblurred = restore.wiener(crop, restore.gaussian_kernel(LENS_SIGMA), LENS_NSR)
            found, _ = _read(restore.upscale(deblurred, scale), source, at)
        elif step == "deblur":
            found, used = _deblur(crop, source, at, located)
        if found:
            return found, used
    return [], scale


def _deblur(crop: np.ndarray, source: str, at: float, located: bool) -> tuple[list[QrCode], float]:
    """Wiener deconvolution of a region: by the motion the cepstrum measures when it measures one,
    else (only where a code was located) by defocus discs; each result enlarged 2× for zxing-cpp."""
    # one guess: a second (restore.estimate_motion(count=2)) read nothing more on the tuning set
    kernels = [restore.line_kernel(length, angle) for length, angle, clarity in restore.estimate_motion(crop, count=1)
               if clarity >= MOTION_CLARITY and length >= 3]
    if not kernels and located:
        kernels = [restore.disc_kernel(r) for r in DEFOCUS_RADII]
    for kernel in kernels:
        found, _ = _read(restore.upscale(restore.wiener(crop, kernel), 2.0), source, at)
        if found:
            return found, 2.0
    return [], 1.0


def stretch_contrast(gray: np.ndarray, min_range: int = 160) -> np.ndarray:
    """``gray`` stretched to the full 0–255 range when its 1st–99th percentile span is narrower than
    ``min_range`` (a dim phone screen, a washed-out picture); zxing-cpp's binarizer treats blocks of
    small dynamic range as flat, so such codes are otherwise not even located. Costs ~0.3 ms."""
    sample = gray[::4, ::4]
    hist = cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel().cumsum()
    total = hist[-1]
    lo = int(np.searchsorted(hist, total * 0.01))
    hi = int(np.searchsorted(hist, total * 0.99))
    if hi - lo >= min_range or hi <= lo:
        return gray
    alpha = 255.0 / (hi - lo)
    return cv2.convertScaleAbs(gray, alpha=alpha, beta=-lo * alpha)


MAX_REGIONS = 3  # a frame rarely holds more than one code; bound the worst case


def decode_frame(image: np.ndarray, source: str = "camera", at: float | None = None,
                 steps: tuple[str, ...] | None = None, candidates: bool = True) -> list[QrCode]:
    """Every QR code readable in a frame (BGR or gray), each once; ``[]`` when there is none.

    1. contrast stretched if the frame is dim or washed out (cheap check);
    2. zxing-cpp (local-average binarizer), also returning codes it located but could not read;
    3. nothing read: the code-like textures of the frame (:func:`~devices.qr.restore.code_candidates`,
       ~0.6 ms), united with the boxes zxing-cpp located (often a single finder pattern);
    4. each of up to :data:`MAX_REGIONS` such regions, cropped, through the rescue ladder
       (:func:`_rescue`: sharpened enlargement, lens deconvolution, motion/defocus deconvolution),
       stopping at the first read.

    A frame with nothing code-like in it costs steps 1–3 alone. ``steps`` and ``candidates`` are
    for measuring the ladder (``bench/bench_qr.py``); the kiosk leaves them as they are.
    """
    at = time.time() if at is None else at
    steps = RESCUE_STEPS if steps is None else steps
    gray = stretch_contrast(to_gray(image))
    decoded, located = _zxing_candidates(gray)
    out = [QrCode(source=source, at=at, text=b.text, decoder="zxing-cpp", position=tuple(_zxing_points(b)),
                  raw=bytes(b.bytes)) for b in decoded]
    seen = {c.text for c in out}
    done = [_box(c.position) for c in out]
    zx_boxes = [_box(_zxing_points(b)) for b in located]
    regions = [r for r in zx_boxes if not any(_boxes_overlap(r, d) for d in done)]
    if not out and candidates:
        regions = _merged(regions + restore.code_candidates(gray))
    for box in regions[:MAX_REGIONS]:
        crop, x0, y0 = restore.crop(gray, box)
        found, scale = _rescue(crop, source, at, steps, located=any(_boxes_overlap(box, r) for r in zx_boxes))
        for code in found:
            if code.text not in seen:
                seen.add(code.text)
                out.append(QrCode(source=source, at=at, text=code.text, decoder=code.decoder,
                                  position=_shift(code.position, x0, y0, scale), raw=code.raw))
    return out


DECODERS: dict[str, Decoder] = {"ours": decode_frame, "zxing-cpp": decode_zxing, "pyzbar": decode_pyzbar,
                                "opencv": decode_opencv}


# -- image files ----------------------------------------------------------------------------------

def read_image(path: str | Path) -> np.ndarray:
    """The pixels of an image file (BGR); :class:`ImageUnreadable` says why it cannot be used."""
    p = Path(path)
    try:
        data = np.fromfile(p, dtype=np.uint8)  # not cv2.imread: it fails silently and on some paths
    except FileNotFoundError:
        raise ImageUnreadable(str(path), "no such file") from None
    except IsADirectoryError:
        raise ImageUnreadable(str(path), "is a folder") from None
    except PermissionError:
        raise ImageUnreadable(str(path), "permission denied") from None
    except OSError as exc:
        raise ImageUnreadable(str(path), exc.strerror or str(exc)) from None
    if data.size == 0:
        raise ImageUnreadable(str(path), "empty file")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        image = _read_with_pillow(p)
    if image.shape[0] * image.shape[1] > MAX_IMAGE_PIXELS:
        raise ImageUnreadable(str(path), f"too large ({image.shape[1]}×{image.shape[0]})")
    return image


def _read_with_pillow(p: Path) -> np.ndarray:
    """Formats OpenCV lacks (GIF, some TIFF variants); Pillow's own size limit guards against bombs."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(p) as im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise ImageUnreadable(str(p), f"too large ({im.width}×{im.height})")
            rgb = np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageUnreadable(str(p), "not an image") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageUnreadable(str(p), f"corrupt image ({exc})") from None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def decode_image_file(path: str | Path, decoder: Decoder = decode_frame) -> list[QrCode]:
    """The QR codes in an image file; :class:`ImageUnreadable` when it is not a readable image."""
    image = read_image(path)
    return decoder(image, source=str(path))
