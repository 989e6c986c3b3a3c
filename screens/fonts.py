"""The CJK font: the Simplified Chinese face of Noto Sans CJK, registered once as Kivy's default.

Debian ships Noto Sans CJK as a collection whose first face is Japanese (令 直 骨 get Japanese
shapes), and Kivy cannot pick a face inside a collection, so the SC faces are extracted once with
fontTools into a cache folder and registered from there.
"""

from __future__ import annotations

import os
from pathlib import Path

COLLECTIONS = {
    "regular": ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"],
    "bold": ["/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"],
}
SC_FAMILY = "Noto Sans CJK SC"


class FontMissing(RuntimeError):
    """No usable Chinese font: the kiosk cannot show its screens."""


def _cache_dir() -> Path:
    env = os.environ.get("YZT_FONT_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "yzt" / "fonts"


def _extract(collection: str, weight: str) -> Path:
    from fontTools.ttLib import TTCollection

    target = _cache_dir() / f"NotoSansCJKsc-{weight}.otf"
    if target.exists() and target.stat().st_mtime >= os.stat(collection).st_mtime:
        return target
    fonts = TTCollection(collection, lazy=True).fonts
    for face in fonts:
        if face["name"].getDebugName(1) == SC_FAMILY:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            face.save(str(tmp))
            os.replace(tmp, target)
            return target
    raise FontMissing(f"{collection} has no {SC_FAMILY} face")


def cjk_font_files() -> dict[str, Path]:
    """Paths of the SC regular and bold faces; :class:`FontMissing` names the package to install."""
    override = os.environ.get("YZT_FONT")
    if override:
        if not Path(override).is_file():
            raise FontMissing(f"YZT_FONT={override} does not exist")
        return {"regular": Path(override), "bold": Path(override)}
    out: dict[str, Path] = {}
    for weight, candidates in COLLECTIONS.items():
        for candidate in candidates:
            if Path(candidate).is_file():
                out[weight] = _extract(candidate, weight)
                break
    if "regular" not in out:
        raise FontMissing("the Chinese font Noto Sans CJK is not installed (Debian package fonts-noto-cjk)")
    out.setdefault("bold", out["regular"])
    return out


def register_default_font() -> dict[str, Path]:
    """Make the SC face Kivy's default font (every Label uses it); idempotent."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    files = cjk_font_files()
    regular, bold = str(files["regular"]), str(files["bold"])
    LabelBase.register(DEFAULT_FONT, regular, regular, bold, bold)
    LabelBase.register("CJK", regular, regular, bold, bold)
    return files
