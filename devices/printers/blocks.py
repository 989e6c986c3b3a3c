"""Receipts as device-neutral blocks: what to print, not how a given printer prints it.

The ESC/POS driver turns these into bytes (GB18030 text, native QR, cut); a test or a screen can
read them as plain data. ``Receipt.to_dict``/``from_dict`` round-trip through JSON so a kept job
can be stored and reprinted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Title:
    """A heading: bold, double width and height on a receipt printer."""

    text: str
    align: Align = "center"
    size: int = 2  # 1..8, width = height multiplier


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    align: Align = "left"
    size: int = 1


@dataclass(frozen=True)
class KeyValue:
    """``key：value``; long values wrap under themselves."""

    key: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A full-width separator line."""

    char: str = "-"


@dataclass(frozen=True)
class QR:
    """A QR code printed by the printer itself (native command), with an optional caption under it."""

    data: str
    caption: str = ""
    module: int = 6  # dots per module (1..16)
    ec: Literal["L", "M", "Q", "H"] = "M"
    align: Align = "center"


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = False


Block = Title | Text | KeyValue | Rule | QR | Feed | Cut
BLOCK_TYPES: dict[str, type] = {cls.__name__: cls for cls in (Title, Text, KeyValue, Rule, QR, Feed, Cut)}


@dataclass(frozen=True)
class Receipt:
    """One receipt: its kind, the application it belongs to, and its blocks in order."""

    kind: str  # acceptance, result, linked_items, progress, sample, self_test
    application_id: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    @property
    def cuts(self) -> int:
        return sum(isinstance(b, Cut) for b in self.blocks)

    @property
    def qr_payloads(self) -> list[str]:
        return [b.data for b in self.blocks if isinstance(b, QR)]

    def plain_text(self) -> str:
        """The receipt's words, one block a line (for logs of what was printed, tests and screens)."""
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, (Title, Text)):
                lines.append(b.text)
            elif isinstance(b, KeyValue):
                lines.append(f"{b.key}：{b.value}")
            elif isinstance(b, QR) and b.caption:
                lines.append(b.caption)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "application_id": self.application_id, "title": self.title,
                "blocks": [{"type": type(b).__name__, **asdict(b)} for b in self.blocks]}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Receipt:
        blocks = []
        for item in doc.get("blocks", []):
            item = dict(item)
            kind = item.pop("type")
            try:
                blocks.append(BLOCK_TYPES[kind](**item))
            except KeyError:
                raise ValueError(f"unknown receipt block type {kind!r}") from None
        return cls(kind=doc["kind"], application_id=doc["application_id"], title=doc["title"],
                   blocks=tuple(blocks))
