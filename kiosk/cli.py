"""The ``yzt`` command: one sub-command per module in :mod:`kiosk.commands`.

Each module defines ``add_parser(subparsers)`` and ``run(args) -> int``. Errors the user can act
on (bad configuration, missing display, missing font, a device that is not there) print one line
and exit non-zero; nothing prints a traceback at a user.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kiosk import __version__

COMMANDS = ["demo", "kiosk", "service", "doctor", "idcard", "qr", "review", "license", "receipt", "bench",
            "config", "pin-hash"]


class UserError(Exception):
    """An error explained in one line to the person at the terminal; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yzt", description="银政通 kiosk and platform")
    parser.add_argument("--version", action="version", version=f"yzt {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"kiosk.commands.{name.replace('-', '_')}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from kiosk.config import ConfigError

    try:
        return int(args.run(args) or 0)
    except (UserError, ConfigError) as exc:
        print(f"yzt {args.command}: {exc}", file=sys.stderr)
        return getattr(exc, "code", 2)
    except KeyboardInterrupt:
        print(f"yzt {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # last line of defence: one line for the user, the trace in the log
        logging.getLogger("yzt").exception("unexpected error in yzt %s", args.command)
        print(f"yzt {args.command}: internal error ({type(exc).__name__}: {exc}); details are in the log",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
