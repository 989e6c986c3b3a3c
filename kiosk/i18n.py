"""Message catalogues: every string a citizen sees, in Chinese and English (assets/i18n/<lang>.json).

Screens hold no string literals; they ask ``tr(key, lang, **values)``. A key missing from a
catalogue shows as ``⟦key⟧`` so a test walking every screen finds it.
"""

from __future__ import annotations

import json
from functools import lru_cache

import assets

LANGUAGES = ("zh", "en")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    path = assets.path("i18n", f"{lang}.json")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


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
