"""The ``yzt`` command: a dispatcher for the sub-commands both products register.

Each installed product names its sub-commands as entry points in the group ``yzt.commands``
(``setup.cfg``), each a module with ``add_parser(subparsers)`` that sets ``run(args) -> int``.
The dispatcher imports none of them by name, so a platform install (no Kivy, no OpenCV) has
``yzt service``, ``yzt review`` and ``yzt license`` and a kiosk install the kiosk's commands; a
command whose extra is missing says which one to install, in one line.

Errors the user can act on (bad configuration, missing display, missing font, a device that is
not there) print one line and exit non-zero; nothing prints a traceback at a user.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import metadata
from typing import Any

from service.contract import VERSION

GROUP = "yzt.commands"
# the order of ``yzt --help``; commands of other packages follow, sorted
ORDER = ("demo", "kiosk", "service", "platform", "doctor", "outbox", "idcard", "qr", "review", "license",
         "receipt", "bench", "config", "pin-hash")
DISTRIBUTION = "yinzhengtong"


class UserError(Exception):
    """An error explained in one line to the person at the terminal; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _commands() -> list[metadata.EntryPoint]:
    found = {ep.name: ep for ep in metadata.entry_points(group=GROUP)}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    return [found[n] for n in names]


def _missing_extra(sub: Any, ep: metadata.EntryPoint, exc: ImportError) -> None:
    extras = ", ".join(ep.extras) or "kiosk"
    parser = sub.add_parser(ep.name, help=f"(needs the {extras} extra)", add_help=False)
    parser.add_argument("rest", nargs=argparse.REMAINDER)

    def run(_args: argparse.Namespace) -> int:
        raise UserError(f"needs the {extras} part of {DISTRIBUTION}: pip install '{DISTRIBUTION}[{extras}]' "
                        f"({exc})", 2)

    parser.set_defaults(run=run, extras=extras)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yzt", description="银政通 kiosk and platform")
    parser.add_argument("--version", action="version", version=f"yzt {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for ep in _commands():
        try:
            module = ep.load()
        except ImportError as exc:
            _missing_extra(sub, ep, exc)
            continue
        before = set(sub.choices)
        module.add_parser(sub)
        for name in set(sub.choices) - before:
            sub.choices[name].set_defaults(extras=", ".join(ep.extras))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(f"yzt {args.command}: {exc}", file=sys.__stderr__)
        return exc.code
    except ModuleNotFoundError as exc:  # a command whose product is installed without its extra
        extras = getattr(args, "extras", "") or "kiosk"
        print(f"yzt {args.command}: needs the {extras} part of {DISTRIBUTION}: "
              f"pip install '{DISTRIBUTION}[{extras}]' (missing module {exc.name})", file=sys.__stderr__)
        return 2
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
    for handler in root.handlers:
        if getattr(handler, "_yzt", False) and hasattr(handler, "baseFilename"):
            logging.getLogger("yzt").exception("unexpected error in yzt %s", command)
            return str(handler.baseFilename)
    import traceback

    from service.contract.files import default_data_dir, ensure_private_dir
    from service.contract.privacy import mask_text

    path = ensure_private_dir(default_data_dir() / "logs") / "crash.log"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(mask_text(f"yzt {command}:\n{traceback.format_exc()}\n"))
    return str(path)


if __name__ == "__main__":  # pragma: no cover - `python -m service.contract.cli`: the commands raise the
    # UserError of the imported module, not of this __main__ copy, so run that one
    from service.contract.cli import main as imported_main

    sys.exit(imported_main())
