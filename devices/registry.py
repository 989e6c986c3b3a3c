"""Device addresses as URLs, resolved to drivers: one API, many transports (like ``serial_for_url``).

Each device kind names the module that builds it; that module exposes
``for_url(url, name=..., required=..., **options) -> Device`` and ``OPTIONS``, the
:class:`~devices.options.Declaration` of the options it takes and of its URLs' options. URL forms:

* serial devices: any pyserial URL or path (``/dev/ttyUSB0``, ``socket://h:p``, ``rfc2217://…``,
  ``spy://…``, ``loop://``), or ``sim://`` to start the protocol simulator on a pty;
* printers: ``escpos+tcp://host:9100``, ``escpos+serial:///dev/ttyS1``, ``file:///path``,
  ``cups://QUEUE``, ``spool:///dir``, ``sim://``;
* camera: a camera index, a V4L2 path, a video file, a folder of images, or ``sim://``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from devices.base import Device
from devices.options import Declaration, OptionError

log = logging.getLogger(__name__)

KINDS: dict[str, str] = {
    "idcard": "devices.idcard",
    "camera": "devices.camera",
    "qr_scanner": "devices.qr.scanner",
    "receipt_printer": "devices.printers.receipt",
    "document_printer": "devices.printers.document",
}


class UnknownDeviceKind(ValueError):
    pass


def _module(kind: str) -> Any:
    try:
        return importlib.import_module(KINDS[kind])
    except KeyError:
        raise UnknownDeviceKind(f"unknown device kind {kind!r}; known: {', '.join(sorted(KINDS))}") from None


def declaration(kind: str) -> Declaration:
    """What ``kind`` takes: its options and its URL options (the module's ``OPTIONS``)."""
    decl: Declaration = _module(kind).OPTIONS
    return decl


def check_url(kind: str, url: str) -> None:
    """Raise :class:`~devices.options.OptionError` for what building ``kind`` at ``url`` would refuse
    about the address (unknown URL options, a value they cannot take, an address of no printer) —
    without building it: no simulator starts, no port opens."""
    declaration(kind).check_url(url)


def open_device(kind: str, url: str, name: str | None = None, required: bool = True, **options: Any) -> Device:
    """Build (not open) the driver for ``kind`` at ``url``.

    Options another kind declares but this one does not (``baud`` for a camera, from settings
    shared by several devices) are left out; a name no kind declares is refused as a typo.
    """
    module = _module(kind)
    own = set(module.OPTIONS.names)
    foreign = set(options) - own
    if foreign:
        vocabulary = {n for k in KINDS for n in declaration(k).names}
        typos = sorted(foreign - vocabulary)
        if typos:
            raise OptionError(f"the {module.OPTIONS.what}", f"takes no option {', '.join(f'`{t}`' for t in typos)}; "
                              f"known: {', '.join(module.OPTIONS.names)}")
        log.debug("%s: ignoring options of other devices: %s", kind, ", ".join(sorted(foreign)))
        options = {k: v for k, v in options.items() if k in own}
    device: Device = module.for_url(url, name=name or kind, required=required, **options)
    return device
