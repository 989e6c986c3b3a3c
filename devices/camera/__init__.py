"""The kiosk camera: OpenCV capture in a thread serving the newest frame, with reconnection and a simulator.

Addresses (``[devices.camera] url``):

* ``0``, ``1`` … a camera index (V4L2); ``/dev/video0`` or ``v4l2:///dev/video0`` a device path;
* ``rtsp://…``, ``http://…`` a network camera stream;
* a video file (``.mp4``, ``.avi`` …) played at its frame rate, looping;
* an image file, or a folder of images played in name order at ``fps``, looping;
* ``sim://`` the simulator (generated frames in a private folder) or ``sim://DIR`` (frames in DIR);
  the device's ``simulator`` attribute then shows codes: ``camera.simulator.show_text(text)``.

Options: ``fps`` (files/folders: playback rate; cameras: requested rate), ``width``/``height``
(requested camera mode, default 1280×720), ``fourcc`` (default MJPG), ``timeout_s`` or
``frame_timeout_s`` (no frame for this long = lost; default 3.5 s), ``reconnect_s`` and
``reconnect_max_s`` (back-off between reopening attempts), ``open_wait_s`` (how long ``open()``
waits for the first attempt), ``interactive_timeout_s`` (the INTERACTIVE health check's wait for
a QR code), ``loop`` (video files). Unknown options (``baud`` from the shared device keys) are ignored.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from devices.camera.capture import Camera, CameraOffline, Frame
from devices.camera.simulator import CameraSimulator
from devices.camera.sources import SourceError, SourceLost, source_for

__all__ = ["Camera", "CameraOffline", "CameraSimulator", "Frame", "SourceError", "SourceLost", "for_url"]


def for_url(url: str, name: str | None = None, required: bool = True, **options: Any) -> Camera:
    """Build (not open) the camera at ``url``; see the module docstring for addresses and options."""
    url = str(url).strip()
    if not url:
        raise ValueError("camera url is empty")
    fps = options.get("fps")
    fps = float(fps) if fps else None
    width = int(options.get("width", 1280))
    height = int(options.get("height", 720))
    fourcc = str(options.get("fourcc", "MJPG"))
    loop = bool(options.get("loop", True))
    simulator: CameraSimulator | None = None
    overlay: Path | None = None
    if url.startswith("sim://"):
        folder = url[len("sim://"):]
        simulator = CameraSimulator(Path(folder).expanduser() if folder else None, size=(width, height))
        target = str(simulator.folder)
        overlay = simulator.overlay
        fps = fps or 25.0
    else:
        target = url

    def factory(stop: threading.Event):
        return source_for(target, stop, fps=fps, width=width, height=height, fourcc=fourcc, loop=loop,
                          overlay=overlay)

    camera = Camera(
        url, factory, name=name, required=required,
        frame_timeout_s=float(options.get("frame_timeout_s", options.get("timeout_s", 3.5))),
        reconnect_s=float(options.get("reconnect_s", 0.5)),
        reconnect_max_s=float(options.get("reconnect_max_s", 5.0)),
        open_wait_s=float(options.get("open_wait_s", 2.0)),
        interactive_timeout_s=float(options.get("interactive_timeout_s", 15.0)),
    )
    camera.simulator = simulator
    return camera
