"""Identity document numbers: one rule for the kiosk's card check and the platform's approval rules.

Three kinds of card carry a number the registry accepts:

* ``resident_id`` — the resident identity card: GB 11643, 17 digits and a check character;
* ``foreign_permanent_resident_id`` — the foreign permanent resident ID card: the 2023 layout
  carries 18 digits beginning with 9 under the same GB 11643 check; the 2017 (and 2004) layout
  carries 15 characters, three letters of nationality and twelve digits;
* ``gat_residence_permit`` — the Hong Kong, Macao and Taiwan residents' residence permit:
  18 digits beginning with 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), GB 11643 check.

The checksum and the date are checked, not the birthplace code: python-stdnum's check also
rejects divisions it does not know, which refuses real people born in divisions renamed since.
"""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_FORMAT = re.compile(r"^\d{17}[\dX]$")
_FOREIGN_2017 = re.compile(r"^[A-Z]{3}\d{12}$")
_GAT_PREFIXES = {"810000": "hk", "820000": "mo", "830000": "tw"}

ID_TYPES = ("resident_id", "foreign_permanent_resident_id", "gat_residence_permit")
# the card reader's card types (CONTRACT.md `yzt idcard read --json`) to the application's id_type
ID_TYPE_OF_CARD = {"resident": "resident_id", "foreign_permanent": "foreign_permanent_resident_id",
                   "gat_residence": "gat_residence_permit"}


def normalise(id_number: str | None) -> str:
    """The number as the registry keys it: stripped, upper case."""
    return (id_number or "").strip().upper()


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def birth_date(id_number: str) -> date | None:
    """The birth date an 18-character number carries, or None when it is not a real date."""
    s = normalise(id_number)
    if len(s) != 18:
        return None
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def _gb11643_problems(s: str, today: date | None) -> list[str]:
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


def problems(id_number: str | None, today: date | None = None, id_type: str = "resident_id") -> list[str]:
    """What is wrong with ``id_number`` as a number of ``id_type`` (English, for logs); empty when valid."""
    if not isinstance(id_number, str) or not id_number.strip():
        return ["missing"]
    s = normalise(id_number)
    if id_type == "foreign_permanent_resident_id":
        if _FOREIGN_2017.match(s):
            return []  # the 2004/2017 layout: nationality letters + 12 digits
        if not s.startswith("9"):
            return ["a foreign permanent resident number is 3 letters + 12 digits, or 18 digits beginning with 9"]
        return _gb11643_problems(s, today)
    if id_type == "gat_residence_permit":
        if s[:6] not in _GAT_PREFIXES:
            return ["a residence permit number begins with 810000, 820000 or 830000"]
        return _gb11643_problems(s, today)
    if id_type != "resident_id":
        return [f"unknown id_type {id_type!r}"]
    return _gb11643_problems(s, today)


def is_valid(id_number: str | None, today: date | None = None, id_type: str = "resident_id") -> bool:
    return not problems(id_number, today, id_type)


def age_on(birth: date | None, today: date) -> int | None:
    """Whole years from ``birth`` to ``today``."""
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def region_of_permit(id_number: str) -> str | None:
    """``hk``, ``mo`` or ``tw`` for a Hong Kong/Macao/Taiwan residence permit number."""
    return _GAT_PREFIXES.get(normalise(id_number)[:6])


def make_id(division: str, birth: date, seq: int) -> str:
    """A well-formed number for test people and sample data (``seq`` 0–999; odd = male)."""
    first17 = f"{division:0>6}"[:6] + birth.strftime("%Y%m%d") + f"{seq % 1000:03d}"
    return first17 + check_char(first17)
