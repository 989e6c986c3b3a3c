"""Device addresses as URLs, resolved to drivers: one API, many transports (like ``serial_for_url``).

Each device kind names the module that builds it; that module exposes
``for_url(url, name=..., required=..., **options) -> Device``. URL forms:

* serial devices: any pyserial URL or path (``/dev/ttyUSB0``, ``socket://h:p``, ``rfc2217://…``,
  ``spy://…``, ``loop://``), or ``sim://`` to start the protocol simulator on a pty;
* printers: ``escpos+tcp://host:9100``, ``escpos+serial:///dev/ttyS1``, ``file:///path``,
  ``cups://QUEUE``, ``spool:///dir``, ``sim://``;
* camera: a camera index, a V4L2 path, a video file, a folder of images, or ``sim://``.
"""

from __future__ import annotations

import importlib
from typing import Any

from devices.base import Device

KINDS: dict[str, str] = {
    "idcard": "devices.idcard",
    "camera": "devices.camera",
    "qr_scanner": "devices.qr.scanner",
    "receipt_printer": "devices.printers.receipt",
    "document_printer": "devices.printers.document",
}


class UnknownDeviceKind(ValueError):
    pass


def open_device(kind: str, url: str, name: str | None = None, required: bool = True, **options: Any) -> Device:
    """Build (not open) the driver for ``kind`` at ``url``."""
    try:
        module = importlib.import_module(KINDS[kind])
    except KeyError:
        raise UnknownDeviceKind(f"unknown device kind {kind!r}; known: {', '.join(sorted(KINDS))}") from None
    return module.for_url(url, name=name or kind, required=required, **options)
