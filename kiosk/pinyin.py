"""The pinyin input method behind the on-screen keyboard: letters in, ranked Chinese words out.

Data: jieba's frequency dictionary with pypinyin's readings, shipped as
``assets/pinyin/lexicon.tsv.gz`` (see :mod:`kiosk.pinyin_build`). Index: words grouped by the
first letters of their syllables ("北京" under ``bj``), each group sorted by frequency. A query
splits the typed letters into tokens — whole syllables, bare initials (``b``, ``zh``) and, last of
all, any beginning of a syllable (``jin`` for jing) — and for every split looks up the group of its
first letters, keeping the words whose syllables begin with the tokens. So full pinyin
("beijing"), initials ("bj"), a mix ("beij") and an unfinished syllable all find 北京. Words that
cover all the letters come first; then the longest words for a beginning of them (``consumed``
says how many letters), so a long name is picked word by word.
"""

from __future__ import annotations

import gzip
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from kiosk.pinyin_build import LEXICON

MAX_TOKENS = 6  # the longest word in the lexicon has six characters
MAX_SPLITS = 4000  # a bound on the work one keystroke may cause (garbage input, very long input)
MAX_LETTERS = 40
PHRASE_WEIGHT = 4  # per extra character, against single characters of the same reading


@dataclass(frozen=True)
class Candidate:
    text: str
    pinyin: str  # syllables joined by "'", e.g. "bei'jing"
    consumed: int  # letters of the input this candidate covers


class PinyinEngine:
    _default: "PinyinEngine | None" = None
    _lock = threading.Lock()

    def __init__(self, rows: list[tuple[str, str, int]]) -> None:
        self.groups: dict[str, list[tuple[str, tuple[str, ...], int]]] = defaultdict(list)
        syllables: set[str] = set()
        for word, reading, freq in rows:
            syls = tuple(reading.split("'"))
            syllables.update(syls)
            self.groups["".join(s[0] for s in syls)].append((word, syls, freq))
        for group in self.groups.values():
            group.sort(key=lambda item: -item[2])
        self.syllables = frozenset(syllables)
        self.prefixes = frozenset(s[:i] for s in syllables for i in range(1, len(s) + 1))
        # bare initials: beginnings that are not syllables themselves and carry no vowel yet
        self.initials = frozenset(p for p in self.prefixes if p not in self.syllables and not set(p) & set("aeiouv"))

    @classmethod
    def load(cls, path=LEXICON) -> "PinyinEngine":
        rows = []
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                word, reading, freq = line.rstrip("\n").split("\t")
                rows.append((word, reading, int(freq)))
        return cls(rows)

    @classmethod
    def default(cls) -> "PinyinEngine":
        """The shared engine, loaded once on first use (from any thread)."""
        with cls._lock:
            if cls._default is None:
                cls._default = cls.load()
            return cls._default

    # -- splitting the letters -------------------------------------------------------------
    def _tokens_at(self, letters: str, i: int, end: int) -> list[str]:
        """Tokens that may start at ``i``: syllables, bare initials, and before ``end`` an unfinished syllable."""
        out = []
        for j in range(min(end, i + 6), i, -1):
            piece = letters[i:j]
            if piece in self.syllables or piece in self.initials or (j == end and piece in self.prefixes):
                out.append(piece)
        return out

    def _splits(self, letters: str) -> list[tuple[tuple[str, ...], int]]:
        """Token sequences covering a beginning of ``letters``: (tokens, letters covered).
        An explicit "'" ends a syllable."""
        parts = letters.split("'")
        text = "".join(parts)
        bounds = set()
        pos = 0
        for part in parts[:-1]:
            pos += len(part)
            bounds.add(pos)
        out: list[tuple[tuple[str, ...], int]] = []
        stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
        while stack and len(out) < MAX_SPLITS:
            i, tokens = stack.pop()
            if len(tokens) >= MAX_TOKENS:
                continue
            end = min((b for b in bounds if b > i), default=len(text))
            for token in self._tokens_at(text, i, end):
                j = i + len(token)
                new = (*tokens, token)
                out.append((new, self._covered(letters, j)))
                if j < len(text):
                    stack.append((j, new))
        return out

    @staticmethod
    def _covered(letters: str, n: int) -> int:
        """Input characters (with any "'" separators) that hold the first ``n`` letters."""
        seen = 0
        for k, ch in enumerate(letters):
            if seen == n:
                return k
            if ch != "'":
                seen += 1
        return len(letters)

    # -- what the keyboard calls -----------------------------------------------------------
    def candidates(self, letters: str, limit: int = 40) -> list[Candidate]:
        letters = _clean(letters)
        if not letters.replace("'", ""):
            return []
        scored: dict[str, tuple[tuple, Candidate]] = {}
        total = len(letters)
        for tokens, consumed in self._splits(letters):
            group = self.groups.get("".join(t[0] for t in tokens))
            if not group:
                continue
            n = len(tokens)
            whole = consumed == total
            taken = 0
            for word, syls, freq in group:
                if len(syls) != n or not all(s.startswith(t) for s, t in zip(syls, tokens)):
                    continue
                exact = all(s == t for s, t in zip(syls, tokens))
                if not whole and not exact:
                    continue  # a word for a beginning of the input must be spelled out in full
                # whole input first, then longer beginnings; then spelled out in full; then frequency,
                # a phrase weighing more than a single character (西安 before the rarer xian characters)
                key = (whole, consumed, exact, freq * PHRASE_WEIGHT ** (n - 1))
                known = scored.get(word)
                if known is None or key > known[0]:
                    scored[word] = (key, Candidate(word, "'".join(syls), consumed))
                taken += 1
                if taken >= limit:
                    break
        ranked = sorted(scored.values(), key=lambda kv: kv[0], reverse=True)
        return [c for _, c in ranked[:limit]]

    def segment(self, letters: str) -> list[str]:
        """How the letters read as syllables, for display ("beijing" → bei, jing; "beij" → bei, j)."""
        letters = _clean(letters)
        out: list[str] = []
        for part in letters.split("'"):
            out.extend(self._segment_part(part))
        return [p for p in out if p]

    def _segment_part(self, part: str) -> list[str]:
        best = _best_segmentation(part, self.syllables, self.prefixes, self.initials)
        return list(best) if best is not None else list(part)


@lru_cache(maxsize=2048)
def _best_segmentation(part: str, syllables: frozenset, prefixes: frozenset,
                       initials: frozenset) -> tuple[str, ...] | None:
    """Fewest pieces, every piece a syllable except possibly the last (a beginning of one)."""
    if not part:
        return ()
    best: tuple[str, ...] | None = None
    for j in range(min(len(part), 6), 0, -1):
        piece = part[:j]
        last = j == len(part)
        if piece in syllables or piece in initials or (last and piece in prefixes):
            rest = _best_segmentation(part[j:], syllables, prefixes, initials)
            if rest is not None and (best is None or len(rest) + 1 < len(best)):
                best = (piece, *rest)
    return best


def _clean(letters: str) -> str:
    """Lowercase a–z and "'" only, at most MAX_LETTERS; anything else is dropped."""
    out = [ch for ch in str(letters).lower() if "a" <= ch <= "z" or ch == "'"]
    return "".join(out)[:MAX_LETTERS].strip("'")
