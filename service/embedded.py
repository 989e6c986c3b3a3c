"""The platform a kiosk starts for itself (``[platform] url = "embedded"``): ``yzt demo`` and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.server import RunningPlatform, embedded_settings, serve_in_thread


def start(data_dir: Path, **overrides: Any) -> RunningPlatform:
    """Start on a free loopback port; ``.url`` to reach it, ``.stop()`` when done."""
    return serve_in_thread(embedded_settings(Path(data_dir), **overrides))
