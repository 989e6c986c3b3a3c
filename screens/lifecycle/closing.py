"""注销: the one table first (企业退出"一张表": what each department still holds open, and who to see),
then the procedure — simplified only when the company qualifies, with the announcement period shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, StringProperty

from kiosk.journeys.lifecycle import DEREG_REASONS
from screens.lifecycle.common import LifeScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ClearanceScreen(LifeScreen):
    table = DictProperty({})
    clear = BooleanProperty(False)
    eligible = BooleanProperty(False)

    def loaded(self) -> None:
        j = self.life
        if j is None:
            return
        if j.clearance is not None:
            self.show_table(j.clearance)
            return
        self.busy = self.app.tr("life.clearance.asking")
        run_async(self.app.services.clearance, j.company["uscc"], on_done=self._answered, on_error=self.fail)

    def _answered(self, table: dict[str, Any]) -> None:
        self.busy = ""
        j = self.life
        if j is not None:
            j.clearance_loaded(table)
            self.show_table(table)

    def show_table(self, table: dict[str, Any]) -> None:
        self.table = table
        self.clear = not table.get("open_matters")
        self.eligible = bool(table.get("simplified_eligible"))
        box = self.ids.matters
        box.clear_widgets()
        rows = [(m.get("service", ""), m.get("what", ""), m.get("see", "")) for m in table.get("open_matters") or []]
        for service, what, see in rows or [("", self.app.tr("life.clearance.none"), "")]:
            row = Factory.MatterRow()
            row.service, row.what, row.see = service, what, see
            box.add_widget(row)

    def submit(self) -> None:
        j = self.life
        if j is not None and self.ready:
            self.show(j.clearance_seen())

    def reset(self) -> None:
        super().reset()
        self.table, self.clear, self.eligible = {}, False, False


class ProcedureScreen(LifeScreen):
    procedure = StringProperty("")
    reason = StringProperty("")
    preview = StringProperty("")
    allowed = BooleanProperty(False)
    why_not = StringProperty("")

    def loaded(self) -> None:
        j = self.life
        if j is None:
            return
        self.allowed = j.simplified_allowed
        self.why_not = "；".join((j.clearance or {}).get("why_not") or [])
        if not self.procedure:
            self.procedure = j.procedure or ("simplified" if self.allowed else "ordinary")
        self.reason = self.reason or j.reason or ""
        box = self.ids.reasons
        box.clear_widgets()
        for i, text in enumerate(DEREG_REASONS):  # the Chinese words are sent; the label speaks the language
            button = Factory.OptionButton(text=self.app.tr(f"life.reason.{i}"))
            button.value = text
            button.selected = text == self.reason
            button.bind(on_release=lambda b, t=text: self.pick_reason(t))
            box.add_widget(button)
        self.update()

    def pick(self, procedure: str) -> None:
        self.procedure = procedure
        self.update()

    def pick_reason(self, reason: str) -> None:
        self.reason = reason
        for button in self.ids.reasons.children:
            button.selected = button.value == reason

    def update(self) -> None:
        j = self.life
        if j is None or not self.procedure:
            self.preview = ""
            return
        a = j.announcement(self.procedure)
        lang = self.app.lang
        if a["public"]:
            self.preview = self.app.tr(f"life.procedure.{self.procedure}.preview", lang, days=a["days"],
                                       until=a["until"].isoformat(), effective=a["effective"].isoformat())
        elif a["days"]:
            self.preview = self.app.tr("life.procedure.individual.preview", lang, days=a["days"],
                                       effective=a["effective"].isoformat())
        else:
            self.preview = self.app.tr("life.announce.none", lang, effective=a["effective"].isoformat())

    def submit(self) -> None:
        self.show(self.journey.choose_procedure(self.procedure, self.reason))

    def reset(self) -> None:
        super().reset()
        self.procedure = self.reason = self.preview = self.why_not = ""
        self.allowed = False
