"""`yzt pin-hash`: make the salted slow hash of a maintenance PIN for kiosk.toml.

The PIN is read from the terminal (asked twice, not echoed), or one line from standard input with
``--stdin`` for provisioning scripts — never from the command line, where ``ps`` and the shell's history
would keep it. At least six digits.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.pin import MIN_DIGITS, hash_pin
from service.contract.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pin-hash", help="hash a maintenance PIN for [maintenance] pin_hash")
    p.add_argument("--stdin", action="store_true", help="read the PIN from standard input (one line)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass(f"maintenance PIN ({MIN_DIGITS}-12 digits): ")
        if getpass.getpass("again: ") != pin:
            raise UserError("the two PINs differ", 2)
    if not pin.isdigit() or not MIN_DIGITS <= len(pin) <= 12:
        raise UserError(f"the PIN must be {MIN_DIGITS} to 12 digits", 2)
    print(hash_pin(pin))
    return 0
