"""Amounts in Chinese capital numerals (大写金额), as printed on a licence: 1000000 → 壹佰万元整."""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


def _group(value: int) -> str:
    """0 < value < 10000, with inner zeros read once (1005 → 壹仟零伍)."""
    out, zero, started = "", False, False
    for pos in (3, 2, 1, 0):
        digit = value // 10 ** pos % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[pos]
        started = True
    return out


def cny_uppercase(amount: int) -> str:
    """Whole yuan in capital numerals with 元整; raises ``ValueError`` outside 0 ≤ amount < 10¹⁶."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be whole yuan, not {amount!r}")
    if not 0 <= amount < 10 ** 16:
        raise ValueError(f"amount {amount} out of range")
    if amount == 0:
        return "零元整"
    groups: list[int] = []
    while amount:
        groups.append(amount % 10000)
        amount //= 10000
    out, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _group(value) + GROUP_UNITS[index]
        gap = False
    return out + "元整"
