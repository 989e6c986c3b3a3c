"""`yzt doctor`: every configured device and the platform link, checked for real.

A table for people, JSON (one document) for scripts; exit 0 iff every required check passed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
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
    """Run the checks; each row ``{"check", "required", "ok", "state", "message", "message_zh", "details"}``."""
    from devices.base import HealthLevel
    from kiosk.runtime import Runtime

    own = runtime is None
    rt = runtime or Runtime.build(cfg)
    rows: list[dict[str, Any]] = []
    try:
        for kind, error in rt.device_errors.items():
            if kind in rt.devices:
                continue
            rows.append({"check": f"device:{kind}", "required": bool(cfg.device(kind)["required"]), "ok": False,
                         "state": "no_device", "message": error, "message_zh": "设备无法使用", "details": {}})
        for kind, device in rt.devices.items():
            report = device.health(HealthLevel(level))
            rows.append({"check": f"device:{kind}", "required": report.required, "ok": report.ok,
                         "state": report.state.value, "message": report.summary_en, "message_zh": report.summary_zh,
                         "details": {"url": report.url, "elapsed_ms": report.elapsed_ms, **report.details}})
        rows.append(rt.platform_check())
        usage = shutil.disk_usage(cfg.data_dir if cfg.data_dir.exists() else cfg.data_dir.parent
                                  if cfg.data_dir.parent.exists() else "/")
        free_mb = usage.free // 1_000_000
        rows.append({"check": "disk", "required": True, "ok": free_mb >= 200, "state": "online" if free_mb >= 200
                     else "user_error", "message": f"{free_mb} MB free in the data folder",
                     "message_zh": "磁盘空间" + ("充足" if free_mb >= 200 else "不足"), "details": {"free_mb": free_mb}})
    finally:
        if own:
            rt.close()
    return rows


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
        print(("all required checks passed" if passed else "some required checks FAILED"), file=sys.stdout)
    return 0 if passed else 1
