"""统一社会信用代码 (GB 32100-2015) with its embedded organisation code (GB 11714-1997).

Layout: registration authority (1) + entity kind (1) + division (6) + organisation code (9, whose
last character is its own GB 11714 check) + GB 32100 check character. New codes are drawn from a
serial number the database hands out once, so two approvals can never share a code.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# registration authority 9 (市场监督管理) + kind: 1 company, 2 individual business
KIND_PREFIX = {"llc": "91", "individual_business": "92"}


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """GB 11714's 9th character (digits and capital letters are valued 0–35)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid(code: object) -> bool:
    """Format, organisation-code check and USCC check all hold."""
    if not isinstance(code, str) or not _FORMAT.match(code):
        return False
    org = code[8:17]
    if all(c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in org[:8]) and org[8] != org_check_char(org[:8]):
        return False
    return code[17] == check_char(code[:17])


def make(division: str, serial: int, entity_type: str = "llc") -> str:
    """The code for the ``serial``-th approval: organisation code ``MA`` + 6 base-31 characters."""
    if not (isinstance(division, str) and len(division) == 6 and division.isdigit()):
        raise ValueError(f"division must be 6 digits, not {division!r}")
    if not 0 <= serial < 31 ** 6:
        raise ValueError("serial out of range")
    digits = []
    n = serial
    for _ in range(6):
        n, r = divmod(n, 31)
        digits.append(ALPHABET[r])
    body = "MA" + "".join(reversed(digits))
    first17 = KIND_PREFIX.get(entity_type, "91") + division + body + org_check_char(body)
    return first17 + check_char(first17)
