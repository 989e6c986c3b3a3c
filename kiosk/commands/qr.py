"""`yzt qr`: decodes QR codes in image files (not built yet: issue #5)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qr", help="decodes QR codes in image files")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("qr", 5))
