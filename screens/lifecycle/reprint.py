"""补打营业执照 at any kiosk of the city (全城通取): after the legal representative's identity steps, the
licence as the registry holds it now — 正本 (A3) and/or 副本 (A4) — on the document printer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from screens.lifecycle.common import LifeScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class CopiesScreen(LifeScreen):
    chosen = ListProperty(["duplicate"])
    summary = StringProperty("")

    def loaded(self) -> None:
        j = self.life
        if j is None or j.record is None:
            return
        r = j.record
        status = self.app.tr(f"life.status.{r.get('status', 'active')}")
        self.summary = self.app.tr("life.copies.company", name=r.get("name", ""), uscc=r.get("uscc", ""),
                                   status=status)

    def toggle(self, copy: str) -> None:
        self.chosen = [c for c in self.chosen if c != copy] if copy in self.chosen else [*self.chosen, copy]

    def print_now(self) -> None:
        j = self.life
        if j is None or self.busy:
            return
        problems = j.choose_copies(list(self.chosen))
        if problems:
            self.problems = problems
            return
        self.busy = self.app.tr("life.copies.printing")
        self.app.idle.paused = True
        run_async(self.app.services.reprint, j, on_done=self._printed, on_error=self._failed)

    def _printed(self, outcome: dict[str, Any]) -> None:
        self.app.idle.paused = False
        self.busy = ""
        self.app.record("licence_reprinted", ",".join(k for k, v in outcome.get("copies", {}).items() if v))
        self.journey.printed(outcome)
        self.app.show_journey()

    def _failed(self, exc: BaseException) -> None:
        self.app.idle.paused = False
        self.fail(exc)

    def reset(self) -> None:
        super().reset()
        self.chosen, self.summary = ["duplicate"], ""
