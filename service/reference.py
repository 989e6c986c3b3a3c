"""Reference data (divisions, standard addresses, scope catalogue, prohibited words, dishonest list).

Loaded once from a folder in CONTRACT.md's CSV formats (unknown columns ignored) and then only
read, so every worker keeps its own copy in memory. A missing file is an empty table with a
warning; a bad row is skipped with a warning naming file and line — a city's data dump with one
broken line must not stop the hall.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from pypinyin import Style, lazy_pinyin

log = logging.getLogger(__name__)

PERMITS = ("none", "pre", "post")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str = ""


@dataclass(frozen=True)
class Address:
    code: str
    division: str
    text: str
    negative: bool
    street: str = ""
    building: str = ""
    unit: str = ""
    initials: str = ""  # pinyin initials of street + building + unit, for search


@dataclass(frozen=True)
class Scope:
    code: str
    text: str
    permit: str  # none, pre, post
    category: str = ""
    keywords: str = ""
    initials: str = ""


@dataclass(frozen=True)
class EntityRow:
    uscc: str
    name: str
    region: str
    trade_name: str
    industry: str
    legal_rep_id: str
    address_code: str


def initials(text: str) -> str:
    """Pinyin initials (``东风二路`` → ``dfel``): what elderly users type on a small keyboard."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def sound(text: str) -> str:
    """Toneless pinyin, the key under which homophone trade names meet (``华信`` ~ ``华新``)."""
    return " ".join(lazy_pinyin(text, errors="ignore")).lower()


@dataclass
class Reference:
    divisions: dict[str, Division] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)
    scopes: dict[str, Scope] = field(default_factory=dict)
    prohibited: tuple[str, ...] = ()
    dishonest: dict[str, str] = field(default_factory=dict)
    entities: list[EntityRow] = field(default_factory=list)
    abnormal: set[str] = field(default_factory=set)  # USCCs on the abnormal-operation or serious-violation list
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    @cached_property
    def region_names(self) -> frozenset[str]:
        """Division names a trade name may not be (阳江, 阳江市, 江城, 江城区 …; NAME art. 8)."""
        out: set[str] = set()
        for d in self.divisions.values():
            out.add(d.name)
            for suffix in ("自治县", "自治州", "特别行政区", "市", "区", "县", "省", "镇", "乡"):
                if d.name.endswith(suffix) and len(d.name) > len(suffix) + 1:
                    out.add(d.name[: -len(suffix)])
                    break
        return frozenset(out)

    # -- the address picker ----------------------------------------------------------------
    def streets(self, division: str) -> list[str]:
        seen: dict[str, None] = {}
        for a in self.addresses.values():
            if a.division == division and a.street:
                seen.setdefault(a.street, None)
        return list(seen)

    def address_options(self, level: int, parent: str | None) -> list[dict[str, str]]:
        """Level 0: districts; 1: streets of a district (parent = division code); 2: addresses of a
        street (parent = ``division:street``). Negative-list addresses are shown, marked, so the
        citizen learns why before choosing rather than after submitting."""
        if level == 0:
            used = {a.division for a in self.addresses.values()}
            return [{"code": d.code, "label": d.name} for d in self.divisions.values() if d.code in used]
        if level == 1:
            return [{"code": f"{parent}:{s}", "label": s} for s in self.streets(parent or "")]
        division, _, street = (parent or "").partition(":")
        return [self._address_option(a) for a in self.addresses.values()
                if a.division == division and a.street == street]

    @staticmethod
    def _address_option(a: Address) -> dict[str, str]:
        return {"code": a.code, "label": f"{a.building}{a.unit}" or a.text, "text": a.text,
                "negative": "1" if a.negative else "0"}

    def search_addresses(self, query: str, division: str | None = None, limit: int = 40) -> list[dict[str, str]]:
        """By Chinese text or pinyin initials; within one district when given."""
        q = (query or "").strip().lower()
        out = []
        for a in self.addresses.values():
            if division and a.division != division:
                continue
            if not q or q in a.text or (q.isascii() and q in a.initials):
                out.append(self._address_option(a))
                if len(out) >= limit:
                    break
        return out

    def search_scopes(self, query: str, limit: int = 40) -> list[dict[str, str]]:
        """Catalogue items whose text, keywords or pinyin initials hold the query; exact text first."""
        q = (query or "").strip().lower()
        hits = []
        for s in self.scopes.values():
            if not q:
                rank = 2
            elif s.text == q:
                rank = 0
            elif s.text.startswith(q):
                rank = 1
            elif q in s.text:
                rank = 2
            elif q in s.keywords or (q.isascii() and q in s.initials):
                rank = 3
            else:
                continue
            hits.append((rank, len(s.text), s))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [{"code": s.code, "text": s.text, "permit": s.permit, "category": s.category}
                for _, _, s in hits[:limit]]


