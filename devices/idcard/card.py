"""The card's 256-byte text block, both ways: parse (reader → :class:`IdCard`) and build (simulator).

The layout is detected from the card itself: the UCS-2 character at byte 248 is a space for the
resident ID card, ``I`` for the 2017 foreign permanent resident card, ``Y`` for the 2023 one and
``J`` for the Hong Kong/Macao/Taiwan residence permit. Offsets are in bytes (2 per character).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from devices.base import Reading
from devices.idcard.errors import CardUnreadable

TEXT_LEN = 256
PHOTO_LEN = 1024
LONG_TERM = "长期"

CARD_TYPES = {" ": "resident", "I": "foreign_permanent", "Y": "foreign_permanent", "J": "gat_residence"}

# GB 3304 codes as the card stores them; the card face prints the name without 族.
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌",
    "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春", "53": "赫哲",
    "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统",
}
NATION_CODES: dict[str, str] = {v: k for k, v in NATIONS.items()}
SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
SEX_CODES = {v: k for k, v in SEXES.items()}

# (field, byte offset, byte length) per layout
LAYOUTS: dict[str, list[tuple[str, int, int]]] = {
    "resident": [("name", 0, 30), ("sex", 30, 2), ("nation", 32, 4), ("birth", 36, 16), ("address", 52, 70),
                 ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16),
                 ("valid_to", 204, 16), ("reserved", 220, 28), ("type", 248, 2), ("tail", 250, 6)],
    "I": [("name_en", 0, 120), ("sex", 120, 2), ("id_number", 122, 30), ("nationality", 152, 6),
          ("name", 158, 30),
          ("valid_from", 188, 16), ("valid_to", 204, 16), ("birth", 220, 16), ("card_version", 236, 4),
          ("authority", 240, 8), ("type", 248, 2), ("tail", 250, 6)],
    "Y": [("name", 0, 30), ("sex", 30, 2), ("renewal_count", 32, 4), ("birth", 36, 16), ("name_en", 52, 70),
          ("id_number", 122, 36), ("reserved", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16),
          ("name_en2", 220, 22), ("nationality", 242, 6), ("type", 248, 2), ("old_card_link", 250, 6)],
    "J": [("name", 0, 30), ("sex", 30, 2), ("nation", 32, 4), ("birth", 36, 16), ("address", 52, 70),
          ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16),
          ("pass_number", 220, 18), ("issue_count", 238, 4), ("reserved", 242, 6), ("type", 248, 2),
          ("tail", 250, 6)],
}
LAYOUT_CHAR = {"resident": " ", "I": "I", "Y": "Y", "J": "J"}


@dataclass(frozen=True, repr=False)
class IdCard(Reading):
    """One card as read. ``valid_to`` is a date or the string ``"长期"``; photo is the raw 1024-byte WLT."""

    card_type: str  # resident, foreign_permanent or gat_residence
    name: str
    sex: str  # 男, 女, 未知 or 未说明
    birth: date
    id_number: str
    valid_from: date
    valid_to: date | str
    nation: str | None = None  # resident only: 汉, 壮 … (code kept when unknown)
    address: str | None = None
    authority: str | None = None
    photo: bytes = b""
    fingerprint: bytes | None = None
    name_en: str | None = None
    nationality: str | None = None  # ISO 3166 alpha-3 as on the card
    pass_number: str | None = None
    issue_count: int | None = None
    layout: str = "resident"  # resident, I (2017), Y (2023), J
    card_version: str | None = None  # I only
    renewal_count: int | None = None  # Y only
    old_card_link: str | None = None  # Y only

    # -- views ----------------------------------------------------------------------------------
    def is_expired(self, on: date | None = None) -> bool:
        """True when the card's validity ended before ``on`` (today by default); 长期 never ends."""
        if self.valid_to == LONG_TERM or not isinstance(self.valid_to, date):
            return False
        return self.valid_to < (on or date.today())

    def age_on(self, on: date | None = None) -> int:
        on = on or date.today()
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))

    def to_json_dict(self) -> dict[str, Any]:
        """The ``yzt idcard read --json`` document (CONTRACT.md); fields the card lacks are null."""
        return {
            "card_type": self.card_type,
            "name": self.name,
            "sex": self.sex,
            "nation": self.nation,
            "birth": self.birth.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to if isinstance(self.valid_to, str) else self.valid_to.isoformat(),
            "photo_bytes": len(self.photo),
            "name_en": self.name_en,
            "nationality": self.nationality,
            "pass_number": self.pass_number,
            "issue_count": self.issue_count,
        }

    def stamped(self, source: str, at: float | None = None) -> IdCard:
        return replace(self, source=source, at=time.time() if at is None else at)

    def __repr__(self) -> str:
        from service.contract.privacy import mask_id, mask_name

        valid_to = self.valid_to if isinstance(self.valid_to, str) else self.valid_to.isoformat()
        return (f"IdCard({self.card_type}/{self.layout}, name={mask_name(self.name)!r}, "
                f"id_number={mask_id(self.id_number)!r}, valid_to={valid_to}, photo={len(self.photo)} bytes)")

    __str__ = __repr__


# -- parsing --------------------------------------------------------------------------------------
def layout_of(text: bytes) -> str:
    """The layout named by the character at byte 248."""
    if len(text) != TEXT_LEN:
        raise CardUnreadable(f"text block is {len(text)} bytes, not {TEXT_LEN}")
    ch = _field(text, 248, 2, strip=False)
    if ch in (" ", "\x00"):
        return "resident"
    if ch in ("I", "Y", "J"):
        return ch
    raise CardUnreadable(f"unknown card type character {ch!r} at byte 248", "无法识别的证件类型。")


