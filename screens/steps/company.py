"""Steps about the company: its name (with the live name check), address, business scope and capital."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import DictProperty, ListProperty, StringProperty

from kiosk import names
from kiosk.i18n import tr
from kiosk.journeys.registration import Step, name_reason_en
from service.contract import law
from screens.steps.base import StepScreen
from screens.widgets.address_picker import AddressPicker  # noqa: F401  (registers the kv class)
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

INDUSTRIES = list(names.INDUSTRIES)  # the catalogue, every term reachable by a pinyin search
FORMS = {"llc": ["有限公司", "有限责任公司"], "individual_business": ["店", "商行", "工作室", "经营部"]}


def reason_text(reason: dict[str, Any], lang: str, trade: str) -> str:
    """A name-check reason for the citizen: the platform's Chinese, or the English of its code."""
    return str(reason.get("message", "")) if lang == "zh" else name_reason_en(reason, trade)


class NameScreen(StepScreen):
    """Region + trade name + industry + form, the name previewed as the licence prints it; the trade name's
    characters are checked as they are typed (NAME_FORMAT), the platform's check follows when typing pauses
    (NAME_TRADE_IS_REGION, NAME_DUPLICATE …), and a taken name offers the platform's suggestions as chips.
    Every industry term of the catalogue is reachable: a search by pinyin on the on-screen keyboard."""

    region = StringProperty("")
    trade_name = StringProperty("")
    industry = StringProperty(INDUSTRIES[0])
    form = StringProperty("")
    check = DictProperty({})  # the live check of what is entered now
    checking = StringProperty("")
    forms = ListProperty([])
    industries = ListProperty(INDUSTRIES)  # the catalogue terms the search shows
    query = StringProperty("")  # the industry search, as typed
    local = StringProperty("")  # what is wrong with the characters typed, before any check (zh)
    suggestions = ListProperty([])

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=lambda *a: self.show_industries())

    def on_pre_enter(self, *args: object) -> None:
        self.region = self.region or self.app.services.region_name()
        self.forms = FORMS.get(self.journey.draft.entity_type or "llc", FORMS["llc"])
        if self.form not in self.forms:
            self.form = self.forms[0]
        name = self.journey.draft.name
        if name:  # back or change: the answer is still there
            self.trade_name, self.industry, self.form = name["trade_name"], name["industry"], name["form"]
        if not self.problems:
            self.problems = [self.journey.explain(r) for r in self.journey.rejected_here(Step.NAME)]
        self.show_industries()

    def on_enter(self, *args: object) -> None:
        if not self.trade_name:  # typing the name is this page's first job: the keyboard is up already
            self.app.keyboard.attach(self.ids.trade)

    def on_trade_name(self, *args: object) -> None:
        problem = law.trade_name_problem(self.trade_name.strip())
        self.local = problem or ""
        self._schedule_check()

    def on_industry(self, *args: object) -> None:
        self._schedule_check()
        self.show_industries()

    def on_form(self, *args: object) -> None:
        self._schedule_check()
        self.show_forms()

    def on_forms(self, *args: object) -> None:
        self.show_forms()

    def show_forms(self) -> None:
        """Every legal form of the entity type (an individual business has four) as chips."""
        if "forms" not in self.ids:
            return
        box = self.ids.forms
        box.clear_widgets()
        for form in self.forms:
            chip = Factory.Chip(text=form, selected=form == self.form)
            chip.bind(on_release=lambda b, f=form: setattr(self, "form", f))
            box.add_widget(chip)

    def on_query(self, *args: object) -> None:
        self.show_industries()

    def full_name(self) -> str:
        return names.full_name(self.region, self.trade_name, self.industry, self.form)

    def preview_text(self, lang: str, *_: Any) -> str:
        """The name as the licence will print it (``*_``: what kv passes so the preview follows each part)."""
        return tr("law.name.preview", lang, full=self.full_name()) if self.trade_name.strip() else ""

    def show_industries(self) -> None:
        """The catalogue terms matching the search (all of them without one), the chosen one marked."""
        if "industries" not in self.ids:
            return
        self.industries = names.search_industries(self.query)
        box = self.ids.industries
        box.clear_widgets()
        for word in self.industries:
            chip = Factory.Chip(text=word, selected=word == self.industry)
            chip.bind(on_release=lambda b, w=word: self.pick_industry(w))
            box.add_widget(chip)

    def pick_industry(self, word: str) -> None:
        self.industry = word

    def take_suggestion(self, trade: str) -> None:
        """A tap on a suggestion chip: that trade name, checked again."""
        self.ids.trade.text = trade

    def _schedule_check(self) -> None:
        Clock.unschedule(self._live_check)
        self.check = {}
        self.suggestions = []
        if len(self.trade_name.strip()) >= 2 and not self.local:
            Clock.schedule_once(self._live_check, 0.4)  # debounce: check when typing pauses

    def _live_check(self, dt: float = 0) -> None:
        parts = (self.region, self.trade_name.strip(), self.industry, self.form)
        self.checking = self.app.tr("name.checking")
        def done(result: dict[str, Any]) -> None:
            self._checked(parts, result)

        run_async(self.app.services.check_name, *parts, on_done=done, on_error=self._check_failed)

    def _checked(self, parts: tuple[str, ...], result: dict[str, Any]) -> None:
        if parts == (self.region, self.trade_name.strip(), self.industry, self.form):
            self.check = result
            self.checking = ""
            self.suggestions = list(result.get("suggestions") or []) if not result.get("available") else []
            box = self.ids.suggestions
            box.clear_widgets()
            for trade in self.suggestions:
                chip = Factory.Chip(text=trade)
                chip.bind(on_release=lambda b, t=trade: self.take_suggestion(t))
                box.add_widget(chip)

    def _check_failed(self, exc: BaseException) -> None:
        self.checking = ""
        self.fail(exc)

    @staticmethod
    def is_available(check: dict[str, Any]) -> bool:
        """(kv follows ``check`` itself: a ``check.get`` inside kv would not be re-read when it changes)"""
        return bool(check.get("available"))

    def verdict(self, lang: str, *_: Any) -> str:
        """What the check says (``*_``: what kv passes so the text follows the check and the typing)."""
        if self.local:
            return self.local if lang == "zh" else tr("law.reason.NAME_FORMAT", "en")
        if not self.check:
            return ""
        trade = self.trade_name.strip()
        reasons = self.check.get("reasons", [])
        if self.check.get("available"):
            notes = [reason_text(r, lang, trade) for r in reasons]
            return self.app.tr("name.available", lang) + ("（" + "；".join(notes) + "）" if notes else "")
        return "；".join(reason_text(r, lang, trade) for r in reasons if r.get("severity") == "error") or \
            self.app.tr("name.taken", lang)

    def submit(self) -> None:
        parts = (self.region, self.trade_name.strip(), self.industry, self.form)
        if self.check and len(parts[1]) >= 2:
            self.show(self.journey.set_name(*parts, dict(self.check)))
            return
        self.busy = self.app.tr("name.checking")
        run_async(self.app.services.check_name, *parts,
                  on_done=lambda result: self.show(self.journey.set_name(*parts, result)),
                  on_error=lambda exc: self.show(self.journey.set_name(*parts, None)))

    def reset(self) -> None:
        super().reset()
        self.trade_name = ""
        self.check = {}
        self.query, self.local, self.suggestions = "", "", []
        self.industry = INDUSTRIES[0]


