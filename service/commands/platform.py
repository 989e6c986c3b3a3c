"""`yzt platform …`: what an administrator does from the platform's own shell.

    yzt platform enrol KIOSK_ID FILE.pub.pem     enrol a kiosk's public key (or drop the file in the folder)
    yzt platform revoke KIOSK_ID                 revoke it (revoked.txt)
    yzt platform kiosks                          the enrolled kiosks
    yzt platform account add NAME --role ROLE    an account (reviewer, operator, admin); the password is asked
    yzt platform account list | disable NAME | unlock NAME
    yzt platform migrate                         bring the database to this release's schema
    yzt platform purge                           purge documents past the retention period now

Each takes the settings of ``yzt service`` (``--config``, ``--db``, ``--data``, ``--keys``, ``--kiosk-keys``);
every action is written to the audit log as ``cli``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from service.contract.cli import UserError


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="settings file (TOML)")
    p.add_argument("--db", metavar="URL", help="database URL")
    p.add_argument("--data", metavar="DIR", help="the platform's data folder")
    p.add_argument("--keys", metavar="DIR", help="signing and sealing keys")
    p.add_argument("--kiosk-keys", metavar="DIR", help="enrolled kiosks' public keys")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("platform", help="administer the platform: kiosks, accounts, database")
    psub = p.add_subparsers(dest="platform_command", metavar="ACTION")
    psub.required = True
    e = psub.add_parser("enrol", help="enrol a kiosk's public key")
    e.add_argument("kiosk_id")
    e.add_argument("pem", metavar="FILE.pub.pem")
    r = psub.add_parser("revoke", help="revoke a kiosk")
    r.add_argument("kiosk_id")
    k = psub.add_parser("kiosks", help="the enrolled kiosks")
    a = psub.add_parser("account", help="accounts of the people who run the platform")
    asub = a.add_subparsers(dest="account_command", metavar="ACTION")
    asub.required = True
    add = asub.add_parser("add", help="a new account (the password is asked twice, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["reviewer", "operator", "admin"])
    add.add_argument("--display-name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    lst = asub.add_parser("list", help="every account")
    dis = asub.add_parser("disable", help="disable an account")
    dis.add_argument("username")
    unl = asub.add_parser("unlock", help="lift a lockout")
    unl.add_argument("username")
    m = psub.add_parser("migrate", help="bring the database to this release's schema")
    pu = psub.add_parser("purge", help="purge documents past the retention period now")
    for parser in (e, r, k, add, lst, dis, unl, m, pu):
        _common(parser)
        parser.set_defaults(run=run)


def _settings(args: argparse.Namespace) -> Any:
    from pydantic import ValidationError

    from service.core.settings import Settings

    if args.config:
        os.environ["YZT_SERVICE_CONFIG"] = str(Path(args.config).resolve())
    given = {"db_url": args.db, "platform_dir": args.data, "key_dir": args.keys, "kiosk_keys_dir": args.kiosk_keys}
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise UserError(f"bad setting: {exc.errors()[0]['msg']}", 2) from None


def _password(args: argparse.Namespace) -> str:
    from service.core.security import MIN_PASSWORD

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.username} (at least {MIN_PASSWORD} characters): ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ", 2)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters", 2)
    return password


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from service.core.migrate import SchemaError
    from service.core.security import KioskKeys, hash_password
    from service.models import Account
    from service.platform import Actor, Platform

    settings = _settings(args)
    cli = Actor("cli", f"uid:{os.getuid()}")
    if args.platform_command in ("enrol", "revoke", "kiosks"):
        keys = KioskKeys(settings.kiosks)
        if args.platform_command == "enrol":
            try:
                keys.enrol(args.kiosk_id, Path(args.pem).read_bytes())
            except (OSError, ValueError) as exc:
                raise UserError(f"cannot enrol {args.kiosk_id}: {exc}", 2) from None
            print(f"enrolled {args.kiosk_id} in {settings.kiosks}")
        elif args.platform_command == "revoke":
            keys.revoke(args.kiosk_id)
            print(f"revoked {args.kiosk_id}")
        else:
            revoked = keys.revoked()
            for kiosk_id in keys.enrolled():
                print(kiosk_id + ("  (revoked)" if kiosk_id in revoked else ""))
        if args.platform_command != "kiosks":
            _audit(settings, cli, "kiosk." + args.platform_command, args.kiosk_id)
        return 0
    try:
        platform = Platform(settings, departments={})
    except SchemaError as exc:
        raise UserError(str(exc), 2) from None
    try:
        if args.platform_command == "migrate":
            print(f"database: {platform.schema}")
            return 0
        if args.platform_command == "purge":
            print(f"purged {platform.purge()} documents")
            return 0
        with platform.store.write() as s:
            if args.account_command == "add":
                try:
                    with s.begin_nested():
                        s.add(Account(username=args.username, display_name=args.display_name, role=args.role,
                                      password_hash=hash_password(_password(args)), failures=0, disabled=False))
                except IntegrityError:
                    raise UserError(f"an account {args.username} exists already", 2) from None
                platform.audit(s, cli, "account.add", args.username, role=args.role)
                print(f"account {args.username} ({args.role}) added")
            elif args.account_command == "list":
                for a in s.execute(select(Account).order_by(Account.username)).scalars():
                    flags = " disabled" if a.disabled else (" locked" if a.locked_until else "")
                    print(f"{a.username:<24} {a.role:<10}{flags}")
            else:
                account = s.execute(select(Account).where(Account.username == args.username)).scalar_one_or_none()
                if account is None:
                    raise UserError(f"no account {args.username}", 2)
                if args.account_command == "disable":
                    account.disabled = True
                else:
                    account.locked_until, account.failures = None, 0
                platform.audit(s, cli, "account." + args.account_command, args.username)
                print(f"account {args.username}: {args.account_command}d")
    finally:
        platform.stop()
    return 0


def _audit(settings: Any, actor: Any, action: str, target: str) -> None:
    from service.platform import Platform

    platform = Platform(settings, departments={})
    try:
        with platform.store.write() as s:
            platform.audit(s, actor, action, target)
    finally:
        platform.stop()
