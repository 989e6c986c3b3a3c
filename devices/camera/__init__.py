"""The kiosk camera: OpenCV capture in a thread serving the newest frame, with reconnection and a simulator.

Addresses (``[devices.camera] url``):

* ``0``, ``1`` … a camera index (V4L2); ``/dev/video0`` or ``v4l2:///dev/video0`` a device path;
* ``rtsp://…``, ``http://…`` a network camera stream (its query is the stream's own);
* a video file (``.mp4``, ``.avi`` …) played at its frame rate, looping;
* an image file, or a folder of images played in name order at ``fps``, looping;
* ``sim://`` the simulator (generated frames in a private folder) or ``sim://DIR`` (frames in DIR),
  ``?unplugged=1`` with the camera pulled from the start; the device's ``simulator`` attribute then
  shows codes: ``camera.simulator.show_text(text)``.

The camera's options (``fps``, ``width``/``height``, ``fourcc``, ``timeout_s``, the reconnect back-off …)
and the simulator's URL options are declared in :data:`OPTIONS`; any other is refused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from devices.camera.capture import Camera, CameraOffline, Frame
from devices.camera.simulator import CameraSimulator
from devices.camera.sources import FrameSource, SourceError, SourceLost, source_for
from devices.options import Declaration, Option, between, interactive_option, reconnect_options

__all__ = ["OPTIONS", "Camera", "CameraOffline", "CameraSimulator", "Frame", "SourceError", "SourceLost", "for_url"]


def _fourcc(code: str) -> str | None:
    return None if len(code) == 4 else "must be four characters (MJPG, YUYV …) or empty"


OPTIONS = Declaration(
    kind="camera", what="camera", default_url="0",
    url_doc="a camera index (`0`), a V4L2 path, a stream URL, a video file, an image or a folder of images, "
            "or `sim://[DIR]` for the simulator",
    options=(
        Option("fps", float, 0.0, "frames a second: the rate asked of a camera, a folder's playback rate; "
               "0 = the source's own (30 for cameras, 25 for folders, a video's own)", between(0, 240)),
        Option("width", int, 1280, "camera mode asked for, pixels wide", between(160, 7680)),
        Option("height", int, 720, "camera mode asked for, pixels high", between(120, 4320)),
        Option("fourcc", str, "MJPG", "pixel format asked of a USB camera (MJPG gives 720p at full rate); "
               "empty = the camera's default", _fourcc),
        Option("timeout_s", float, 3.5, "no frame for this long means the camera is lost", between(0.05, 60)),
        *reconnect_options("camera"),
        Option("open_wait_s", float, 2.0, "how long opening waits for the first attempt to reach the camera",
               between(0, 60)),
        interactive_option("QR code"),
        Option("loop", bool, True, "play a video file from the start again when it ends"),
        Option("frame_timeout_s", float, None, "the same as timeout_s (its older name; wins when both are given)",
               between(0.05, 60), config=False),
    ),
    url_options={"sim": (Option("unplugged", bool, False, "the camera pulled from the start"),)},
)


def for_url(url: str, name: str | None = None, required: bool = True, **options: Any) -> Camera:
    """Build (not open) the camera at ``url``; see the module docstring for addresses and :data:`OPTIONS`."""
    url, opts, query = OPTIONS.arguments(url, options)
    fps: float | None = opts["fps"] or None
    width, height, fourcc, loop = opts["width"], opts["height"], opts["fourcc"], opts["loop"]
    simulator: CameraSimulator | None = None
    overlay: Path | None = None
    if url.startswith("sim://"):
        folder = url[len("sim://"):].partition("?")[0]  # sim://DIR?options
        simulator = CameraSimulator(Path(folder).expanduser() if folder else None, size=(width, height))
        target = str(simulator.folder)
        overlay = simulator.overlay
        fps = fps or 25.0
        if query["unplugged"]:
            simulator.unplug()
    else:
        target = url

    def factory(stop: threading.Event) -> FrameSource:
        return source_for(target, stop, fps=fps, width=width, height=height, fourcc=fourcc, loop=loop,
                          overlay=overlay)

    camera = Camera(
        url, factory, name=name, required=required,
        frame_timeout_s=opts["frame_timeout_s"] or opts["timeout_s"],
        reconnect_s=opts["reconnect_s"], reconnect_max_s=opts["reconnect_max_s"],
        open_wait_s=opts["open_wait_s"], interactive_timeout_s=opts["interactive_timeout_s"],
    )
    camera.simulator = simulator
    return camera
