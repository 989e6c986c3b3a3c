"""The kiosk's sub-commands of ``yzt``; each module adds its parser and runs it (heavy imports inside
``run``, so ``yzt --help`` works on a platform-only install too)."""

from __future__ import annotations

import argparse


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="kiosk.toml to use (default: $YZT_CONFIG or built-in)")
    parser.add_argument("--simulate", action="store_true",
                        help="every device on its simulator and the platform embedded")
