"""Choosing a standard address: district → street → building and unit, or a search by text or pinyin.

Used by the registration's address step and by the seal/UKey mailing choice. The search field types
through the on-screen keyboard (Chinese by pinyin, or the pinyin initials themselves: ``dfel`` finds
东风二路); results come from the platform's standard address database (``/api/v1/addresses/search``),
sorted with numbers as numbers. ``picked(option)`` is called with ``{"code", "text", "negative"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class AddressPicker(BoxLayout):
    level = NumericProperty(0)  # 0 district, 1 street, 2 building and unit
    options = ListProperty([])  # [{"code", "label", "text", "negative"}]
    path = ListProperty([])  # chosen so far
    query = StringProperty("")  # the search typed; non-empty: results instead of levels
    busy = StringProperty("")
    failed = StringProperty("")  # the platform's trouble, in the catalogue's words
    searching = BooleanProperty(False)
    picked = ObjectProperty(None, allownone=True)  # called with the chosen address
    at_top = ObjectProperty(None, allownone=True)  # called by "上一级" on the districts (the step's back)
    restricted = BooleanProperty(True)  # mark negative-list addresses (registration); mailing does not care
    last_query = ObjectProperty(None, allownone=True)

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def start(self) -> None:
        if not self.options and not self.query:
            self.load()

    # -- browsing by level -------------------------------------------------------------------
    def load(self) -> None:
        parent = self.path[-1]["code"] if self.path else None
        self.busy = self.app.tr("common.loading")
        self.failed = ""
        run_async(self.app.services.address_options, self.level, parent, on_done=self._loaded,
                  on_error=self._failed)

    def _loaded(self, options: list[dict[str, Any]]) -> None:
        if self.query:
            return  # a search started meanwhile: its results win
        self.busy = ""
        self.options = options

    def _failed(self, exc: BaseException) -> None:
        from kiosk.services import ServiceError

        self.busy = ""
        self.failed = exc.message(self.app.lang) if isinstance(exc, ServiceError) else \
            self.app.tr("error.platform.down")

    def on_options(self, *args: object) -> None:
        box = self.ids.options
        box.clear_widgets()
        for option in self.options:
            label = option.get("label") or option.get("text") or ""
            if self.query:  # a search result: the full address without the province and city
                label = short_address(option.get("text") or label)
            if self.restricted and option.get("negative") == "1":
                label += self.app.tr("address.restricted")
            button = Factory.OptionButton(text=label)
            button.option = option
            button.bind(on_release=lambda b: self.pick(b.option))
            box.add_widget(button)
        self.ids.scroll.scroll_y = 1

    def pick(self, option: dict[str, Any]) -> None:
        if self.query or self.level >= 2 or option.get("leaf"):
            self.app.keyboard.detach()
            if self.picked is not None:
                self.picked({"code": option["code"], "text": option.get("text") or option.get("label", ""),
                              "negative": option.get("negative", "0")})
            return
        self.path = [*self.path, option]
        self.level += 1
        self.options = []
        self.load()

    def up(self) -> None:
        if self.query:
            self.clear_search()
            return
        if not self.path:
            if self.at_top is not None:
                self.at_top()
            return
        self.path = self.path[:-1]
        self.level -= 1
        self.options = []
        self.load()

    # -- searching ---------------------------------------------------------------------------
    def on_query(self, *args: object) -> None:
        Clock.unschedule(self._search)
        if self.query.strip():
            self.busy = self.app.tr("ux.address.searching")
            self.searching = True
            self.options = []  # the list below is the search's, never a stale one
            Clock.schedule_once(self._search, 0.35)  # when typing pauses
        else:
            self.searching = False
            self.options = []
            self.load()

    def _search(self, dt: float = 0) -> None:
        query = self.query.strip()
        division = self.path[0]["code"] if self.path else None
        self.busy = self.app.tr("ux.address.searching")
        self.searching = True
        self.last_query = query

        def found(results: list[dict[str, Any]]) -> None:
            if query != self.query.strip():
                return  # typed on meanwhile
            self.busy = ""
            self.options = results

        run_async(self.app.services.search_addresses, query, division, on_done=found, on_error=self._failed)

    def clear_search(self) -> None:
        self.ids.search.text = ""
        self.query = ""

    def reset(self) -> None:
        Clock.unschedule(self._search)
        self.level, self.options, self.path, self.query, self.busy, self.failed = 0, [], [], "", "", ""
        self.searching = False
        if "search" in self.ids:
            self.ids.search.text = ""


def short_address(text: str) -> str:
    """广东省阳江市江城区东风二路88号… → 江城区东风二路88号… (the province and city are the same for all)."""
    for prefix in ("广东省",):
        text = text.removeprefix(prefix)
    city = text.find("市")
    return text[city + 1:] if 0 <= city <= 4 else text


Factory.register("AddressPicker", cls=AddressPicker)