def parse_text(text: bytes, photo: bytes = b"", fingerprint: bytes | None = None, source: str = "idcard",
               at: float | None = None) -> IdCard:
    """The typed card from its text block (raises :class:`CardUnreadable` on a malformed block)."""
    layout = layout_of(text)
    raw = {name: _field(text, off, n) for name, off, n in LAYOUTS[layout]}
    if layout == "Y":
        full = _field(text, 52, 70, strip=False) + _field(text, 220, 22, strip=False)
        raw["name_en"] = full.strip(" \x00")
    if layout in ("I", "Y") and not raw["name"]:
        raw["name"] = raw["name_en"]  # not every foreigner has a Chinese name on the card
    common: dict[str, Any] = {
        "source": source, "at": time.time() if at is None else at, "card_type": CARD_TYPES[LAYOUT_CHAR[layout]],
        "name": raw["name"], "sex": SEXES.get(raw["sex"], raw["sex"] or "未知"), "birth": _date(raw["birth"], "birth"),
        "id_number": raw["id_number"].upper(), "valid_from": _date(raw["valid_from"], "valid_from"),
        "valid_to": raw["valid_to"] if raw["valid_to"] == LONG_TERM else _date(raw["valid_to"], "valid_to"),
        "photo": bytes(photo), "fingerprint": bytes(fingerprint) if fingerprint else None, "layout": layout}
    if not common["name"] or not common["id_number"]:
        raise CardUnreadable("text block has no name or no number")
    if layout == "resident":
        return IdCard(**common, nation=NATIONS.get(raw["nation"], raw["nation"] or None),
                      address=raw["address"] or None, authority=raw["authority"] or None)
    if layout == "J":
        return IdCard(**common, address=raw["address"] or None, authority=raw["authority"] or None,
                      pass_number=raw["pass_number"] or None, issue_count=_int(raw["issue_count"]))
    if layout == "I":
        return IdCard(**common, name_en=raw["name_en"] or None, nationality=raw["nationality"] or None,
                      authority=raw["authority"] or None, card_version=raw["card_version"] or None)
    return IdCard(**common, name_en=raw["name_en"] or None, nationality=raw["nationality"] or None,
                  renewal_count=_int(raw["renewal_count"]), old_card_link=raw["old_card_link"] or None)


def _field(text: bytes, offset: int, length: int, strip: bool = True) -> str:
    try:
        value = text[offset:offset + length].decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardUnreadable(f"bytes {offset}..{offset + length} are not UCS-2 text") from None
    return value.strip(" \x00") if strip else value


def _date(value: str, what: str) -> date:
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CardUnreadable(f"{what} is not a YYYYMMDD date") from None


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


# -- building (the simulator's side) -------------------------------------------------------------
def build_text(card: IdCard) -> bytes:
    """The 256-byte text block that :func:`parse_text` turns back into ``card``."""
    layout = card.layout if card.layout in LAYOUTS else "resident"
    values = _values(card, layout)
    out = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, off, n in LAYOUTS[layout]:
        value = values.get(name, "")
        encoded = value.encode("utf-16-le")
        if len(encoded) > n:
            raise ValueError(f"{name} {value!r} does not fit in {n // 2} characters")
        out[off:off + len(encoded)] = encoded
    return bytes(out)


def _values(card: IdCard, layout: str) -> dict[str, str]:
    valid_to = card.valid_to if isinstance(card.valid_to, str) else card.valid_to.strftime("%Y%m%d")
    v = {"name": card.name, "sex": SEX_CODES.get(card.sex, card.sex), "birth": card.birth.strftime("%Y%m%d"),
         "id_number": card.id_number, "valid_from": card.valid_from.strftime("%Y%m%d"), "valid_to": valid_to,
         "authority": card.authority or "", "address": card.address or "", "type": LAYOUT_CHAR[layout]}
    if layout == "resident":
        v["nation"] = NATION_CODES.get(card.nation or "", card.nation or "")
    elif layout == "J":
        v["pass_number"] = card.pass_number or ""
        v["issue_count"] = f"{card.issue_count:02d}" if card.issue_count is not None else ""
    elif layout == "I":
        v.update(name_en=card.name_en or "", nationality=card.nationality or "",
                 card_version=card.card_version or "")
    elif layout == "Y":
        en = card.name_en or ""
        if len(en) > 46:
            raise ValueError("English name longer than 46 characters")
        v.update(name_en=en[:35], name_en2=en[35:], nationality=card.nationality or "",
                 renewal_count=f"{card.renewal_count:02d}" if card.renewal_count is not None else "",
                 old_card_link=card.old_card_link or "")
    return v


def field_names() -> list[str]:
    return [f.name for f in fields(IdCard)]


def decode_address(data: bytes) -> str | None:
    """The appended-address answer (70 bytes UCS-2) as text, or None when blank."""
    try:
        text = data.decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError:
        raise CardUnreadable("appended address is not UCS-2 text") from None
    return text or None


def encode_address(text: str) -> bytes:
    encoded = text.encode("utf-16-le")
    if len(encoded) > 70:
        raise ValueError("appended address longer than 35 characters")
    return encoded + " ".encode("utf-16-le") * ((70 - len(encoded)) // 2)
