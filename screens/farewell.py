"""The end of every visit: take your ID card (with what the reader sees), take what was printed, and a
one-tap rating of the service (好差评: five levels, reasons optional).

The visit's personal data is forgotten before this page is shown; it holds only what the citizen is
told (how many cards were read, what was printed) and the rating. The rating goes to the platform with
the kiosk (from the request's signature) and the journey, nothing personal; it is sent when the citizen
leaves the page by any way (完成, the countdown, the idle wipe), once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

LEVELS = (5, 4, 3, 2, 1)  # 非常满意 … 非常不满意, in the order Guangdong shows them
GOOD_REASONS = ("fast", "simple", "clear", "staff")
BAD_REASONS = ("slow", "complex", "unreadable", "device", "wrong", "unsolved")
STAY_S = 45  # the page goes home by itself after this long without a touch


class FarewellScreen(Screen):
    journey = StringProperty("open")
    cards = NumericProperty(0)  # cards read in the visit (the reminder shows when there were any)
    card_state = StringProperty("")  # "on" (still on the reader), "off" (taken), "" (unknown)
    lines = ListProperty([])
    lines_en = ListProperty([])
    level = NumericProperty(0)  # the rating chosen, 0 for none
    reasons = ListProperty([])
    sent = BooleanProperty(False)
    left = NumericProperty(STAY_S)  # seconds until the page goes home by itself
    answers = NumericProperty(0)  # how many times the reader has answered on this page
    labels = DictProperty({})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tick_event: Any = None
        self._asking = False

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def prepare(self, summary: dict[str, Any]) -> None:
        self.journey = summary.get("journey") or "open"
        self.cards = int(summary.get("cards") or 0)
        self.lines, self.lines_en = list(summary.get("lines") or []), list(summary.get("lines_en") or [])
        self.level, self.reasons, self.sent = 0, [], False
        self.card_state = "on" if self.cards else ""
        self.left = STAY_S

    def on_pre_enter(self, *args: object) -> None:
        self.build_reasons()

    def on_enter(self, *args: object) -> None:
        self._tick_event = Clock.schedule_interval(self._tick, 1.0)
        self._ask_reader()

    def on_leave(self, *args: object) -> None:
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None

    def on_touch_down(self, touch: Any) -> bool:
        self.left = STAY_S  # the citizen is still here
        return super().on_touch_down(touch)

    def spoken(self) -> tuple[str, dict[str, Any]]:
        return ("ux.voice.farewell_card" if self.cards else "ux.voice.farewell"), {}

    # -- the ID card reminder ------------------------------------------------------------------
    def _tick(self, dt: float) -> None:
        self.app.idle.touched()  # this page has its own, shorter countdown
        self.left = max(0, self.left - 1)
        if self.left <= 0:
            self.done("farewell timed out")
            return
        self._ask_reader()

    def _ask_reader(self) -> None:
        if not self.cards or self._asking:
            return
        self._asking = True
        run_async(self.app.services.card_on_reader, on_done=self._reader_said, on_error=self._reader_failed)

    def _reader_said(self, present: bool | None) -> None:
        self._asking = False
        self.answers += 1
        if present is None:
            self.card_state = ""
        else:
            was = self.card_state
            self.card_state = "on" if present else "off"
            if was == "on" and not present:
                self.app.record("card_taken", "")

    def _reader_failed(self, exc: BaseException) -> None:
        self._asking = False
        self.card_state = ""

    # -- the rating ----------------------------------------------------------------------------
    def rate(self, level: int) -> None:
        if self.sent:
            return
        self.level = level
        self.reasons = [r for r in self.reasons if r in (GOOD_REASONS if level >= 3 else BAD_REASONS)]
        self.app.record("rating_chosen", str(level))
        self.build_reasons()

    def toggle_reason(self, code: str) -> None:
        if self.sent:
            return
        self.reasons = [r for r in self.reasons if r != code] if code in self.reasons else [*self.reasons, code]
        self.build_reasons()

    def build_reasons(self) -> None:
        box = self.ids.reasons
        box.clear_widgets()
        if not self.level:
            return
        for code in GOOD_REASONS if self.level >= 3 else BAD_REASONS:
            chip = Factory.ReasonChip(text=("✓ " if code in self.reasons else "") + self.app.tr(f"ux.reason.{code}"))
            chip.selected = code in self.reasons
            chip.code = code
            chip.bind(on_release=lambda b: self.toggle_reason(b.code))
            box.add_widget(chip)

    def send(self) -> None:
        """Send the rating once (if one was chosen); what the platform stores: kiosk, journey, level, reasons."""
        if self.sent or not self.level:
            return
        self.sent = True
        from kiosk.i18n import tr

        reasons = [tr(f"ux.reason.{code}", "zh") for code in self.reasons]  # the hall reads them in Chinese
        journey, level = self.journey, int(self.level)
        run_async(self.app.services.rate, journey, level, reasons,
                  on_done=lambda _: self.app.record("rated", f"{journey}:{level}"),
                  on_error=lambda exc: self.app.record("rating_failed", str(exc)[:80]))

    def done(self, reason: str = "visit finished") -> None:
        self.send()
        self.app.end_visit(reason)

    def reset(self) -> None:
        """The idle wipe or a new visit: a chosen rating still goes; nothing else is kept."""
        self.send()
        self.level, self.reasons, self.lines, self.lines_en, self.cards = 0, [], [], [], 0
        self.card_state = ""
