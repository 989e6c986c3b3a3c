"""Progress query (办件进度查询): find applications by the receipt's QR code or the person's ID card,
show every item's state, and reprint a receipt. Plain Python; the screen only shows it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from kiosk.journeys.problems import Problem


class Stage(str, Enum):
    CHOOSE = "choose"  # scan the receipt, or read a card
    SCAN = "scan"
    CARD = "card"
    RESULTS = "results"


NOT_FOUND = Problem("query", "没有找到相关申请。请核对回执，或到窗口咨询。",
                    "No application found. Check the receipt, or ask at a counter.")


class ProgressQuery:
    def __init__(self) -> None:
        self.stage = Stage.CHOOSE
        self.results: list[dict[str, Any]] = []
        self.problems: list[Problem] = []
        self.selected = 0

    def choose(self, how: str) -> None:
        self.problems = []
        self.stage = Stage.SCAN if how == "scan" else Stage.CARD

    def scanned(self, text: str) -> str | None:
        """The application id a scanned receipt code names, or None with a problem to show."""
        from devices.qr.payload import parse

        payload = parse(text)
        app_id = getattr(payload, "application_id", None)
        if payload.kind != "progress" or not app_id:
            self.problems = [Problem("query", payload.message_zh if not payload.ok else
                                     "这是电子营业执照，请扫描办件回执上的二维码。",
                                     payload.message_en if not payload.ok else
                                     "That is an e-licence; scan the receipt's QR code.")]
            return None
        self.problems = []
        return str(app_id)

    def found(self, results: list[dict[str, Any]] | dict[str, Any] | None) -> list[Problem]:
        """The platform's answer: one application (by code) or a person's list (by card)."""
        results = [results] if isinstance(results, dict) else list(results or [])
        if not results:
            self.problems = [NOT_FOUND]
            return self.problems
        self.results, self.selected, self.problems = results, 0, []
        self.stage = Stage.RESULTS
        return []

    def back(self) -> None:
        self.problems = []
        self.stage = Stage.CHOOSE
        self.results = []

    @property
    def current(self) -> dict[str, Any] | None:
        return self.results[self.selected] if self.results else None
