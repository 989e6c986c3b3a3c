"""`yzt config`: check a kiosk.toml, print its documentation or a complete example."""

from __future__ import annotations

import argparse
import json

from kiosk import config
from kiosk.commands import add_config_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="check, document or print an example kiosk.toml")
    p.add_argument("action", choices=["check", "doc", "example", "show"])
    add_config_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "doc":
        print(config.document())
    elif args.action == "example":
        print(config.example())
    else:
        cfg = config.load(args.config, simulate=args.simulate)
        if args.action == "show":
            print(json.dumps(cfg.as_dict(), ensure_ascii=False, indent=2))
        else:
            problems = cfg.security_problems()
            if problems:
                raise config.ConfigError(problems[0])
            print(f"{cfg.source}: ok")
    return 0
