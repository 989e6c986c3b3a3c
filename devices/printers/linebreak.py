"""Chinese line breaking for receipts (columns) and the licence (points): one set of rules.

Greedy, character by character, with the usual 禁则 (kinsoku): closing punctuation never starts a
line — it hangs in the margin, however many come in a row (reportlab hangs only one); an opening
bracket or quote never ends a line; a Latin word or number is not split when it can move whole.
"""

from __future__ import annotations

from collections.abc import Callable

NO_LINE_START = "，。、；：？！）》〉」』】〕］｝”’…—～·％‰℃,.;:?!)]}"
NO_LINE_END = "（《〈「『【〔［｛“‘([{"


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-_./@%")


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (plus hanging punctuation); ``\\n`` is kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for ch in paragraph:
            w = measure(ch)
            if used + w <= width or not line or ch in NO_LINE_START:
                line.append(ch)
                used += w
                continue
            if ch == " ":  # a space at the break disappears
                lines.append("".join(line).rstrip(" "))
                line, used = [], 0.0
                continue
            carry: list[str] = []
            if _latin(ch):  # take the word's start along to the next line
                k = len(line)
                while k > 0 and _latin(line[k - 1]):
                    k -= 1
                if k > 0:
                    carry = line[k:]
                    line = line[:k]
            while line and line[-1] in NO_LINE_END and len(line) > 1:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip(" "))
            line = carry + [ch]
            used = sum(measure(c) for c in line)
        lines.append("".join(line).rstrip(" "))
    return lines
