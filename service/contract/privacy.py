"""Masking of personal data: the one shared function for ID numbers, names, phone numbers and addresses.

Logs, receipts and screens all mask through here, so a change of policy is made once.
The :class:`Redactor` also remembers the personal strings of the current session (names,
addresses read from cards) so that a log line mentioning them is masked even when the
caller forgot to; the session wipe makes it forget them.
"""

from __future__ import annotations

import re
import threading

# 18-character resident ID numbers (also foreign permanent 2023 cards starting with 9)
# and 15-character old ones; phone numbers of mainland mobile networks.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|(?<!\d)(\d{15})(?!\d)")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id(id_number: str | None) -> str:
    """``440102199001011234`` → ``4401**********1234``; short values are starred entirely."""
    if not id_number:
        return ""
    s = str(id_number)
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return ""
    s = str(phone)
    if len(s) < 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_name(name: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``; Latin names keep their first letter."""
    if not name:
        return ""
    s = str(name).strip()
    if not s:
        return ""
    return s[0] + "*" * (len(s) - 1)


# the end of an administrative division's name: what stays readable of an address
_DIVISION_END = re.compile(r"(?:自治区|特别行政区|省|自治州|地区|盟|市|自治县|自治旗|县|旗|区|街道|镇|乡)")


def mask_address(address: str | None) -> str:
    """``广东省阳江市江城区东风二路88号华润大厦1201室`` → ``广东省阳江市江城区****``: the divisions stay (the
    citizen recognises their address, a stranger finding the paper cannot go there); the street, number and
    room go. An address with no division named keeps its first two characters."""
    if not address:
        return ""
    s = str(address).strip()
    keep = 0
    for m in _DIVISION_END.finditer(s):
        if m.end() >= len(s):
            break
        keep = m.end()
    if keep == 0:
        keep = min(2, max(len(s) - 1, 0))
    return s[:keep] + "****"


def mask(value: str | None, kind: str) -> str:
    """Mask ``value`` as ``kind`` (``id``, ``phone``, ``name``, ``address`` or ``text``)."""
    if kind == "id":
        return mask_id(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "name":
        return mask_name(value)
    if kind == "address":
        return mask_address(value)
    if kind == "text":
        return mask_text(value or "")
    raise ValueError(f"unknown mask kind {kind!r}")


class Redactor:
    """Remembers the current session's personal strings and masks them in free text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}

    def remember(self, value: str | None, kind: str = "name") -> None:
        if not value or len(value.strip()) < 2:
            return
        with self._lock:
            self._known[value.strip()] = mask(value.strip(), kind if kind != "text" else "name")

    def forget_all(self) -> None:
        with self._lock:
            self._known.clear()

    def __len__(self) -> int:
        return len(self._known)

    def mask_text(self, text: str) -> str:
        """Mask every ID number, phone number and remembered personal string in ``text``."""
        text = _ID_RE.sub(_mask_id_match, text)
        text = _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
        with self._lock:
            known = sorted(self._known.items(), key=lambda kv: -len(kv[0]))
        for value, masked in known:
            if value in text:
                text = text.replace(value, masked)
        return text


def _mask_id_match(m: re.Match[str]) -> str:
    return mask_id(m.group(0))


REDACTOR = Redactor()


def mask_text(text: str) -> str:
    """Mask personal data anywhere in ``text`` (the process-wide redactor)."""
    return REDACTOR.mask_text(text)
