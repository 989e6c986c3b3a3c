"""What every step screen shares: the header with its place in the journey, problems shown on top, back/next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StepScreen(Screen):
    """Base of the journey's screens; ``step`` is the journey step it shows."""

    step = StringProperty("")
    problems = ListProperty([])  # Problem objects, shown as an error summary
    busy = StringProperty("")  # a wait message while work runs off the UI thread
    place = StringProperty("")  # "step 3 of 12", set by the app as the screen is shown

    @property
    def app(self) -> Any:
        return App.get_running_app()

    @property
    def journey(self) -> Any:
        return self.app.journey

    def position(self, lang: str) -> str:
        journey = getattr(self.app, "journey", None)
        if journey is None or not self.step:
            return ""
        steps = [s.value for s in journey.steps]
        if self.step not in steps:
            return ""
        return self.app.tr("step.position", lang, n=steps.index(self.step) + 1, total=len(steps) - 2)

    def show(self, problems: list[Any]) -> bool:
        """Show the journey's answer: problems stay here, otherwise move to where the journey went."""
        self.busy = ""
        self.problems = list(problems)
        if not problems:
            self.app.show_journey()
        return not problems

    def fail(self, exc: BaseException) -> None:
        """A device or the platform failed: say so here, with the way forward, and keep every answer."""
        from kiosk.journeys import Problem
        from kiosk.services import ServiceError

        self.busy = ""
        if isinstance(exc, ServiceError):
            self.problems = [Problem("service", exc.message("zh"), exc.message("en"))]
        else:
            self.problems = [Problem("service", self.app.tr("error.unexpected", "zh"),
                                     self.app.tr("error.unexpected", "en"))]

    def go_back(self) -> None:
        """One step back, every answer kept; on the journey's first step, back is the way home (asked
        first when something would be forgotten)."""
        self.problems = []
        before = self.journey.current
        self.journey.back()
        if self.journey.current is before and before is self.journey.steps[0]:
            self.app.ask_home()
            return
        self.app.show_journey(direction="right")

    def reset(self) -> None:
        self.problems = []
        self.busy = ""
