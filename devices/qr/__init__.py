"""QR codes: decoding camera frames and image files, the serial scanner module, and what a code means.

* :func:`decode_frame` / :func:`decode_image_file` → ``list[QrCode]`` (zxing-cpp first; pyzbar and
  a second zxing-cpp pass on regions it located but could not read — see :mod:`devices.qr.decode`);
* :class:`QrReader` decodes a camera's newest frames off the UI thread and delivers each code once;
* :mod:`devices.qr.scanner` — the serial scanner (``for_url``), a second source of the same readings;
* :mod:`devices.qr.payload` — ``parse(text)``: e-licence, progress code or refused;
* :mod:`devices.qr.synth` — generated frames for the benchmark, the tests and the camera simulator.
"""

from devices.qr.codes import ImageUnreadable, QrCode, QrError
from devices.qr.decode import decode_frame, decode_image_file, read_image
from devices.qr.reader import Deduper, QrReader

__all__ = ["Deduper", "ImageUnreadable", "QrCode", "QrError", "QrReader", "decode_frame", "decode_image_file",
           "read_image"]