class AddressScreen(StepScreen):
    """Division → street → building from the standard address database, or a search by text or pinyin
    (the picker: :class:`screens.widgets.address_picker.AddressPicker`)."""

    def on_kv_post(self, base_widget: Any) -> None:
        picker = self.ids.picker
        picker.picked = self.chosen
        picker.at_top = self.go_back

    @property
    def level(self) -> int:
        return int(self.ids.picker.level)

    @property
    def options(self) -> list[dict[str, Any]]:
        return list(self.ids.picker.options)

    def on_pre_enter(self, *args: object) -> None:
        self.ids.picker.start()

    def chosen(self, option: dict[str, Any]) -> None:
        self.show(self.journey.set_address(option["code"], option.get("text") or ""))

    def up(self) -> None:
        self.ids.picker.up()

    def reset(self) -> None:
        super().reset()
        self.ids.picker.reset()


# one tap instead of typing: the topics most companies' scopes start from, per industry first
SCOPE_TOPICS = ["软件", "技术服务", "信息", "销售", "餐饮", "咨询", "广告", "建筑", "农业", "运输"]
INDUSTRY_TOPIC = {"科技": "技术服务", "信息技术": "软件", "贸易": "销售", "餐饮": "餐饮", "文化传媒": "广告",
                  "建筑工程": "建筑", "农业发展": "农业", "物流": "运输", "咨询服务": "咨询", "电子商务": "销售"}


