"""Optional hook for the vendor's WLT photo decoder (there is no open-source one).

The card's photo is 1024 bytes of WLT, a proprietary wavelet format; readers ship a binary
library (``libwlt2bmp.so``, ``WltRS.dll`` …) whose ``unpack(src, dst, flag)`` writes a 102×126
BMP (38 862 bytes). Configure its path with the driver option ``wlt_library`` or the environment
variable ``YZT_WLT_LIBRARY``; without it the kiosk keeps the raw bytes and shows no photo.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading

log = logging.getLogger(__name__)

BMP_SIZE = 38862  # 54-byte header + 126 rows of 102 pixels × 3 bytes padded to 308


class WltDecoder:
    """A loaded vendor library; ``decode(wlt)`` gives BMP bytes or None."""

    def __init__(self, path: str, function: str = "unpack", flag: int = 602) -> None:
        self.path = path
        self._lib = ctypes.CDLL(path)
        self._fn = getattr(self._lib, function)
        self._fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        self._fn.restype = ctypes.c_int
        self.flag = flag
        self._lock = threading.Lock()  # vendor decoders are rarely re-entrant

    def decode(self, wlt: bytes) -> bytes | None:
        if len(wlt) != 1024:
            return None
        src = ctypes.create_string_buffer(bytes(wlt), 1024)
        dst = ctypes.create_string_buffer(BMP_SIZE + 1024)
        with self._lock:
            rc = self._fn(src, dst, self.flag)
        if rc != 1:
            log.info("WLT decoder %s returned %s", self.path, rc)
            return None
        data = dst.raw
        if data[:2] != b"BM":
            return None
        size = int.from_bytes(data[2:6], "little")
        return data[:size] if 54 < size <= len(data) else data[:BMP_SIZE]


def load_decoder(path: str | None = None) -> WltDecoder | None:
    """The configured decoder, or None (nothing configured, or it would not load: logged, not raised)."""
    path = path or os.environ.get("YZT_WLT_LIBRARY") or ""
    if not path:
        return None
    try:
        return WltDecoder(path)
    except (OSError, AttributeError) as exc:
        log.warning("WLT photo decoder %s not loaded: %s", path, exc)
        return None
