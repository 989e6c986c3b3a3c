"""`yzt demo`: the scripted demo (not built yet: issue #3)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the scripted demo")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("demo", 3))