class ScopeScreen(StepScreen):
    """The standard scope catalogue: a topic in one tap, or a search typed on the on-screen keyboard (text,
    or pinyin initials: ``rjkf`` finds 软件开发); each catalogue item chosen is one line of the scope."""

    query = StringProperty("")
    results = ListProperty([])
    chosen = ListProperty([])
    typed = StringProperty("")  # the search field's text (a topic chip empties it)

    def on_pre_enter(self, *args: object) -> None:
        if not self.chosen and self.journey.draft.scope:
            self.chosen = list(self.journey.draft.scope)
        first = self.build_topics()
        if not self.results:
            self.search(first)

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(scale=lambda *a: self.build_topics() if self.manager and self.manager.current == self.name
                      else None)

    def build_topics(self) -> str:
        """The topic chips, the industry's first: one row of ten, or of five in large type (the search
        finds the rest), so the catalogue below keeps room. Returns the first topic."""
        industry = ((self.journey.draft.name or {}) if self.journey else {}).get("industry", "")
        first = INDUSTRY_TOPIC.get(industry, SCOPE_TOPICS[0])
        topics = [first] + [t for t in SCOPE_TOPICS if t != first]
        box = self.ids.topics
        box.clear_widgets()
        for topic in topics[:10 if self.app.scale == 1 else 5]:
            chip = Factory.OptionButton(text=topic)
            chip.selected = topic == (self.query or first)
            chip.bind(on_release=lambda b, t=topic: self.topic(t))
            box.add_widget(chip)
        return first

    def topic(self, topic: str) -> None:
        self.ids.search.text = ""
        self.search(topic)

    def on_typed(self, *args: object) -> None:
        Clock.unschedule(self._search_typed)
        if self.typed.strip():
            Clock.schedule_once(self._search_typed, 0.35)

    def _search_typed(self, dt: float = 0) -> None:
        self.search(self.typed.strip())

    def search(self, query: str) -> None:
        if query != self.query:
            self.results = []  # never the last search's items under this one's topic
        self.query = query
        for chip in self.ids.topics.children:
            chip.selected = chip.text == query
        run_async(self.app.services.search_scopes, query, on_done=lambda items: self._found(query, items),
                  on_error=self.fail)

    def _found(self, query: str, items: list[dict[str, Any]]) -> None:
        if query == self.query:
            self.results = items

    def on_results(self, *args: object) -> None:
        box = self.ids.results
        box.clear_widgets()
        for item in self.results:
            permit = {"pre": "scope.permit_pre", "post": "scope.permit_post"}.get(item.get("permit", "none"))
            label = item["text"] + (f"  ［{self.app.tr(permit)}］" if permit else "")
            button = Factory.OptionButton(text=label)
            button.item = item
            button.base = label
            self._mark(button)
            button.bind(on_release=lambda b, i=item: self.toggle(i))
            box.add_widget(button)

    def _mark(self, button: Any) -> None:
        chosen = self.is_chosen(button.item, self.chosen)
        button.selected = chosen
        button.text = ("✓ " if chosen else "") + button.base

    def on_chosen(self, *args: object) -> None:
        for button in self.ids.results.children:
            self._mark(button)

    def chosen_text(self, lang: str, chosen: list[dict[str, Any]]) -> str:
        """"已选 2 项：（1）…；（2）…" — each catalogue item numbered, so the count matches what is read."""
        items = [f"（{i}）{c['text']}" if lang == "zh" else f"({i}) {c['text']}" for i, c in enumerate(chosen, 1)]
        head = self.app.tr("ux.scope.chosen", lang, n=len(chosen)) if chosen else \
            self.app.tr("ux.scope.none", lang)
        return head + ("；" if lang == "zh" else "; ").join(items)

    def toggle(self, item: dict[str, Any]) -> None:
        codes = [c.get("code") for c in self.chosen]
        if item.get("code") in codes:
            self.chosen = [c for c in self.chosen if c.get("code") != item.get("code")]
        else:
            self.chosen = [*self.chosen, item]

    def is_chosen(self, item: dict[str, Any], chosen: list[Any]) -> bool:
        return item.get("code") in [c.get("code") for c in chosen]

    def submit(self) -> None:
        self.show(self.journey.set_scope(list(self.chosen)))

    def reset(self) -> None:
        super().reset()
        self.query, self.results, self.chosen, self.typed = "", [], [], ""
        if self.ids:
            self.ids.search.text = ""


class CapitalScreen(StepScreen):
    wan = StringProperty("")  # amount in 万元, typed on the keypad
    entity = StringProperty("llc")

    def on_pre_enter(self, *args: object) -> None:
        self.entity = self.journey.draft.entity_type or "llc"
        cny = self.journey.draft.capital_cny
        if cny and not self.wan:
            self.wan = str(cny // 10_000)

    def press(self, key: str) -> None:
        if key == "del":
            self.wan = self.wan[:-1]
        elif len(self.wan) < 7 and not (key == "0" and not self.wan):
            self.wan += key

    def submit(self) -> None:
        self.show(self.journey.set_capital(int(self.wan or 0) * 10_000))

    def reset(self) -> None:
        super().reset()
        self.wan = ""
