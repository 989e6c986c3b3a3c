"""`yzt kiosk`: the kiosk UI (not built yet: issue #3)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kiosk", help="the kiosk UI")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("kiosk", 3))
