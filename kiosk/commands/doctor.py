"""`yzt doctor`: checks every device and the platform link (not built yet: issue #10)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="checks every device and the platform link")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("doctor", 10))
