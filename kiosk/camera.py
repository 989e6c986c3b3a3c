"""What the screens may use of the camera: its frames and the QR codes read from them, off the UI
thread (the screens show; the devices read). A facade over :mod:`devices.camera` and
:mod:`devices.qr`, so that no screen talks to a device module itself."""

from __future__ import annotations

from typing import Any

from devices.base import DeviceError
from devices.qr.codes import QrCode
from devices.qr.payload import Payload, parse
from devices.qr.reader import QrReader

__all__ = ["DeviceError", "Payload", "QrCode", "QrReader", "open_camera", "parse"]


def open_camera(url: str, **options: Any) -> Any:
    """A camera outside a kiosk runtime (the preview's own demo): built and opened."""
    from devices.camera import for_url

    camera = for_url(url, **options)
    camera.open()
    return camera
