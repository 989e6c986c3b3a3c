"""Message catalogues: every string a citizen sees, in Chinese and English.

A language's catalogue is ``assets/i18n/<lang>.json`` plus every ``assets/i18n/<lang>/*.json`` (one
file per part of the kiosk, so each part keeps its own strings); a key is defined in one file only
(:func:`duplicate_keys` stays empty, a test says so). Screens hold no string literals; they ask
``tr(key, lang, **values)``. A key missing from a catalogue shows as ``⟦key⟧`` so a test walking every
screen finds it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import assets

LANGUAGES = ("zh", "en")


def _files(lang: str) -> list[Path]:
    folder = assets.path("i18n", lang)
    return [assets.path("i18n", f"{lang}.json"), *(sorted(folder.glob("*.json")) if folder.is_dir() else [])]


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in _files(lang):
        with path.open(encoding="utf-8") as fh:
            merged.update(json.load(fh))
    return merged


def duplicate_keys() -> dict[str, set[str]]:
    """Keys defined in more than one file of a language (a test keeps this empty)."""
    out: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        seen: set[str] = set()
        for path in _files(lang):
            with path.open(encoding="utf-8") as fh:
                keys = set(json.load(fh))
            if keys & seen:
                out[lang] = out.get(lang, set()) | (keys & seen)
            seen |= keys
    return out


def tr(key: str, lang: str = "zh", **values: object) -> str:
    text = catalogue(lang if lang in LANGUAGES else "zh").get(key)
    if text is None:
        return f"⟦{key}⟧"
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def missing_keys() -> dict[str, set[str]]:
    """Keys present in one language but not another (a test keeps this empty)."""
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    union = set().union(*keys.values())
    return {lang: union - k for lang, k in keys.items() if union - k}
