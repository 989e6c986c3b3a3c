"""`yzt review`: runs the approval engine offline (not built yet: issue #7)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="runs the approval engine offline")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("review", 7))
