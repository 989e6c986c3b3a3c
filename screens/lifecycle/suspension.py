"""歇业备案 (REG art. 30): from when, for how long (at most three years in all), why, and where legal documents
are served meanwhile; when the company is suspended: resume business now, or extend in the last 30 days."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from kiosk.journeys.lifecycle import SUSPENSION_MONTHS, add_months
from screens.lifecycle.common import LifeScreen
from service.contract import law

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SuspensionScreen(LifeScreen):
    starts = NumericProperty(0)  # days from today
    months = NumericProperty(0)
    cause = StringProperty("")
    where = StringProperty("")
    addresses = ListProperty([])
    suspended = BooleanProperty(False)
    extending = BooleanProperty(False)
    current = StringProperty("")  # the suspension in force, as shown
    until = StringProperty("")  # the end of what is being filed

    def loaded(self) -> None:
        j = self.life
        if j is None:
            return
        self.suspended = j.suspended
        now = (j.record or {}).get("suspension") or {}
        self.current = f"{now.get('from', '')} — {now.get('to', '')}" if now else ""
        self.addresses = j.address_choices()
        if not self.where and self.addresses:
            self.where = self.addresses[0]
        self.fill(self.ids.months, [str(m) for m in SUSPENSION_MONTHS], self.pick_months,
                  lambda v: int(v) == self.months, lambda v: self.app.tr("life.suspension.months", n=v))
        causes = [*law.SUSPENSION_CAUSES, self.app.tr("life.cause.other", "zh")]  # the law's words are sent
        labels = {c: self.app.tr(f"life.cause.{i}" if i < len(law.SUSPENSION_CAUSES) else "life.cause.other")
                  for i, c in enumerate(causes)}
        self.fill(self.ids.causes, causes, self.pick_cause, lambda v: v == self.cause, lambda v: labels[v])
        self.fill(self.ids.addresses, list(self.addresses), self.pick_where, lambda v: v == self.where, lambda v: v)
        self.update()

    def fill(self, box: Any, values: list[str], on_pick: Any, chosen: Any, label: Any) -> None:
        box.clear_widgets()
        for value in values:
            button = Factory.OptionButton(text=label(value))
            button.value = value
            button.selected = chosen(value)
            button.bind(on_release=lambda b, v=value: on_pick(v))
            box.add_widget(button)

    def _mark(self, box: Any, chosen: Any) -> None:
        for button in box.children:
            button.selected = chosen(button.value)

    def pick_months(self, value: str) -> None:
        self.months = int(value)
        self._mark(self.ids.months, lambda v: int(v) == self.months)
        self.update()

    def pick_cause(self, value: str) -> None:
        self.cause = value
        self._mark(self.ids.causes, lambda v: v == self.cause)

    def pick_where(self, value: str) -> None:
        self.where = value
        self._mark(self.ids.addresses, lambda v: v == self.where)

    def pick_start(self, days: int) -> None:
        self.starts = days
        self.update()

    def extend(self) -> None:
        self.extending = True
        self.update()

    def start_day(self) -> Any:
        j = self.life
        if j is None:
            return None
        now = (j.record or {}).get("suspension") or {}
        if self.extending and now.get("to"):
            from datetime import date

            return date.fromisoformat(str(now["to"])[:10])
        return j.today + timedelta(days=int(self.starts))

    def update(self) -> None:
        start = self.start_day()
        self.until = add_months(start, int(self.months)).isoformat() if start is not None and self.months else ""

    def resume(self) -> None:
        self.show(self.journey.resume(self.where))

    def submit(self) -> None:
        start = self.start_day()
        if start is None:
            return
        self.show(self.journey.set_suspension(start, int(self.months), self.cause, self.where))

    def reset(self) -> None:
        super().reset()
        self.starts, self.months, self.cause, self.where = 0, 0, "", ""
        self.addresses, self.suspended, self.extending, self.current, self.until = [], False, False, "", ""
