"""`yzt service [--db URL] [--host H] [--port 8700]`: the platform service in the foreground.

SQLite file in the data folder by default; ``--db postgresql://user@host/db`` for a city's fleet
(then several workers may serve the same database: ``--workers N``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="the platform service")
    p.add_argument("--db", metavar="URL", default="", help="database URL (default: SQLite in the data folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8700, help="port (default 8700)")
    p.add_argument("--reference", metavar="DIR", help="reference data folder (default: the shipped sample)")
    p.add_argument("--keys", metavar="DIR", help="signing key folder (default: the data folder's platform/keys)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL only)")
    p.add_argument("--dev-sms", action="store_true", help="expose sent SMS codes at /api/v1/dev/sms (tests only)")
    p.add_argument("--kiosk-keys", metavar="DIR",
                   help="enrolled kiosks' public keys (<id>.pub.pem, revoked.txt): kiosks must sign their requests")
    p.add_argument("--rate", type=float, default=50.0, help="requests a second per kiosk to the write endpoints")
    p.add_argument("--stale-after", type=float, default=180.0, metavar="S",
                   help="a kiosk silent this long is shown as stopped reporting on the fleet page (default 180)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk import elicence
    from kiosk.commands import UserError
    from kiosk.paths import REFERENCE_DATA

    if args.workers > 1 and not args.db.startswith("postgresql"):
        raise UserError("yzt service: several workers need PostgreSQL (--db postgresql://…)", 2)
    reference = Path(args.reference) if args.reference else REFERENCE_DATA
    if not reference.is_dir():
        raise UserError(f"yzt service: reference data folder not found: {reference}", 2)
    settings = {"db_url": args.db, "reference_dir": str(reference),
                "key_dir": str(Path(args.keys) if args.keys else elicence.default_key_dir()),
                "dev_sms": bool(args.dev_sms), "kiosk_keys_dir": args.kiosk_keys, "rate_per_s": args.rate,
                "rate_burst": max(10, int(args.rate * 4)), "stale_after_s": args.stale_after}
    os.environ["YZT_SERVICE_SETTINGS"] = json.dumps(settings)
    logging.getLogger("service").setLevel(logging.INFO)
    print(f"yzt service: http://{args.host}:{args.port}  (OpenAPI at /openapi.json, progress pages at /progress/…)",
          flush=True)
    config = uvicorn.Config("service.server:app_from_environment", factory=True, host=args.host, port=args.port,
                            workers=args.workers, log_level="info", access_log=False)
    # bound and listening before the app starts, so "ready" (sd_notify from the app's startup) means
    # connections are taken, with one worker or many
    sock = config.bind_socket()
    sock.listen(2048)
    server = uvicorn.Server(config)
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, target=server.run, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])
    return 0
    config = uvicorn.Config("service.server:app_from_environment", factory=True, host=args.host, port=args.port,
                            log_level="info", access_log=False)
    # bound before the app starts, so "ready" (sd_notify from the app's startup) means connections are taken
    sock = config.bind_socket()
    uvicorn.Server(config).run(sockets=[sock])
    return 0
