"""GB 11643 citizen ID numbers: format, birth date and check character. Shared by kiosk and platform.

The kiosk checks the checksum and the date only: python-stdnum's check also rejects birthplace
codes it does not know, which refuses real people born in divisions renamed since its table.
"""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_FORMAT = re.compile(r"^\d{17}[\dX]$")


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def birth_date(id_number: str) -> date | None:
    """The birth date an 18-character number carries, or None when it is not a real date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return None


def problems(id_number: str | None, today: date | None = None) -> list[str]:
    """What is wrong with ``id_number`` (English, for logs and reasons); empty when valid."""
    if not isinstance(id_number, str):
        return ["missing"]
    s = id_number.strip().upper()
    if not _FORMAT.match(s):
        return ["format: 17 digits and a digit or X"]
    out = []
    born = birth_date(s)
    if born is None:
        out.append("birth date is not a date")
    elif born < date(1880, 1, 1) or born > (today or date.today()):
        out.append("birth date out of range")
    if check_char(s[:17]) != s[17]:
        out.append("check character does not match")
    return out


def is_valid(id_number: str | None, today: date | None = None) -> bool:
    return not problems(id_number, today)


def make_id(division: str, birth: date, seq: int) -> str:
    """A well-formed number for test people and sample data (``seq`` 0–999; odd = male)."""
    first17 = f"{division:0>6}"[:6] + birth.strftime("%Y%m%d") + f"{seq % 1000:03d}"
    return first17 + check_char(first17)
