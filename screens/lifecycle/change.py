"""变更登记: what changes (only those steps follow, each the establishment's own screen, prefilled from the
registry), and the shareholders' step of a change: an equity transfer (股权转让), or the subscriptions of a
new capital."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, StringProperty

from kiosk.journeys.lifecycle import CHANGE_ITEMS, LLC_ONLY
from kiosk.journeys.registration import officer_lines
from screens.lifecycle.common import LifeScreen
from service.contract.privacy import mask_id
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ChangeWhatScreen(LifeScreen):
    chosen = ListProperty([])
    current = ListProperty([])  # (item, what the registry holds now)

    def loaded(self) -> None:
        j = self.life
        if j is None:
            return
        if not self.chosen and j.chosen:
            self.chosen = list(j.chosen)
        d = j.draft
        now = j.current_state
        shown = {
            "name": (now.get("name") or {}).get("full", ""),
            "address": (now.get("address") or {}).get("text", ""),
            "business_scope": "、".join(s.get("text", "") for s in now.get("business_scope") or []),
            "registered_capital_cny": f"{(now.get('registered_capital_cny') or 0) // 10_000} "
                                      f"{self.app.tr('capital.unit')}",
            "shareholders": "；".join(f"{s['name']} {s['subscribed_cny'] // 10_000}{self.app.tr('capital.unit')}"
                                     for s in now.get("shareholders") or []),
            "officers": "；".join(officer_lines(now.get("officers") or {}, self.app.lang)),
        }
        self.current = [(item, shown[item]) for item, _ in CHANGE_ITEMS
                        if d.entity_type == "llc" or item not in LLC_ONLY]
        self.build()

    def build(self) -> None:
        box = self.ids.item_rows
        box.clear_widgets()
        for item, value in self.current:
            row = Factory.ChangeItem()
            row.item, row.value = item, value
            row.ids.toggle.selected = item in self.chosen
            row.ids.toggle.bind(on_release=lambda b, i=item: self.toggle(i))
            box.add_widget(row)

    def on_chosen(self, *args: Any) -> None:
        for row in self.ids.item_rows.children:
            row.ids.toggle.selected = row.item in self.chosen

    def toggle(self, item: str) -> None:
        self.chosen = [i for i in self.chosen if i != item] if item in self.chosen else [*self.chosen, item]

    def submit(self) -> None:
        j = self.life
        if j is None or not self.ready:
            return
        problems = j.choose_changes(list(self.chosen))
        if not problems and "officers" in j.chosen:
            officers = self.manager.get_screen("officers")
            if not officers.roles:  # the registered officers, as they are: the citizen changes only what changes
                officers.roles = {k: v for k, v in j.current_roles().items() if v}
        self.show(problems)

    def reset(self) -> None:
        super().reset()
        self.chosen, self.current = [], []


class EquityScreen(LifeScreen):
    """The shareholders as registered; a transferor gives part of their subscription to a transferee, who
    reads their own card (a shareholder already, or a newcomer)."""

    rows = ListProperty([])
    giver = StringProperty("")  # the transferor's ID number
    share = NumericProperty(100)  # percent of the transferor's subscription
    waiting = StringProperty("")

    def loaded(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        j = self.life
        if j is None:
            return
        d = j.draft
        capital = d.capital_cny or 0
        self.rows = [(s["id_number"], f"{s['name']}  {mask_id(s['id_number'])}  {s['subscribed_cny'] // 10_000} "
                      f"{self.app.tr('capital.unit')}  ({round(100 * s['subscribed_cny'] / capital) if capital else 0}%)")
                     for s in d.shareholders]
        if self.giver not in [r[0] for r in self.rows]:
            self.giver = ""
        box = self.ids.holders
        box.clear_widgets()
        for id_number, text in self.rows:
            button = Factory.OptionButton(text=text)
            button.selected = id_number == self.giver
            button.bind(on_release=lambda b, i=id_number: self.choose(i))
            box.add_widget(button)

    def choose(self, id_number: str) -> None:
        self.giver = id_number
        self.refresh()

    def amount(self) -> int:
        j = self.life
        holder = next((s for s in (j.draft.shareholders if j else []) if s["id_number"] == self.giver), None)
        return holder["subscribed_cny"] * int(self.share) // 100 if holder else 0

    def read_transferee(self) -> None:
        from kiosk.journeys import Problem

        if not self.giver:
            self.problems = [Problem("shareholders", self.app.tr("life.equity.choose_first", "zh"),
                                     self.app.tr("life.equity.choose_first", "en"))]
            return
        if self.waiting:
            return
        self.waiting = "card"
        self.problems = []
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = ""
        self.app.session.remember_person(card)
        self.problems = self.journey.transfer(self.giver, card, self.amount())
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.waiting = ""
        self.fail(exc)

    def submit(self) -> None:
        self.show(self.journey.shareholders_done())

    def reset(self) -> None:
        super().reset()
        self.rows, self.giver, self.share, self.waiting = [], "", 100, ""
