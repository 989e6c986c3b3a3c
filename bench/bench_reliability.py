"""Exactly-once under faults, at full size: 200 submissions with the kiosk SIGKILLed at random moments,
and 200 through a proxy that refuses, delays, cuts requests and cuts responses — beside the same
submissions with no fault (the baseline time). Lost and duplicated must both be 0."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def run(quick: bool) -> list[dict[str, Any]]:
    from kiosk.platform_client import PlatformClient
    from tests.reliability import count_on_platform, kill_run, open_outbox, proxy_run, submit_all
    from tests.servicehelp import start_platform

    import logging

    for noisy in ("kiosk.outbox", "kiosk.platform_client"):  # thousands of expected warnings: faults are the point
        logging.getLogger(noisy).setLevel(logging.ERROR)
    count = 50 if quick else 200
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        running = start_platform(Path(tmp) / "platform", dispatch_scale=100)
        try:
            outbox = open_outbox(Path(tmp) / "clean")
            t0 = time.monotonic()
            submit_all(outbox, PlatformClient(running.url, retries=0), f"clean-{count}", count)
            clean_s = time.monotonic() - t0
            outbox.close()
            once, extra = count_on_platform(running.platform, f"clean-{count}", count)
            killed = kill_run(running.platform, running.url, Path(tmp) / "killed", count, seed=2026)
            cut = proxy_run(running.platform, running.url, Path(tmp) / "proxied", count, seed=2026)
        finally:
            running.stop()
    for name, fig in (("kill", killed), ("network", cut)):
        faults = fig.get("kills", sum(v for k, v in fig.get("faults", {}).items() if k != "pass"))
        rows.append({"bench": "reliability", "metric": f"{name}: lost of {count} ({faults} faults)",
                     "value": fig["lost"], "unit": "", "baseline_metric": "without faults: lost",
                     "baseline": count - once, "goal": "0", "met": fig["lost"] == 0})
        rows.append({"bench": "reliability", "metric": f"{name}: duplicated of {count}",
                     "value": fig["duplicated"], "unit": "", "baseline_metric": "without faults: duplicated",
                     "baseline": extra, "goal": "0", "met": fig["duplicated"] == 0})
        rows.append({"bench": "reliability", "metric": f"{name}: seconds for {count}", "value": fig["seconds"],
                     "unit": "s", "baseline_metric": "without faults (s)", "baseline": round(clean_s, 1),
                     "goal": None, "met": None})
    rows.append({"bench": "reliability", "metric": "network: faults by kind", "value": len(cut["faults"]),
                 "unit": "kinds", "baseline_metric": str(cut["faults"]), "baseline": None, "goal": None, "met": None})
    return rows
