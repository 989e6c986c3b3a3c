"""`yzt receipt`: ESC/POS sample receipt (not built yet: issue #6)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("receipt", help="ESC/POS sample receipt")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("receipt", 6))
