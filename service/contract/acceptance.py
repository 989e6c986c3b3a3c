"""受理编号 (acceptance numbers) and the public progress link that carries one.

An acceptance number is what a person reads off a receipt, types on a keypad and says on the
phone: 18 digits, ``YYMMDD`` (the day of the visit, China time) + the kiosk's 4-digit fleet number
+ 7 digits + a Damm check digit. The 7 digits are the kiosk's own counter of that day passed
through a keyed permutation (a Feistel network with cycle-walking, keyed by the kiosk's secret):
unique because the permutation is a bijection and the (day, kiosk, counter) triple is unique,
yet the next number cannot be guessed from one seen on a receipt. A kiosk assigns numbers
offline; fleet number 0000 is the platform's own, for documents that arrive without one.
"""

from __future__ import annotations

import hmac
import re
from datetime import date
from urllib.parse import urlsplit

DIGITS = 18
COUNTER_SPACE = 10 ** 7
PLATFORM_NUMBER = 0
PROGRESS_PATH = "/p/"

# Damm's quasigroup of order 10: detects every single-digit error and every adjacent transposition
_DAMM = ("0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
         "3674209581", "5869720134", "8945362017", "9438617205", "2581436790")
_NUMBER = re.compile(r"^\d{18}$")


def damm(digits: str) -> str:
    interim = 0
    for ch in digits:
        interim = int(_DAMM[interim][int(ch)])
    return str(interim)


def _permute(counter: int, key: bytes) -> int:
    """A keyed bijection on [0, 10**7): four Feistel rounds on 24 bits, walking the cycle back in range."""
    value = counter
    while True:
        left, right = value >> 12, value & 0xFFF
        for round_no in range(4):
            mac = hmac.new(key, bytes([round_no]) + right.to_bytes(2, "big"), "sha256").digest()
            left, right = right, left ^ (int.from_bytes(mac[:2], "big") & 0xFFF)
        value = (left << 12) | right
        if value < COUNTER_SPACE:
            return value


def make(day: date, fleet_number: int, counter: int, key: bytes) -> str:
    """The ``counter``-th number (0-based) a kiosk hands out on ``day``."""
    if not 0 <= fleet_number <= 9999:
        raise ValueError("a fleet number has 4 digits")
    if not 0 <= counter < COUNTER_SPACE:
        raise ValueError("counter out of range for one day")
    body = f"{day:%y%m%d}{fleet_number:04d}{_permute(counter, key):07d}"
    return body + damm(body)


def normalise(text: str | None) -> str:
    """Digits only: what a person typed with spaces or dashes, or read aloud in groups."""
    return re.sub(r"[\s\-]", "", text or "")


def is_valid(text: str | None) -> bool:
    s = normalise(text)
    return bool(_NUMBER.match(s)) and damm(s) == "0"


def grouped(number: str) -> str:
    """``261201 0001 1234567 8`` — the date, the kiosk, the rest, the check digit — for reading aloud."""
    s = normalise(number)
    return f"{s[:6]} {s[6:10]} {s[10:17]} {s[17:]}" if len(s) == DIGITS else s


def fleet_number_of(number: str) -> int:
    return int(normalise(number)[6:10])


def progress_link(public_url: str, number: str) -> str:
    """The public progress page a receipt's QR code opens."""
    return public_url.rstrip("/") + PROGRESS_PATH + normalise(number)


def from_progress_link(text: str) -> str | None:
    """The acceptance number a progress QR code carries (a link on any host, or the bare number)."""
    text = (text or "").strip()
    if is_valid(text):
        return normalise(text)
    try:
        path = urlsplit(text).path if "://" in text else ""
    except ValueError:
        return None
    if PROGRESS_PATH in path:
        tail = path.rsplit(PROGRESS_PATH, 1)[1].strip("/")
        return tail if is_valid(tail) else None
    return None
