"""`yzt doctor`: every configured device and the platform link, checked for real.

A table for people, JSON (one document) for scripts; exit 0 iff every required check passed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.commands import add_config_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check every configured device and the platform link")
    add_config_options(p)
    p.add_argument("--json", action="store_true", help="one JSON document for scripts")
    p.add_argument("--level", choices=["internal", "external"], default="external",
                   help="depth of the device checks (default external: a real exchange with each device)")
    p.set_defaults(run=run)


def collect(cfg: Any, level: str = "external", runtime: Any = None) -> list[dict[str, Any]]:
    """Run the checks (:func:`kiosk.diagnostics.run_checks`); each row a dict
    ``{"check", "required", "ok", "state", "message", "message_zh", "details"}``."""
    from devices.base import HealthLevel
    from kiosk.diagnostics import run_checks
    from kiosk.runtime import Runtime

    own = runtime is None
    rt = runtime or Runtime.build(cfg)
    try:
        return [row.to_dict() for row in run_checks(rt, HealthLevel(level))]
    finally:
        if own:
            rt.close()


def run(args: argparse.Namespace) -> int:
    from kiosk import config
    from kiosk.logs import setup_logging

    cfg = config.load(args.config, simulate=args.simulate)
    setup_logging("WARNING", None, console=False)
    rows = collect(cfg, args.level)
    passed = all(r["ok"] for r in rows if r["required"])
    if args.json:
        print(json.dumps({"ok": passed, "checks": rows}, ensure_ascii=False, default=str))
    else:
        width = max(len(r["check"]) for r in rows)
        for r in rows:
            mark = "PASS" if r["ok"] else ("FAIL" if r["required"] else "warn")
            print(f"{mark}  {r['check']:<{width}}  {r['state']:<14}  {r['message']}")
        failed = [r["check"] for r in rows if r["required"] and not r["ok"]]
        print("all required checks passed" if passed else f"FAILED: {', '.join(failed)}")
    return 0 if passed else 1
