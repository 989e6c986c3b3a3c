"""`yzt idcard`: reads one card through the SAM protocol (not built yet: issue #4)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("idcard", help="reads one card through the SAM protocol")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("idcard", 4))