class _Rows:
    """CSV rows with line numbers; bad rows become warnings."""

    def __init__(self, path: Path, ref: Reference) -> None:
        self.path, self.ref = path, ref

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        if not self.path.exists():
            self.ref.warnings.append(f"{self.path.name}: missing, taken as empty")
            return
        with self.path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in reader:
                yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}

    def bad(self, line: int, why: str) -> None:
        self.ref.warnings.append(f"{self.path.name}:{line}: {why}; row skipped")


def load(folder: Path | str) -> Reference:
    """Read a reference folder; raise only when the folder itself is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"reference data folder not found: {folder}")
    ref = Reference(source=str(folder))

    rows = _Rows(folder / "divisions.csv", ref)
    for line, r in rows:
        if not (r.get("code", "").isdigit() and len(r["code"]) == 6 and r.get("name")):
            rows.bad(line, "code must be 6 digits and name non-empty")
            continue
        ref.divisions[r["code"]] = Division(r["code"], r["name"], r.get("parent", ""))

    rows = _Rows(folder / "addresses.csv", ref)
    for line, r in rows:
        if not r.get("code") or not r.get("text") or r.get("negative", "0") not in ("0", "1", ""):
            rows.bad(line, "code and text required, negative 0 or 1")
            continue
        street, building, unit = r.get("street", ""), r.get("building", ""), r.get("unit", "")
        ref.addresses[r["code"]] = Address(
            r["code"], r.get("division", ""), r["text"], r.get("negative") == "1", street, building, unit,
            initials(street + building + unit) if (street or building) else initials(r["text"]))

    rows = _Rows(folder / "scopes.csv", ref)
    for line, r in rows:
        permit = (r.get("permit") or "none").lower()
        if not r.get("code") or not r.get("text") or permit not in PERMITS:
            rows.bad(line, "code and text required, permit none/pre/post")
            continue
        ref.scopes[r["code"]] = Scope(r["code"], r["text"], permit, r.get("category", ""),
                                      r.get("keywords", ""), initials(r["text"]))

    rows = _Rows(folder / "entities.csv", ref)
    for line, r in rows:
        if not (r.get("uscc") and r.get("trade_name")):
            rows.bad(line, "uscc and trade_name required")
            continue
        ref.entities.append(EntityRow(r["uscc"], r.get("name", ""), r.get("region", ""), r["trade_name"],
                                      r.get("industry", ""), r.get("legal_rep_id", "").upper(),
                                      r.get("address_code", "")))

    rows = _Rows(folder / "dishonest.csv", ref)
    for line, r in rows:
        if not r.get("id_number"):
            rows.bad(line, "id_number required")
            continue
        ref.dishonest[r["id_number"].upper()] = r.get("name", "")

    abnormal = folder / "abnormal.csv"  # optional: uscc (经营异常名录 / 严重违法失信名单)
    if abnormal.exists():
        for _line, r in _Rows(abnormal, ref):
            if r.get("uscc"):
                ref.abnormal.add(r["uscc"].strip().upper())

    words_path = folder / "prohibited_words.txt"
    if words_path.exists():
        words = (w.strip() for w in words_path.read_text(encoding="utf-8-sig").splitlines())
        ref.prohibited = tuple(dict.fromkeys(w for w in words if w and not w.startswith("#")))
    else:
        ref.warnings.append("prohibited_words.txt: missing, taken as empty")
    for w in ref.warnings:
        log.warning("reference data: %s", w)
    return ref

