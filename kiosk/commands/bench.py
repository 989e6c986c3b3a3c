"""`yzt bench`: run the benchmarks in ``bench/``, each figure printed beside its same-run baseline.

Every ``bench/bench_*.py`` defines ``run(quick: bool) -> list[dict]``; each dict is one figure:
``{"bench", "metric", "value", "unit", "baseline_metric", "baseline", "goal", "met"}``
(``baseline*`` may be None where a figure has none; ``met`` is True/False/None against ``goal``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

# the benchmarks live in a source checkout (they are not installed): this one, or the current folder's
BENCH_DIR = next((d for d in (Path(__file__).resolve().parents[2] / "bench", Path.cwd() / "bench") if d.is_dir()),
                 Path.cwd() / "bench")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="run the benchmarks in bench/ beside their baselines")
    p.add_argument("--quick", action="store_true", help="smaller sample sizes (a minute or two in all)")
    p.add_argument("--json", action="store_true", help="one JSON object per figure")
    p.add_argument("--only", metavar="NAME", action="append", help="run only bench_NAME.py (repeatable)")
    p.set_defaults(run=run)


def discover(only: list[str] | None = None) -> list[Path]:
    files = sorted(BENCH_DIR.glob("bench_*.py"))
    if only:
        files = [f for f in files if f.stem.removeprefix("bench_") in only]
    return files


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"yzt_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    files = discover(args.only)
    if not files:
        print("yzt bench: no benchmarks found in bench/", file=sys.stderr)
        return 1
    if not args.json:
        print(f"{'bench':<12} {'metric':<44} {'value':>10} {'unit':<6} {'baseline (same run)':<40} {'goal':<22} met")
    for path in files:
        started = time.perf_counter()
        try:
            rows = load(path).run(quick=args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            rows = [{"bench": path.stem.removeprefix("bench_"), "metric": "error", "value": None, "unit": "",
                     "baseline_metric": f"{type(exc).__name__}: {exc}", "baseline": None, "goal": "", "met": False}]
        for row in rows:
            row.setdefault("seconds", round(time.perf_counter() - started, 1))
            if args.json:
                print(json.dumps(row, ensure_ascii=False), flush=True)
            else:
                base = f"{row.get('baseline_metric') or ''} {_fmt(row.get('baseline'))}".strip()
                met = {True: "yes", False: "NO", None: ""}[row.get("met")]
                print(f"{row['bench']:<12} {row['metric']:<44} {_fmt(row['value']):>10} {row.get('unit', ''):<6} "
                      f"{base:<40} {str(row.get('goal') or ''):<22} {met}", flush=True)
    return 0
