"""`yzt license verify TEXT`: checks an e-licence QR code offline with the platform's public key.

TEXT is the verification link printed on the licence or the ``YZTL1.…`` payload it carries.

Prints ``{"valid": bool, "uscc", "name", ...}``; exit 0 iff valid. The key is the local
platform's (``$YZT_PLATFORM_KEYS`` or the data folder) unless ``--key`` names a public key file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("license", help="verifies e-licence QR payloads offline")
    lsub = p.add_subparsers(dest="license_command", metavar="ACTION")
    lsub.required = True
    v = lsub.add_parser("verify", help="verify one e-licence QR text")
    v.add_argument("text", metavar="TEXT", help="the QR code's text: the verification link or the YZTL1.… payload")
    v.add_argument("--key", metavar="FILE", help="the platform's public key (PEM)")
    v.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from service.contract import elicence

    try:
        key = elicence.load_public_key(Path(args.key) if args.key else None)
        code = elicence.verify(args.text, key)
    except elicence.LicenceCodeError as exc:
        print(json.dumps({"valid": False, "uscc": None, "name": None, "reason": exc.reason,
                          "message": exc.message_zh, "message_en": exc.message_en}, ensure_ascii=False))
        return 1
    print(json.dumps(code.to_dict(), ensure_ascii=False))
    return 0
