"""Running the real kiosk app with a scripted citizen, one process per app (Kivy's window is global)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

needs_display = pytest.mark.skipif(not os.environ.get("DISPLAY"),
                                   reason="no DISPLAY: UI tests run under Xvfb (`make test` provides it)")


def run_script(script: str, tmp_path: Path, *extra: str, env: dict | None = None, timeout: float = 120) -> dict:
    out = tmp_path / "shots"
    full_env = {**os.environ, "YZT_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "screens.autopilot", script, "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=timeout, env=full_env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("AUTOPILOT ")]
    assert lines, f"autopilot printed no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    outcome = json.loads(lines[-1][len("AUTOPILOT "):])
    assert outcome["ok"], outcome["error"]
    return outcome
