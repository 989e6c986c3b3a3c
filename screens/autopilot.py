"""A scripted citizen: drives the real app through the real input pipeline, and takes screenshots.

``yzt demo`` and the UI tests use it. A script is a generator function ``script(pilot)`` that
yields the seconds to wait before its next step; taps go through Kivy's event loop exactly as a
touch panel's would (``UnitTestTouch``), so the idle timer, buttons and gestures all see them.

Run one from a shell (the tests do, one process per app)::

    python -m screens.autopilot tests.uiscripts:home_language_idle --out DIR [--config FILE]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Generator

Script = Callable[["Autopilot"], Generator[float, None, None]]


class StepFailed(AssertionError):
    pass


class Autopilot:
    def __init__(self, app: Any, script: Script, out_dir: Path | None = None) -> None:
        self.app = app
        self.script = script
        self.out_dir = out_dir
        self.shots: list[str] = []
        self.checks: list[str] = []
        self.error: str | None = None
        self.result: dict[str, Any] = {}
        self._gen: Generator[float, None, None] | None = None

    # -- running ---------------------------------------------------------------------------
    def start(self) -> None:
        from kivy.clock import Clock

        self._gen = self.script(self)
        Clock.schedule_once(self._step, 0.5)

    def _step(self, dt: float) -> None:
        from kivy.clock import Clock

        try:
            delay = next(self._gen)  # type: ignore[arg-type]
        except StopIteration:
            self.app.stop()
            return
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            self.app.stop()
            return
        Clock.schedule_once(self._step, delay if delay is not None else 0.1)

    # -- looking ---------------------------------------------------------------------------
    def screen(self, name: str | None = None) -> Any:
        return self.app.sm.get_screen(name or self.app.sm.current)

    def widget(self, wid: str, screen: str | None = None) -> Any:
        scr = self.screen(screen)
        found = _find_id(scr, wid)
        if found is None:
            raise StepFailed(f"no widget with id {wid!r} on screen {scr.name!r}")
        return found

    def expect(self, condition: bool, what: str) -> None:
        if not condition:
            raise StepFailed(f"expected: {what}")
        self.checks.append(what)

    def expect_screen(self, name: str) -> None:
        self.expect(self.app.sm.current == name, f"screen {name} (is {self.app.sm.current})")

    # -- acting ----------------------------------------------------------------------------
    def tap(self, target: Any, screen: str | None = None) -> None:
        """Tap a widget (or a widget id on the current screen) at its centre."""
        widget = self.widget(target, screen) if isinstance(target, str) else target
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        try:
            touch.touch_up()
        except ReferenceError:  # as the app's StaleWidgetHandler does for a real touch: the tap did its work
            pass

    def press(self, x: float, y: float) -> Any:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        return touch

    def shot(self, name: str) -> Path | None:
        """Screenshot of the whole window into the output folder."""
        if self.out_dir is None:
            return None
        from kivy.core.window import Window

        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / f"{len(self.shots) + 1:02d}-{name}.png"
        Window.screenshot(name=str(path))  # Kivy appends a counter: rename it back
        produced = sorted(self.out_dir.glob(f"{path.stem}*.png"), key=lambda p: p.stat().st_mtime)
        if produced and produced[-1] != path:
            produced[-1].replace(path)
        self.shots.append(str(path))
        return path


def _find_id(root: Any, wid: str) -> Any:
    """Find a kv id anywhere below ``root`` (ids live on the rule's root widget)."""
    stack = [root]
    while stack:
        w = stack.pop()
        ids = getattr(w, "ids", {})
        if wid in ids:
            return ids[wid]
        stack.extend(w.children)
    return None


def run(script: Script, out_dir: Path | None, cfg: Any, runtime: Any = None,
        size: tuple[int, int] | None = None) -> dict[str, Any]:
    """Start the kiosk with ``script`` driving it; return what happened."""
    from screens import bootstrap

    bootstrap.prepare(fullscreen=False, orientation=cfg.kiosk.orientation, size=size)
    from screens.fonts import register_default_font

    register_default_font()
    from screens.app import KioskApp

    holder: dict[str, Autopilot] = {}

    def started(app: KioskApp) -> None:
        pilot = Autopilot(app, script, out_dir)
        holder["pilot"] = pilot
        pilot.start()

    app = KioskApp(cfg, runtime=runtime, on_started=started)
    t0 = time.monotonic()
    app.run()
    pilot = holder.get("pilot")
    return {
        "ok": pilot is not None and pilot.error is None,
        "error": pilot.error if pilot else "app did not start",
        "events": app.events,
        "checks": pilot.checks if pilot else [],
        "shots": pilot.shots if pilot else [],
        "result": pilot.result if pilot else {},
        "seconds": round(time.monotonic() - t0, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m screens.autopilot")
    parser.add_argument("script", help="module:function of the script")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--config")
    parser.add_argument("--simulate", action="store_true")
    parser.add_argument("--size", help="WxH window size, e.g. 1080x1920")
    args = parser.parse_args(argv)
    from kiosk import config

    cfg = config.load(args.config, simulate=args.simulate)
    from kiosk.logs import setup_logging

    setup_logging(cfg.logging.level, cfg.log_file, cfg.logging.max_bytes, cfg.logging.backups, console=False)
    module, func = args.script.split(":")
    script = getattr(importlib.import_module(module), func)
    size = tuple(int(v) for v in args.size.split("x")) if args.size else None
    runtime = None
    if args.simulate:  # the devices' simulators and the platform, as `yzt demo` has them
        from kiosk.runtime import Runtime

        runtime = Runtime.build(cfg)
    try:
        outcome = run(script, args.out, cfg, runtime=runtime, size=size)  # type: ignore[arg-type]
    finally:
        if runtime is not None:
            runtime.close()
    print("AUTOPILOT " + json.dumps(outcome, ensure_ascii=False, default=str))
    return 0 if outcome["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
