"""`yzt qr decode IMAGE... [--json]`: the QR codes in image files, one line per image.

Exit 0 iff every image gave at least one code. An image that cannot be read is reported on its
line (with ``"error"`` in JSON) and counts as giving none; it never stops the other images.
"""

from __future__ import annotations

from typing import Any

import argparse
import json
import sys

from service.contract.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("qr", help="decodes QR codes in image files")
    qsub = p.add_subparsers(dest="qr_command", metavar="ACTION")
    qsub.required = True
    d = qsub.add_parser("decode", help="decode the QR codes in image files")
    d.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, BMP, WebP, TIFF, GIF …)")
    d.add_argument("--json", action="store_true", help='one JSON object per image: {"image", "codes": [...]}')
    d.add_argument("--decoder", choices=["ours", "zxing-cpp", "pyzbar", "opencv"], default="ours",
                   help="decoder to use (default: the kiosk's combination)")
    d.add_argument("--classify", action="store_true",
                   help="also say what each code is to the kiosk (e-licence, progress code, refused)")
    d.set_defaults(run=run)


def _classify(text: str) -> dict:
    from devices.qr.payload import LicencePayload, ProgressPayload, Refused, parse

    result = parse(text)
    out: dict[str, Any] = {"kind": result.kind, "message": result.message_en}
    if isinstance(result, Refused):
        out["reason"] = result.reason
    elif isinstance(result, ProgressPayload):
        out["acceptance_no"] = result.acceptance_no
    elif isinstance(result, LicencePayload):
        out["uscc"] = result.licence.uscc
    return out


def run(args: argparse.Namespace) -> int:
    if args.qr_command != "decode":  # pragma: no cover - argparse allows only decode
        raise UserError(f"unknown action {args.qr_command}")
    from devices.qr.codes import ImageUnreadable
    from devices.qr.decode import DECODERS, decode_image_file

    decoder = DECODERS[args.decoder]
    all_found = True
    for path in args.images:
        try:
            codes = decode_image_file(path, decoder=decoder)
        except ImageUnreadable as exc:
            all_found = False
            if args.json:
                print(json.dumps({"image": path, "codes": [], "error": f"cannot read image ({exc.why})"},
                                 ensure_ascii=False), flush=True)
            else:
                print(f"{path}: error: cannot read image ({exc.why})", flush=True)
            continue
        if not codes:
            all_found = False
        if args.json:
            docs = []
            for code in codes:
                doc = code.to_dict()
                if args.classify:
                    doc["payload"] = _classify(code.text)
                docs.append(doc)
            print(json.dumps({"image": path, "codes": docs}, ensure_ascii=False), flush=True)
        elif not codes:
            print(f"{path}: no QR code found", flush=True)
        else:
            for code in codes:
                extra = f" [{_classify(code.text)['kind']}]" if args.classify else ""
                print(f"{path}: {_printable(code.text)} ({code.decoder}){extra}", flush=True)
    sys.stdout.flush()
    return 0 if all_found else 1


def _printable(text: str) -> str:
    """One line per code even when the code holds newlines or control bytes."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
