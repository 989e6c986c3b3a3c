"""Pinyin engine: latency per keystroke typing enterprise-name words letter by letter, load time, hit rates.

Each word of ``tests/pinyin_words.py`` is typed one letter at a time; every keystroke asks the engine
for the whole candidate list, as the keyboard does. Goal: ≤ 20 ms per keystroke at p99 on the
kiosk's class of machine. Baselines from the same run: pypinyin converting the same words (the
library the lexicon was made with, per word) and reading + unpacking the lexicon file alone.

``python bench/bench_pinyin.py [--quick]`` prints the rows; ``yzt bench --only pinyin`` the table.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, "") and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.pinyin import PinyinEngine  # noqa: E402
from kiosk.pinyin_build import LEXICON  # noqa: E402
from tests.pinyin_words import WORDS  # noqa: E402

GOAL_MS = 20.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(quick: bool = False) -> list[dict]:
    started = time.perf_counter()
    with gzip.open(LEXICON, "rt", encoding="utf-8") as fh:
        fh.read()
    unpack_s = time.perf_counter() - started
    started = time.perf_counter()
    engine = PinyinEngine.load()
    load_s = time.perf_counter() - started

    rounds = 1 if quick else 5
    per_key: list[float] = []
    for _ in range(rounds):
        for letters, _word in WORDS:
            for i in range(1, len(letters) + 1):
                t = time.perf_counter()
                engine.candidates(letters[:i])
                per_key.append((time.perf_counter() - t) * 1000)
    from pypinyin import Style, lazy_pinyin

    convert: list[float] = []
    for _ in range(rounds):
        for _letters, word in WORDS:
            t = time.perf_counter()
            lazy_pinyin(word, style=Style.NORMAL)
            convert.append((time.perf_counter() - t) * 1000)

    def hit(query: str, word: str) -> bool:
        return word in [c.text for c in engine.candidates(query)[:3]]

    full = sum(hit(letters, w) for letters, w in WORDS) / len(WORDS)
    initials = sum(hit("".join(s[0] for s in engine.segment(letters)), w) for letters, w in WORDS) / len(WORDS)
    p99 = _pct(per_key, 0.99)
    return [
        {"bench": "pinyin", "metric": f"per keystroke p99 ({len(per_key)} keystrokes)", "value": round(p99, 2),
         "unit": "ms", "baseline_metric": "pypinyin, one word to pinyin, p99",
         "baseline": round(_pct(convert, 0.99), 3), "goal": f"≤ {GOAL_MS:g} ms", "met": p99 <= GOAL_MS},
        {"bench": "pinyin", "metric": "per keystroke median", "value": round(statistics.median(per_key), 2),
         "unit": "ms", "baseline_metric": None, "baseline": None, "goal": None, "met": None},
        {"bench": "pinyin", "metric": "per keystroke max", "value": round(max(per_key), 2), "unit": "ms",
         "baseline_metric": None, "baseline": None, "goal": None, "met": None},
        {"bench": "pinyin", "metric": "load lexicon + build index", "value": round(load_s, 2), "unit": "s",
         "baseline_metric": "read + gunzip the file alone", "baseline": round(unpack_s, 2), "goal": "≤ 1.5 s",
         "met": load_s <= 1.5},
        {"bench": "pinyin", "metric": f"top-3 hit rate, full pinyin ({len(WORDS)} words)", "value": round(full * 100, 1),
         "unit": "%", "baseline_metric": None, "baseline": None, "goal": "≥ 90 %", "met": full >= 0.9},
        {"bench": "pinyin", "metric": "top-3 hit rate, initials only", "value": round(initials * 100, 1), "unit": "%",
         "baseline_metric": None, "baseline": None, "goal": None, "met": None},
    ]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(row)
