"""Nothing lost, nothing duplicated, at full size and through what the kiosk really does (tests/reliability.py):

* kills: the kiosk process SIGKILLed at every step of a visit (during the answers, after the submission was
  journalled, during the HTTP call, after the decision, during printing), restarted, the citizen starting
  again — 200 visits;
* network: 200 visits through a proxy that refuses, delays, cuts requests and responses, truncates, answers
  429/503, with windows of 401 (kiosk not enrolled; clock 400 s off) and the platform's own 429;
* platform kills: ``yzt service`` SIGKILLed while it commits, restarted — on SQLite and on PostgreSQL;

each beside the same visits with no fault (the baseline time). Lost and duplicated, counted at the
platform and at the departments, must all be 0.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _rows(name: str, fig: dict[str, Any], count: int, faults: str, clean: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"bench": "reliability", "metric": f"{name}: lost of {count} ({faults})", "value": fig["lost"], "unit": "",
         "baseline_metric": "without faults: lost", "baseline": clean["lost"], "goal": "0", "met": fig["lost"] == 0},
        {"bench": "reliability", "metric": f"{name}: duplicated of {count}", "value": fig["duplicated"], "unit": "",
         "baseline_metric": "without faults: duplicated", "baseline": clean["duplicated"], "goal": "0",
         "met": fig["duplicated"] == 0},
        {"bench": "reliability", "metric": f"{name}: seconds for {count}", "value": fig["seconds"], "unit": "s",
         "baseline_metric": f"without faults, {clean['citizens']} visits (s)", "baseline": clean["seconds"],
         "goal": None, "met": None},
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    from tests.reliability import clean_run, kill_run, network_run, platform_kill_run
    from tests.servicehelp import start_platform

    for noisy in ("kiosk", "service", "devices", "uvicorn"):  # thousands of expected warnings: faults are the point
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    count = 50 if quick else 200
    platform_count = 15 if quick else 40
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        running = start_platform(Path(tmp) / "platform", dispatch_scale=100)
        try:
            clean = clean_run(running, Path(tmp) / "clean", count, seed=2026)
            killed = kill_run(running, Path(tmp) / "killed", count, seed=2026)
            cut = network_run(running, Path(tmp) / "network", count, seed=2026)
        finally:
            running.stop()
        on_sqlite = platform_kill_run(Path(tmp) / "pk-sqlite", platform_count, seed=2026)
        on_postgres: dict[str, Any] | None = None
        try:
            from tests.pghelp import Postgres

            pg = Postgres()
        except BaseException:  # no PostgreSQL on this machine (pytest.skip raises a BaseException)
            pg = None
        if pg is not None:
            try:
                on_postgres = platform_kill_run(Path(tmp) / "pk-pg", platform_count, seed=2027,
                                                db_url=pg.new_database("bench_reliability"))
            finally:
                pg.stop()
    out = REPO / "bench-output"
    out.mkdir(exist_ok=True)  # every figure of every harness, for when one is not 0
    (out / "reliability.json").write_text(json.dumps({"clean": clean, "kill": killed, "network": cut,
                                                      "platform_sqlite": on_sqlite, "platform_postgresql": on_postgres},
                                                     ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    rows += _rows("kill", killed, count, f"{killed['kills']} kiosk kills, {killed['recognised']} recognised", clean)
    rows += _rows("network", cut, count, f"{sum(v for k, v in cut['faults'].items() if k != 'pass')} faults", clean)
    rows += _rows("platform sqlite", on_sqlite, platform_count, f"{on_sqlite['platform_kills']} platform kills",
                  clean)
    if on_postgres is not None:
        rows += _rows("platform postgresql", on_postgres, platform_count,
                      f"{on_postgres['platform_kills']} platform kills", clean)
    rows.append({"bench": "reliability", "metric": "kill: kills by step", "value": killed["kills"], "unit": "kills",
                 "baseline_metric": str(killed["kills_by_step"]), "baseline": None, "goal": None, "met": None})
    rows.append({"bench": "reliability", "metric": "network: faults by kind", "value": len(cut["faults"]),
                 "unit": "kinds", "baseline_metric": str(cut["faults"]), "baseline": None, "goal": None, "met": None})
    rows.append({"bench": "reliability", "metric": "network: failed deliveries by status", "value":
                 sum(cut["failed_statuses"].values()), "unit": "", "baseline_metric": str(cut["failed_statuses"]),
                 "baseline": None, "goal": None, "met": None})
    rows.append({"bench": "reliability", "metric": "department orders (kill / network)",
                 "value": killed["department_orders"] + cut["department_orders"], "unit": "",
                 "baseline_metric": "duplicated department orders",
                 "baseline": len(killed["duplicated_department_orders"]) + len(cut["duplicated_department_orders"]),
                 "goal": "0 duplicated", "met": not killed["duplicated_department_orders"]
                 and not cut["duplicated_department_orders"]})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(json.dumps(row, ensure_ascii=False))
