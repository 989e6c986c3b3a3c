"""QR decoding of camera frames and image files: the single decoders and the kiosk's combination.

The combination (:func:`decode_frame`) was chosen on the synthetic benchmark set
(``bench/bench_qr.py``, figures in the README): zxing-cpp restricted to QR codes decodes the most
and is the fastest on every class, including frames with no code (~4 ms on 1280×720, where pyzbar
alone costs ~30 ms), so it runs first on every frame. pyzbar and a second zxing-cpp pass run only
where zxing-cpp *located* a code it could not read (``return_errors``), on that region alone,
enlarged and sharpened — so a frame without any code costs one zxing-cpp call and nothing more.
All three libraries release the GIL while they work, so decoding in a worker thread does not
stall the UI.
"""

from __future__ import annotations

import time
from ctypes import c_void_p, cast
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import zxingcpp
from pyzbar import pyzbar
from pyzbar.wrapper import (ZBarConfig, ZBarSymbol, zbar_image_scanner_set_config, zbar_image_set_data,
                            zbar_image_set_format, zbar_image_set_size, zbar_scan_image)

from devices.qr.codes import ImageUnreadable, QrCode

Point = tuple[int, int]
Decoder = Callable[..., list[QrCode]]

_QR = zxingcpp.BarcodeFormat.QRCode
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
        gray = cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(gray)


def _shift(points: list[Point] | tuple[Point, ...], dx: float, dy: float, scale: float) -> tuple[Point, ...]:
    return tuple((int(round(x / scale + dx)), int(round(y / scale + dy))) for x, y in points)


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

def _region(gray: np.ndarray, points: list[Point], margin: float = 0.25) -> tuple[np.ndarray, int, int]:
    """The crop around a located code, with a margin for its quiet zone."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    side = max(max(xs) - min(xs), max(ys) - min(ys), 16)
    pad = int(side * margin) + 8
    h, w = gray.shape
    x0, y0 = max(min(xs) - pad, 0), max(min(ys) - pad, 0)
    x1, y1 = min(max(xs) + pad, w), min(max(ys) + pad, h)
    return gray[y0:y1, x0:x1], x0, y0


def _retry_region(crop: np.ndarray, source: str, at: float) -> list[QrCode]:
    """Second chances on one located-but-unreadable code: enlarged, then sharpened, by both libraries."""
    scale = 2.0 if max(crop.shape) < 600 else 1.0
    big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale != 1.0 else crop
    soft = cv2.GaussianBlur(big, (0, 0), 2.0)
    sharp = cv2.addWeighted(big, 1.8, soft, -0.8, 0)
    attempts: list[tuple[str, np.ndarray]] = [("pyzbar", big), ("zxing", sharp), ("pyzbar", sharp),
                                             ("zxing-global", big)]
    for name, img in attempts:
        if name == "pyzbar":
            found = decode_pyzbar(img, source, at)
        elif name == "zxing":
            found = decode_zxing(img, source, at)
        else:
            found = decode_zxing(img, source, at, binarizer=zxingcpp.Binarizer.GlobalHistogram)
        if found:
            return [_rescaled(code, scale) for code in found]
    return []


def _rescaled(code: QrCode, scale: float) -> QrCode:
    return QrCode(source=code.source, at=code.at, text=code.text, decoder=code.decoder,
                  position=_shift(code.position, 0, 0, scale), raw=code.raw)


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


def decode_frame(image: np.ndarray, source: str = "camera", at: float | None = None) -> list[QrCode]:
    """Every QR code readable in a frame (BGR or gray), each once; ``[]`` when there is none.

    1. contrast stretched if the frame is dim or washed out (cheap check);
    2. zxing-cpp (local-average binarizer), also returning codes it located but could not read;
    3. nothing read: zxing-cpp again with the global-histogram binarizer (~1 ms; reads some small
       and strongly tilted codes the first pass misses);
    4. each located-but-unreadable code: its region enlarged/sharpened, through pyzbar and zxing-cpp.
    """
    at = time.time() if at is None else at
    gray = stretch_contrast(to_gray(image))
    decoded, located = _zxing_candidates(gray)
    if not decoded:
        decoded = [b for b in zxingcpp.read_barcodes(gray, formats=_QR, binarizer=zxingcpp.Binarizer.GlobalHistogram,
                                                      text_mode=_PLAIN) if b.valid]
    out = [QrCode(source=source, at=at, text=b.text, decoder="zxing-cpp", position=tuple(_zxing_points(b)),
                  raw=bytes(b.bytes)) for b in decoded]
    seen = {c.text for c in out}
    if out:
        located = [b for b in located if not any(_overlaps(_zxing_points(b), c.position) for c in out)]
    for candidate in located[:3]:  # a frame rarely holds more than one code; bound the worst case
        crop, x0, y0 = _region(gray, _zxing_points(candidate))
        for code in _retry_region(crop, source, at):
            if code.text not in seen:
                seen.add(code.text)
                out.append(QrCode(source=source, at=at, text=code.text, decoder=code.decoder,
                                  position=_shift(code.position, x0, y0, 1.0), raw=code.raw))
    return out


def _overlaps(a: list[Point] | tuple[Point, ...], b: tuple[Point, ...]) -> bool:
    """Whether the bounding boxes of two polygons intersect (a located code already read by another pass)."""
    ax0, ax1 = min(p[0] for p in a), max(p[0] for p in a)
    ay0, ay1 = min(p[1] for p in a), max(p[1] for p in a)
    bx0, bx1 = min(p[0] for p in b), max(p[0] for p in b)
    by0, by1 = min(p[1] for p in b), max(p[1] for p in b)
    return ax0 <= bx1 and bx0 <= ax1 and ay0 <= by1 and by0 <= ay1


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
