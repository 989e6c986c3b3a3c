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
from kiosk.commands import UserError

__all__ = ["UserError", "main"]

COMMANDS = ["demo", "kiosk", "service", "doctor", "idcard", "qr", "review", "license", "receipt", "bench",
            "config", "pin-hash"]


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
        print(f"yzt {args.command}: {exc}", file=sys.__stderr__)
        return getattr(exc, "code", 2)
    except KeyboardInterrupt:
        print(f"yzt {args.command}: interrupted", file=sys.__stderr__)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # last line of defence: one line for the user, the trace in the log
        where = _log_crash(args.command)
        print(f"yzt {args.command}: internal error ({type(exc).__name__}: {exc}); details in {where}",
              file=sys.__stderr__)
        return 1


def _log_crash(command: str) -> str:
    """Write the current exception's trace, masked, to the configured log or to crash.log."""
    root = logging.getLogger()
    if any(getattr(h, "_yzt", False) and hasattr(h, "baseFilename") for h in root.handlers):
        logging.getLogger("yzt").exception("unexpected error in yzt %s", command)
        return next(h.baseFilename for h in root.handlers if hasattr(h, "baseFilename"))
    import traceback

    from kiosk.paths import default_data_dir, ensure_private_dir
    from kiosk.privacy import mask_text

    path = ensure_private_dir(default_data_dir() / "logs") / "crash.log"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(mask_text(f"yzt {command}:\n{traceback.format_exc()}\n"))
    return str(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
