"""The project's data files, shipped as package data: message catalogues, reference data, the
pinyin lexicon, the guide, systemd units. Read them through :func:`path`, never beside a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def path(*parts: str) -> Path:
    """The file or folder ``parts`` below the installed assets (a real path: wheels unpack to disk)."""
    found = files(__name__).joinpath(*parts)
    return Path(str(found))
