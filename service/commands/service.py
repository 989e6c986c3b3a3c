"""`yzt service`: the platform in the foreground, one process or several workers.

Secure by default: kiosks must sign with an enrolled key (``--kiosk-keys``, default ``kiosks/`` in
the data folder; ``yzt platform enrol``), identity checks need a provider, and the development
switches (``--insecure-open-api``, ``--dev-sms``) are refused off loopback and announced at every start.
The database is migrated (or refused, in one line) before any worker serves. Several workers need
PostgreSQL (``--db postgresql://…``); they are started through uvicorn's own ``run(workers=N)``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from service.contract.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="the platform service")
    p.add_argument("--config", metavar="FILE", help="settings file (TOML; default /etc/yzt/service.toml when present)")
    p.add_argument("--db", metavar="URL", help="database URL (default: SQLite platform.db in the data folder)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8700, help="port (default 8700)")
    p.add_argument("--data", metavar="DIR", help="the platform's data folder (default: $YZT_PLATFORM_DIR, or platform/ in $YZT_DATA_DIR)")
    p.add_argument("--reference", metavar="DIR", help="reference data folder (default: the shipped sample)")
    p.add_argument("--keys", metavar="DIR", help="signing and sealing keys (default: keys/ in the data folder)")
    p.add_argument("--kiosk-keys", metavar="DIR", help="enrolled kiosks' public keys (<id>.pub.pem, revoked.txt)")
    p.add_argument("--public-url", metavar="URL", help="how phones reach this platform (progress and licence links)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL only)")
    p.add_argument("--identity", choices=["none", "simulated"], help="identity provider (simulated: tests, demo)")
    p.add_argument("--dev-sms", action="store_true", help="DEVELOPMENT: expose sent SMS codes at /api/v1/dev/sms")
    p.add_argument("--insecure-open-api", action="store_true",
                   help="DEVELOPMENT: accept unsigned kiosk requests (loopback only, announced at every start)")
    p.add_argument("--rate", type=float, help="requests a second per kiosk to the kiosk endpoints")
    p.add_argument("--stale-after", type=float, metavar="S",
                   help="a kiosk silent this long is shown as stopped reporting on the fleet page (default 180)")
    p.set_defaults(run=run)


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """The flags given, as settings (the environment and the file supply the rest)."""
    given = {"db_url": args.db, "platform_dir": args.data, "reference_dir": args.reference, "key_dir": args.keys,
             "kiosk_keys_dir": args.kiosk_keys, "public_url": args.public_url, "identity": args.identity,
             "rate_per_s": args.rate, "stale_after_s": args.stale_after, "host": args.host,
             "dev_sms": True if args.dev_sms else None, "open_api": True if args.insecure_open_api else None}
    out = {k: v for k, v in given.items() if v is not None}
    if args.rate:
        out["rate_burst"] = max(10, int(args.rate * 4))
    return out


def run(args: argparse.Namespace) -> int:
    import logging

    import uvicorn
    from pydantic import ValidationError

    from service.core.migrate import SchemaError
    from service.core.settings import InsecureSettings, Settings, check_secure

    if args.config:
        os.environ["YZT_SERVICE_CONFIG"] = str(Path(args.config).resolve())
    given = settings_from(args)
    # every worker builds its settings from the environment: put the flags there too
    for key, value in given.items():
        os.environ[f"YZT_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"bad setting {'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 2) from None
    if args.workers > 1 and not settings.database_url().startswith("postgresql"):
        raise UserError("several workers need PostgreSQL (--db postgresql://…)", 2)
    if not settings.reference_dir.is_dir():
        raise UserError(f"reference data folder not found: {settings.reference_dir}", 2)
    try:
        warnings = check_secure(settings)
    except InsecureSettings as exc:
        raise UserError(str(exc), 2) from None
    os.umask(0o077)  # the database, keys and logs are the platform's alone
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for warning in warnings:
        print(f"yzt service: WARNING: {warning}", flush=True)
    from service.platform import Platform

    try:
        prepared = Platform(settings)  # migrate (or refuse) and seed once, before any worker serves
    except SchemaError as exc:
        raise UserError(str(exc), 2) from None
    print(f"yzt service: database {prepared.store.engine.dialect.name} ({prepared.schema}); "
          f"{len(prepared.kiosk_keys.enrolled())} kiosks enrolled in {settings.kiosks}", flush=True)
    prepared.stop()
    print(f"yzt service: http://{args.host}:{args.port}  (OpenAPI at /openapi.json, fleet at /fleet)", flush=True)
    if args.workers > 1:
        uvicorn.run("service.main:app_from_environment", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info", access_log=False)
        return 0
    config = uvicorn.Config("service.main:app_from_environment", factory=True, host=args.host, port=args.port,
                            log_level="info", access_log=False)
    # bound and listening before the app starts, so "ready" (sd_notify from the app's startup) means
    # connections are taken
    sock = config.bind_socket()
    sock.listen(2048)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
