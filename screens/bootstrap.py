"""Prepare Kivy before its window exists: kiosk settings, quiet logs, a private KIVY_HOME, the display check."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class DisplayMissing(RuntimeError):
    """No display to open a window on."""


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("SDL_VIDEODRIVER") in ("offscreen", "dummy", "kmsdrm"))


def prepare(fullscreen: bool, orientation: str = "landscape", size: tuple[int, int] | None = None) -> None:
    """Configure Kivy for a kiosk; must run before ``kivy.core.window`` is imported."""
    if not has_display():
        raise DisplayMissing("no display: DISPLAY is not set (run under X, or use `yzt demo`, which starts Xvfb)")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_HOME", str(Path(tempfile.gettempdir()) / f"yzt-kivy-{os.getuid()}"))
    from kivy.config import Config

    width, height = size or ((1920, 1080) if orientation == "landscape" else (1080, 1920))
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "multisamples", "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    # one provider per touch panel: drop the probesysfs/mtdev defaults that double every touch
    for name in list(Config.options("input")):
        if name != "mouse":
            Config.remove_option("input", name)
