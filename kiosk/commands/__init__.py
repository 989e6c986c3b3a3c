"""Sub-commands of ``yzt``; each module adds its parser and runs it."""

from __future__ import annotations

import argparse
import sys


class UserError(Exception):
    """An error explained in one line to the person at the terminal; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def not_built(command: str, issue: int) -> "callable":
    """A runner for a sub-command that is registered but not built yet: it says so and fails."""

    def run(args: argparse.Namespace) -> int:
        print(f"yzt {command}: not built yet (issue #{issue})", file=sys.stderr)
        return 1

    return run


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="kiosk.toml to use (default: $YZT_CONFIG or built-in)")
    parser.add_argument("--simulate", action="store_true",
                        help="every device on its simulator and the platform embedded")
