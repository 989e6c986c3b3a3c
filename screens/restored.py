"""Welcome back: a citizen whose earlier visit a crash interrupted is recognised by their card.

Shown when the card just read matches a visit the journal kept unfinished (:meth:`kiosk.services.KioskServices.recognise`):
the same application is taken up again — where they were, at submission (its decision asked for or
already known), and whatever did not print is printed. A decided visit can also be printed again whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class RestoredScreen(Screen):
    state = StringProperty("")  # answering, submitted, decided
    verdict = StringProperty("")
    number = StringProperty("")
    printed_all = BooleanProperty(False)
    key = StringProperty("restored.answering")  # the body's message

    visit: Any = None

    def offer(self, visit: Any, printed_all: bool) -> None:
        self.visit = visit
        self.state, self.verdict = visit.state, visit.verdict or ""
        self.number = visit.acceptance_no or ""
        self.printed_all = printed_all
        if self.state == "decided" and self.verdict in ("approved", "manual_review", "rejected"):
            self.key = f"restored.decided_{self.verdict}"
        else:
            self.key = "restored.submitted" if self.state in ("submitted", "decided") else "restored.answering"

    def carry_on(self, reprint_all: bool = False) -> None:
        App.get_running_app().resume_visit(self.visit, reprint_all=reprint_all)

    def reset(self) -> None:
        self.visit = None
        self.state = self.verdict = self.number = ""
        self.printed_all = False
        self.key = "restored.answering"
