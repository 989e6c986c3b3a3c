"""`yzt bench`: runs the benchmarks (not built yet: issue #4)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="runs the benchmarks")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("bench", 4))
