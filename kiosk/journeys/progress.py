"""Progress query (办件进度查询): find applications by the receipt's QR code, the acceptance number typed
on the keypad, or the person's ID card (then choose one of their applications); show every item's
state with its expected time, and reprint a receipt. Plain Python; the screen only shows it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from kiosk.journeys.problems import Problem


class Stage(str, Enum):
    CHOOSE = "choose"  # scan the receipt, type its number, or read a card
    SCAN = "scan"
    NUMBER = "number"
    CARD = "card"
    LIST = "list"  # a person's applications, to choose one
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
        self.stage = {"scan": Stage.SCAN, "number": Stage.NUMBER}.get(how, Stage.CARD)

    def typed(self, digits: str) -> str | None:
        """The acceptance number typed on the keypad, or None with a problem (the check digit catches a slip)."""
        from service.contract import acceptance

        number = acceptance.normalise(digits)
        if len(number) != acceptance.DIGITS:
            self.problems = [Problem("acceptance_no", f"受理编号为18位数字，您输入了{len(number)}位。",
                                     f"The acceptance number has 18 digits; you typed {len(number)}.")]
            return None
        if not acceptance.is_valid(number):
            self.problems = [Problem("acceptance_no", "受理编号有误，请对照回执逐位核对。",
                                     "That number does not check out; compare it digit by digit with the receipt.")]
            return None
        self.problems = []
        return number

    def scanned(self, text: str) -> str | None:
        """The acceptance number a scanned receipt code names, or None with a problem to show."""
        from devices.qr.payload import parse

        payload = parse(text)
        app_id = getattr(payload, "acceptance_no", None)
        if payload.kind != "progress" or not app_id:
            self.problems = [Problem("query", payload.message_zh if not payload.ok else
                                     "这是电子营业执照，请扫描办件回执上的二维码。",
                                     payload.message_en if not payload.ok else
                                     "That is an e-licence; scan the receipt's QR code.")]
            return None
        self.problems = []
        return str(app_id)

    def found(self, results: list[dict[str, Any]] | dict[str, Any] | None) -> list[Problem]:
        """The platform's answer: one application (by code or number) or a person's list (by card): one
        is shown at once, several are listed to choose from."""
        results = [results] if isinstance(results, dict) else list(results or [])
        if not results:
            self.problems = [NOT_FOUND]
            return self.problems
        self.results, self.selected, self.problems = results, 0, []
        self.stage = Stage.RESULTS if len(results) == 1 else Stage.LIST
        return []

    def pick(self, index: int) -> None:
        """One of a person's applications, chosen from the list."""
        if 0 <= index < len(self.results):
            self.selected = index
            self.stage = Stage.RESULTS

    def back(self) -> None:
        self.problems = []
        if self.stage is Stage.RESULTS and len(self.results) > 1:
            self.stage = Stage.LIST
            return
        self.stage = Stage.CHOOSE
        self.results = []

    @property
    def current(self) -> dict[str, Any] | None:
        return self.results[self.selected] if self.results else None
