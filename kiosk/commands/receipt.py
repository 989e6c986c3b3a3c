"""`yzt receipt`: the ESC/POS receipt printer from the command line.

* ``yzt receipt sample --out FILE`` — the ESC/POS bytes of a sample acceptance receipt (Chinese text
  in FS & mode, native QR, cut); exit 0.
* ``yzt receipt sample --printer URL`` — asks the printer's real-time status (DLE EOT 1–4), prints the
  sample only when it is ready, asks again after; exit 0 printed, 3 not ready (paper out, cover open,
  offline… — the reason on stderr, nothing sent), 1 any other failure.
* ``yzt receipt status --printer URL`` — the status alone; exit 0 ready, 3 not ready.
* ``yzt receipt simulate [--tcp PORT] [--state S] [--out DIR]`` — runs the ESC/POS simulator and
  prints its addresses; every job it receives is rendered to a PNG in DIR.
* ``yzt receipt render FILE --out DIR`` — what a printer would make of an ESC/POS file, as PNGs.
* ``yzt receipt licence --out FILE.pdf [--size A4|A3]`` — a sample business licence PDF.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from service.contract.cli import UserError

EXIT_NOT_READY = 3
KINDS = ("acceptance", "result", "linked_items", "progress")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("receipt", help="ESC/POS receipt printer: sample receipt, status, simulator")
    rsub = p.add_subparsers(dest="receipt_command", metavar="ACTION")
    rsub.required = True

    s = rsub.add_parser("sample", help="a sample acceptance receipt, to a file or a printer")
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="FILE", help="write the ESC/POS bytes to FILE")
    where.add_argument("--printer", metavar="URL", help="print on the printer at URL (path, pyserial URL, "
                                                        "escpos+tcp://host:9100, file:///path, sim://)")
    s.add_argument("--kind", choices=KINDS, default="acceptance", help="which receipt (default: acceptance)")
    _printer_options(s)
    s.set_defaults(run=run)

    st = rsub.add_parser("status", help="the printer's real-time status (DLE EOT 1-4)")
    st.add_argument("--printer", metavar="URL", required=True)
    _printer_options(st)
    st.set_defaults(run=run)

    sim = rsub.add_parser("simulate", help="run the ESC/POS printer simulator (pty and TCP)")
    sim.add_argument("--tcp", metavar="PORT", type=int, default=9100,
                     help="TCP port on 127.0.0.1 (0 = any free)")
    sim.add_argument("--no-pty", action="store_true", help="TCP only")
    sim.add_argument("--state", default="ready",
                     help="ready, paper_near_end, paper_out, cover_open, offline, cutter_error or silent")
    sim.add_argument("--out", metavar="DIR", default="receipts",
                     help="where each job's PNG goes (default ./receipts)")
    sim.add_argument("--seconds", type=float, default=0, help="stop after this long (default: until Ctrl-C)")
    sim.set_defaults(run=run)

    r = rsub.add_parser("render", help="render an ESC/POS file as a printer would print it (PNG per job)")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--out", metavar="DIR", required=True)
    r.set_defaults(run=run)

    lic = rsub.add_parser("licence", help="a sample business licence PDF")
    lic.add_argument("--out", metavar="FILE", required=True)
    lic.add_argument("--size", choices=["A4", "A3"], default="A4")
    lic.set_defaults(run=run)


def _printer_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baud", type=int, default=115200, help="serial speed (default 115200)")
    p.add_argument("--timeout", type=float, default=3.5, help="longest wait for the printer, seconds")
    p.add_argument("--status-timeout", type=float, default=0.5, help="wait for each status byte, seconds")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")


def sample_receipt(kind: str = "acceptance"):
    """The sample receipt of ``kind`` (fictitious applicant, masked as any receipt)."""
    from kiosk.documents import (acceptance_receipt, linked_items_receipt, progress_receipt,
                                 result_notice)
    from kiosk.documents.samples import sample_application, sample_decision, sample_items, sample_kiosk

    app, decision, kiosk, items = sample_application(), sample_decision(), sample_kiosk(), sample_items()
    if kind == "acceptance":
        return acceptance_receipt(app, None, kiosk)
    if kind == "result":
        return result_notice(app, decision, kiosk)
    if kind == "linked_items":
        return linked_items_receipt(app, decision, kiosk, items)
    return progress_receipt(app, decision, items, kiosk)


def run(args: argparse.Namespace) -> int:
    action = args.receipt_command
    if action == "sample":
        return _sample(args)
    if action == "status":
        return _status(args)
    if action == "simulate":
        return _simulate(args)
    if action == "render":
        return _render(args)
    return _licence(args)


def _open_printer(args: argparse.Namespace):
    from devices.base import DeviceError
    from devices.printers.receipt import for_url

    try:
        printer = for_url(args.printer, baud=args.baud, timeout_s=args.timeout,
                          status_timeout_s=args.status_timeout)
    except ValueError as exc:
        raise UserError(f"bad printer address: {exc}", 1) from None
    try:
        printer.open()
    except DeviceError as exc:
        raise UserError(f"printer not ready: offline — {exc.message_en}", EXIT_NOT_READY) from None
    return printer


def _sample(args: argparse.Namespace) -> int:
    from devices.printers.encode import encode_receipt

    receipt = sample_receipt(args.kind)
    if args.out:
        data = encode_receipt(receipt)
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise UserError(f"cannot write {args.out}: {exc.strerror}", 1) from None
        print(f"wrote {len(data)} bytes of ESC/POS ({receipt.title}) to {args.out}")
        return 0
    printer = _open_printer(args)
    try:
        result = printer.print_receipt(receipt)
        jobs = printer.simulator.wait_for_jobs(1, 2.0) if printer.simulator and result.printed else []
    finally:
        printer.close()
        if printer.simulator is not None:
            printer.simulator.close()
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    if result.outcome == "not_ready":
        status = result.status_before
        print(f"yzt receipt: printer not ready: {status.condition.value} — {status.message_en}; nothing sent",
              file=sys.stderr)
        return EXIT_NOT_READY
    if not result.printed:
        print(f"yzt receipt: {result.outcome}: {result.message_en}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"printed {receipt.title} ({result.bytes_sent} bytes) on {args.printer}: "
              f"{result.status_after.condition.value if result.status_after else 'unknown'}")
        for job in jobs:
            if job.path:
                print(f"simulator rendered {job.path}")
    return 0


def _status(args: argparse.Namespace) -> int:
    printer = _open_printer(args)
    try:
        status = printer.status()
    finally:
        printer.close()
        if printer.simulator is not None:
            printer.simulator.close()
    if args.json:
        print(json.dumps(status.to_dict(), ensure_ascii=False))
    else:
        print(f"{status.condition.value}: {status.message_en} / {status.message_zh}")
    return 0 if status.ok_to_print else EXIT_NOT_READY


def _simulate(args: argparse.Namespace) -> int:
    from devices.printers.simulator import EscposSimulator, SimState

    try:
        state = SimState(args.state)
    except ValueError:
        known = ", ".join(s.value for s in SimState)
        raise UserError(f"unknown state {args.state!r}; one of {known}", 2) from None
    try:
        sim = EscposSimulator(state=state, out_dir=args.out, pty=not args.no_pty, tcp_port=args.tcp)
    except OSError as exc:
        raise UserError(f"cannot listen on 127.0.0.1:{args.tcp}: {exc.strerror}", 1) from None
    try:
        if sim.port:
            print(f"serial (pty): {sim.port}")
        print(f"tcp: {sim.tcp_url}")
        print(f"state: {sim.state.value}; each job is rendered to "
              f"{Path(args.out).resolve()}/receipt-NNNN.png", flush=True)
        deadline = time.monotonic() + args.seconds if args.seconds else None
        seen = 0
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
            for job in sim.jobs[seen:]:
                print(f"job {job.index}: {len(job.lines)} lines, qr={job.qr}, cut={job.cut}"
                      f"{', interrupted' if job.interrupted else ''} -> {job.path}", flush=True)
            seen = len(sim.jobs)
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


def _render(args: argparse.Namespace) -> int:
    from devices.printers.simulator import render_bytes

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror}", 1) from None
    jobs = render_bytes(data, args.out)
    if not jobs:
        raise UserError(f"{args.file}: nothing printable in it", 1)
    for job in jobs:
        print(f"{job.path}: {len(job.texts)} lines, qr={job.qr}, cut={job.cut}")
    return 0


def _licence(args: argparse.Namespace) -> int:
    from service.contract import elicence
    from kiosk.documents import licence_from, licence_pdf
    from kiosk.documents.samples import SAMPLE_USCC, sample_application, sample_decision

    app = sample_application()
    code = ""
    key_file = elicence.default_key_dir() / elicence.PRIVATE_NAME
    if key_file.exists():  # sign with the local platform's key when there is one; never create one here
        key = elicence.load_or_create_signing_key(key_file.parent)
        code = elicence.sign(key, SAMPLE_USCC, app["name"]["full"])
    pdf = licence_pdf(licence_from(app, sample_decision(code)), args.size)
    try:
        Path(args.out).write_bytes(pdf)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror}", 1) from None
    print(f"wrote {len(pdf)} bytes ({args.size} licence{', e-licence signed' if code else ''}) to {args.out}")
    return 0
