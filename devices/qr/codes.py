"""The typed QR reading and the errors of the QR package."""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.base import DeviceError, DeviceState, Reading


@dataclass(frozen=True, kw_only=True)
class QrCode(Reading):
    """One decoded QR code, from a camera frame, an image file or the serial scanner.

    ``position`` is the code's corner polygon in image pixels (top-left, top-right,
    bottom-right, bottom-left as the decoder saw them); a serial scanner gives none.
    ``raw`` holds the code's bytes where the decoder exposes them (binary payloads).
    """

    text: str
    decoder: str  # "zxing-cpp", "pyzbar", "opencv", "scanner"
    position: tuple[tuple[int, int], ...] = ()
    raw: bytes = field(default=b"", repr=False)

    def rect(self) -> tuple[int, int, int, int] | None:
        """The bounding rectangle ``(x, y, w, h)`` of :attr:`position`, or None without one."""
        if not self.position:
            return None
        xs = [p[0] for p in self.position]
        ys = [p[1] for p in self.position]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)

    def to_dict(self) -> dict:
        return {"text": self.text, "decoder": self.decoder}


class QrError(DeviceError):
    """A QR input that cannot be used, with a citizen (zh) and a maintenance (en) message."""

    state = DeviceState.USER_ERROR


class ImageUnreadable(QrError):
    """An image file that is missing, not an image, or cannot be decoded."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: cannot read image ({why})", "无法读取该图片，请换一张清晰的二维码图片。")
        self.path = path
        self.why = why
