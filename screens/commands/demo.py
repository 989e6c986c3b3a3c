"""`yzt demo`: the platform and the kiosk on simulated devices.

With a display, the kiosk window. Without one, a virtual screen (Xvfb) and a scripted citizen
walking the journeys; screenshots of every screen, the licence PDF and the receipt PNGs go to
``./demo-output/``. Exit 0 only when the scripted registration was approved and printed.

``yzt demo --headless --config FILE`` walks the same citizen on that config's devices and platform (an
external one when ``[platform] url`` is not ``embedded``); exit 4 when the platform could not be reached
at submission and the application is queued (its acceptance receipt printed; the outbox delivers it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service.contract.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the kiosk on simulated devices with the embedded platform")
    p.add_argument("--out", type=Path, default=Path("demo-output"), help="where the headless demo writes its files")
    p.add_argument("--headless", action="store_true", help="run the scripted citizen even when a display exists")
    p.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape")
    p.add_argument("--config", metavar="FILE", help="this kiosk's kiosk.toml: its devices and platform "
                                                    "(default: every device simulated, the platform embedded)")
    p.set_defaults(run=run)


EXIT_QUEUED = 4


def start_xvfb(width: int = 1920, height: int = 1080) -> subprocess.Popen:
    """Start Xvfb on a free display number and point DISPLAY at it."""
    if shutil.which("Xvfb") is None:
        raise UserError("no display and no Xvfb to make one (Debian package xvfb; `make run` installs it)", 3)
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        number = fh.readline().strip()
    if not number:
        proc.kill()
        raise UserError("Xvfb did not start", 3)
    os.environ["DISPLAY"] = f":{number}"
    return proc


def run(args: argparse.Namespace) -> int:
    """The demo, then leave at once: everything is closed by then, and the interpreter's teardown only
    prints native libraries' leak reports (zxing-cpp's nanobind) at the person who ran it."""
    code = _run(args)
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    from kiosk import config
    from screens.commands.kiosk import start_ui

    scripted = not (os.environ.get("DISPLAY") and not args.headless)
    fresh = None
    if not os.environ.get("YZT_DATA_DIR") and not args.config:  # the demo's data apart from a real kiosk's
        if scripted:  # each scripted visit on an empty platform: earlier runs never change its outcome
            fresh = tempfile.mkdtemp(prefix="yzt-demo-")
            os.environ["YZT_DATA_DIR"] = fresh
        else:  # the interactive demo keeps its companies, so their progress can be followed next time
            os.environ["YZT_DATA_DIR"] = str(Path(tempfile.gettempdir()) / "yzt-demo-data")
    cfg = config.load(args.config) if args.config else config.load(None, simulate=True)
    cfg["kiosk"]["orientation"] = args.orientation
    if os.environ.get("DISPLAY") and not args.headless:
        start_ui(cfg, fullscreen=False)
        return 0
    width, height = (1920, 1080) if args.orientation == "landscape" else (1080, 1920)
    xvfb = start_xvfb(width, height) if not os.environ.get("DISPLAY") else None
    try:
        out = args.out.resolve()
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        from screens.demo_script import full_visit

        t0 = time.monotonic()
        outcome = start_ui(cfg, script=full_visit, out_dir=out, fullscreen=False)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
    found = outcome.get("result", {})
    summary = {k: found.get(k) for k in ("application_id", "acceptance_no", "decision")}  # CONTRACT.md's fields
    (out / "demo-result.json").write_text(json.dumps({**summary, **outcome}, ensure_ascii=False, indent=2,
                                                     default=str), encoding="utf-8")
    files = sorted(p.name for p in out.iterdir())
    print(f"yzt demo: wrote {len(files)} files to {out} in {time.monotonic() - t0:.0f} s")
    result = outcome.get("result", {})
    if not outcome.get("ok"):
        print(f"yzt demo: the scripted visit failed: {outcome.get('error')}", file=sys.stderr)
        return 1
    if result.get("decision") == "queued":
        receipt = any(r.get("kind") == "acceptance" and r.get("printed") for r in result.get("receipts") or [])
        print(f"yzt demo: the platform could not be reached; application {result.get('application_id')} "
              f"(acceptance number {result.get('acceptance_no')}) is queued and will be delivered by itself"
              + ("; acceptance receipt printed" if receipt else "; the acceptance receipt did not print"),
              file=sys.stderr)
        return EXIT_QUEUED if receipt else 1
    if not result.get("approved_and_printed"):
        print("yzt demo: " + result.get("why_not", "the registration was not approved and printed"), file=sys.stderr)
        return 1
    print(f"yzt demo: approved — USCC {result.get('uscc')}; licence and receipts printed")
    return 0
