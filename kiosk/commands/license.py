"""`yzt license`: verifies e-licence QR payloads offline (not built yet: issue #7)."""

from __future__ import annotations

import argparse

from kiosk.commands import not_built


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("license", help="verifies e-licence QR payloads offline")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=not_built("license", 7))
