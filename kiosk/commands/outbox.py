"""`yzt outbox`: what this kiosk still has to deliver, for a technician (nothing personal is shown).

* ``yzt outbox status [--config FILE] [--json]`` — ``{"pending": [{"application_id", "acceptance_no",
  "queued_at", "attempts", "last_error", "next_try_at"}], "quarantined": N, "quarantine": [...]}``; exit 0.
* ``yzt outbox flush [--config FILE]`` — tries to deliver every pending application now; exit 0 when
  nothing is pending afterwards, 1 otherwise.
* ``yzt outbox forward [--config FILE]`` — the forwarder alone, headless, until SIGTERM or Ctrl-C
  (what the kiosk app runs on its own thread).
* ``yzt outbox requeue APPLICATION_ID [--config FILE]`` — put a quarantined application back in the
  queue (once what made the platform refuse it has been put right); exit 0 if it was requeued.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from kiosk.commands import add_config_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("outbox", help="applications still to deliver: status, flush, forward")
    osub = p.add_subparsers(dest="outbox_command", metavar="ACTION")
    osub.required = True
    s = osub.add_parser("status", help="what is still to deliver (nothing personal)")
    add_config_options(s)
    s.add_argument("--json", action="store_true", help="one JSON document for scripts")
    s.set_defaults(run=run)
    f = osub.add_parser("flush", help="try to deliver every pending application now (exit 1 if any is left)")
    add_config_options(f)
    f.set_defaults(run=run)
    w = osub.add_parser("forward", help="deliver by itself until stopped (the kiosk's forwarder, headless)")
    add_config_options(w)
    w.add_argument("--seconds", type=float, default=0, help="stop after this long (default: until SIGTERM)")
    w.set_defaults(run=run)
    r = osub.add_parser("requeue", help="put a quarantined application back in the queue")
    add_config_options(r)
    r.add_argument("application_id")
    r.set_defaults(run=run)


def _runtime(args: argparse.Namespace) -> Any:
    from kiosk import config
    from kiosk.runtime import Runtime

    cfg = config.load(args.config, simulate=args.simulate)
    return Runtime(cfg)  # no devices: only the data folder and the platform link


def run(args: argparse.Namespace) -> int:
    from kiosk.logs import setup_logging

    command = args.outbox_command
    rt = _runtime(args)
    setup_logging("INFO" if command == "forward" else "WARNING", rt.cfg.log_file if command == "forward" else None,
                  console=command == "forward")
    try:
        if command == "status":
            return _status(rt, args.json)
        if command == "flush":
            return _flush(rt)
        if command == "forward":
            return _forward(rt, args.seconds)
        return _requeue(rt, args.application_id)
    finally:
        rt.close()


def _status(rt: Any, as_json: bool) -> int:
    status = rt.outbox().status()
    if as_json:
        print(json.dumps(status, ensure_ascii=False))
        return 0
    pending = status["pending"]
    if not pending:
        print("nothing waiting: every application was delivered")
    for p in pending:
        print(f"{p['acceptance_no'] or '-':<20} {p['application_id']}  queued {p['queued_at']}  "
              f"{p['attempts']} tries  next {p['next_try_at']}" + (f"  last error: {p['last_error']}"
                                                                  if p["last_error"] else ""))
    for q in status["quarantine"]:
        print(f"QUARANTINED {q['kind']:<8} {q['acceptance_no'] or '-':<20} {q['application_id']}  {q['reason']}")
    print(f"{len(pending)} waiting, {status['quarantined']} quarantined")
    return 0


def _flush(rt: Any) -> int:
    delivered, left = rt.forwarder().run_once(force=True)
    summary = rt.outbox().summary()
    line = f"delivered {delivered}, {left} still waiting"
    if left and summary["last_error"]:
        line += f" (last error: {summary['last_error']})"
    if summary["quarantined"]:
        line += f"; {summary['quarantined']} quarantined (yzt outbox status)"
    print(line)
    return 0 if left == 0 else 1


def _forward(rt: Any, seconds: float) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    forwarder = rt.forwarder().start()
    print(f"yzt outbox: forwarding to {rt.cfg.platform.url} (SIGTERM stops)", flush=True)
    import time

    deadline = time.monotonic() + seconds if seconds else None
    while not stop.wait(0.2):  # short waits: the signal handler runs between them
        if deadline is not None and time.monotonic() > deadline:
            break
    forwarder.stop(timeout=2.0)
    summary = rt.outbox().summary()
    print(f"yzt outbox: stopped; delivered {forwarder.delivered}, {summary['pending']} waiting", flush=True)
    return 0


def _requeue(rt: Any, application_id: str) -> int:
    if rt.outbox().requeue(application_id):
        print(f"{application_id} is back in the queue")
        return 0
    print(f"{application_id}: not in the quarantine, or it cannot be opened", file=sys.stderr)
    return 1
