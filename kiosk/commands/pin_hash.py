"""`yzt pin-hash`: make the salted slow hash of a maintenance PIN for kiosk.toml."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.pin import hash_pin


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pin-hash", help="hash a maintenance PIN for [maintenance] pin_hash")
    p.add_argument("--pin", help="the PIN (asked for when omitted)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    pin = args.pin or getpass.getpass("PIN: ")
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        print("yzt pin-hash: the PIN must be 4 to 12 digits", file=sys.stderr)
        return 2
    print(hash_pin(pin))
    return 0
