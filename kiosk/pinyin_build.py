"""Build ``assets/pinyin/lexicon.tsv.gz`` from jieba's frequency dictionary and pypinyin.

``python -m kiosk.pinyin_build [--top N] [--dict FILE] [--out FILE]``. Each jieba word (Chinese
characters only, at most 6) gets pypinyin's phrase-aware reading (tones dropped, ü written ``v``);
words from ``assets/pinyin/boost.tsv`` are added or raised to the frequency given there. The
``top`` most frequent words are kept, plus every single character. Converting 350 000 words takes
pypinyin about 15 s, which is why the result is shipped rather than built at start.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
from pathlib import Path

import assets

LEXICON = assets.path("pinyin", "lexicon.tsv.gz")
BOOST = assets.path("pinyin", "boost.tsv")
_HAN = re.compile(r"^[\u4e00-\u9fff]{1,6}$")
_READING = re.compile(r"^[a-z]+$")


def jieba_dict() -> Path:
    import jieba

    return Path(os.path.dirname(jieba.__file__)) / "dict.txt"


def read_boost(path: Path = BOOST) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, freq = line.split("\t")[:2]
            out[word.strip()] = int(freq)
    return out


def build(dict_path: Path, out_path: Path, top: int = 150_000, boost: dict[str, int] | None = None) -> int:
    """Write the lexicon; returns the number of entries."""
    from pypinyin import Style, lazy_pinyin

    freqs: dict[str, int] = {}
    with open(dict_path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and _HAN.match(parts[0]) and parts[1].isdigit():
                freqs[parts[0]] = max(freqs.get(parts[0], 0), int(parts[1]))
    for word, freq in (boost or {}).items():
        if _HAN.match(word):
            freqs[word] = max(freqs.get(word, 0), freq)
    ranked = sorted(freqs.items(), key=lambda kv: (-kv[1], kv[0]))
    kept = [(w, f) for i, (w, f) in enumerate(ranked) if i < top or len(w) == 1]
    rows = []
    for word, freq in kept:
        syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
        if len(syllables) == len(word) and all(_READING.match(s) for s in syllables):
            rows.append(f"{word}\t{chr(39).join(syllables)}\t{freq}\n")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write("".join(rows).encode("utf-8"))  # no name, no time in the header: same input, same bytes
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kiosk.pinyin_build", description=__doc__.splitlines()[0])
    p.add_argument("--top", type=int, default=150_000)
    p.add_argument("--dict", type=Path, default=None, help="jieba-format dictionary (default: jieba's own)")
    p.add_argument("--out", type=Path, default=LEXICON)
    args = p.parse_args(argv)
    n = build(args.dict or jieba_dict(), args.out, args.top, read_boost())
    print(f"{n} entries written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
