"""`yzt kiosk`: the kiosk UI on the configured (or simulated) devices."""

from __future__ import annotations

import argparse
import sys

from service.contract.cli import UserError
from kiosk.commands import add_config_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kiosk", help="the kiosk UI")
    add_config_options(p)
    p.add_argument("--windowed", action="store_true", help="a window instead of fullscreen (development)")
    p.set_defaults(run=run)


def start_ui(cfg, script=None, out_dir=None, fullscreen: bool | None = None) -> dict:
    """Prepare Kivy, the font and the runtime, then run the app (with an optional autopilot script)."""
    from kiosk.logs import setup_logging
    from kiosk.runtime import Runtime

    setup_logging(cfg.logging.level, cfg.log_file, cfg.logging.max_bytes, cfg.logging.backups, console=False)
    from screens import bootstrap

    try:
        bootstrap.prepare(cfg.kiosk.fullscreen if fullscreen is None else fullscreen, cfg.kiosk.orientation)
    except bootstrap.DisplayMissing as exc:
        raise UserError(str(exc), 3) from None
    from screens.fonts import FontMissing, register_default_font

    try:
        register_default_font()
    except FontMissing as exc:
        raise UserError(str(exc), 4) from None
    runtime = Runtime.build(cfg)
    try:
        if script is not None:
            from screens.autopilot import run as run_autopilot

            return run_autopilot(script, out_dir, cfg, runtime=runtime)
        from screens.app import KioskApp

        KioskApp(cfg, runtime=runtime).run()
        return {"ok": True}
    finally:
        runtime.close()


def run(args: argparse.Namespace) -> int:
    from kiosk import config

    cfg = config.load(args.config, simulate=args.simulate)
    problems = cfg.security_problems()
    if problems:
        raise config.ConfigError(problems[0])
    start_ui(cfg, fullscreen=False if args.windowed else None)
    # stopped cleanly (SIGTERM from systemd): journal and outbox closed, devices closed. Leave now rather
    # than spend seconds tearing the interpreter down — the unit's stop must take well under 5 s
    import logging
    import os

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
