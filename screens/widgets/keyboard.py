"""The on-screen keyboard: pinyin with a candidate bar, English letters and digits, big keys.

A kiosk has no physical keyboard. The keyboard lives once in the app's root and slides up under
the field it types into (``app.keyboard.attach(text_input)``). In pinyin mode the letters typed so
far are shown split into syllables above a candidate bar (:mod:`kiosk.pinyin` ranks them); tapping
a candidate writes it and keeps the letters it did not cover, so a long name is picked word by word.
Space takes the first candidate; backspace removes a letter, or the field's last character.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROWS = ("123", "456", "789")
PAGE_SIZE = 7  # candidates a page: each key stays wide enough for a four-character word in large type


class OnScreenKeyboard(BoxLayout):
    mode = StringProperty("pinyin")  # pinyin | english | digits
    shown = BooleanProperty(False)
    composing = StringProperty("")  # pinyin letters not yet turned into characters
    spelled = StringProperty("")  # the letters split into syllables, as shown above the candidates
    candidates = ListProperty([])  # the current page of candidate words
    page = NumericProperty(0)
    pages = NumericProperty(0)
    caps = BooleanProperty(False)
    target = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        self._all: list[Any] = []
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        from kivy.app import App

        self.bind(mode=self._build_keys, caps=self._build_keys)
        App.get_running_app().bind(lang=self._build_keys)
        self._build_keys()

    def key_button(self, key: str) -> Any:
        """The button that sends ``key`` (the scripted citizen taps it)."""
        for row in self.ids.rows.children:
            for button in row.children:
                if getattr(button, "key", None) == key:
                    return button
        return None

    def _build_keys(self, *args: Any) -> None:
        """The key rows for the mode: letters (pinyin or English) or digits; special keys say what they do."""
        from kivy.app import App

        tr = App.get_running_app().tr
        rows = self.ids.rows
        rows.clear_widgets()
        letters = self.mode != "digits"
        layout = LETTER_ROWS if letters else DIGIT_ROWS
        for i, chars in enumerate(layout):
            row = BoxLayout(spacing=_dp(8))
            if letters and i == 1:
                row.padding = (_dp(40), 0)
            if letters and i == 2 and self.mode == "english":
                row.add_widget(_key("caps", tr("kb.caps"), accent=self.caps, hint=1.5))
            for ch in chars:
                row.add_widget(_key(ch, ch.upper() if self.caps and letters else ch))
            if i == 0:
                row.add_widget(_key("back", tr("kb.back"), hint=1.6))
            rows.add_widget(row)
        bottom = BoxLayout(spacing=_dp(8))
        if letters:
            bottom.add_widget(_key("mode:digits", tr("kb.digits"), hint=1.3))
            other = "english" if self.mode == "pinyin" else "pinyin"
            bottom.add_widget(_key(f"mode:{other}", tr(f"kb.to_{other}"), hint=1.3))
            bottom.add_widget(_key("space", tr("kb.space"), hint=5))
        else:
            bottom.add_widget(_key("mode:pinyin", tr("kb.to_pinyin"), hint=1.3))
            bottom.add_widget(_key("0", "0", hint=1))
        bottom.add_widget(_key("done", tr("kb.done"), accent=True, hint=1.6))
        rows.add_widget(bottom)

    # -- attaching -------------------------------------------------------------------------
    def attach(self, target: Any, mode: str = "pinyin") -> None:
        """Type into ``target`` (a TextInput) from now on, starting in ``mode``."""
        if self.target is not target:
            self.commit_raw()
        self.target = target
        self.mode = mode
        self.shown = True

    def detach(self) -> None:
        self.commit_raw()
        self.shown = False
        if self.target is not None:
            self.target.focus = False
        self.target = None

    # -- keys ------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """One key: a letter, a digit, or one of: space, back, done, mode:<m>, caps, page:+1/-1."""
        if key.startswith("mode:"):
            self.commit_raw()
            self.mode = key[5:]
        elif key.startswith("page:"):
            self.page = max(0, min(self.pages - 1, self.page + int(key[5:])))
            self._show_page()
        elif key == "caps":
            self.caps = not self.caps
        elif key == "back":
            self._back()
        elif key == "space":
            if self.composing and self._all:
                self.choose(0)
            elif not self.composing:
                self._write(" " if self.mode == "english" else "")
        elif key == "done":
            self.detach()
        elif len(key) == 1 and self.mode == "pinyin" and key.isalpha():
            self._compose(self.composing + key.lower())
        elif len(key) == 1:
            self._write(key.upper() if self.caps and key.isalpha() else key)

    def choose(self, index: int) -> None:
        """Take the candidate at ``index`` of the current page."""
        if not 0 <= index < len(self.candidates):
            return
        candidate = self._all[self.page * PAGE_SIZE + index]
        self._write(candidate.text)
        self._compose(self.composing[candidate.consumed:].lstrip("'"))

    def commit_raw(self) -> None:
        """Leaving pinyin with letters pending writes them as typed (names may hold Latin letters)."""
        if self.composing:
            letters = self.composing.replace("'", "")
            self._compose("")
            self._write(letters)

    # -- inside ----------------------------------------------------------------------------
    def _back(self) -> None:
        if self.composing:
            self._compose(self.composing[:-1])
        elif self.target is not None and self.target.text:
            self.target.text = self.target.text[:-1]

    def _write(self, text: str) -> None:
        if self.target is not None and text:
            self.target.text += text

    def _compose(self, letters: str) -> None:
        from kiosk.pinyin import PinyinEngine

        self.composing = letters
        engine = PinyinEngine.default()
        self._all = engine.candidates(letters) if letters else []
        self.spelled = "'".join(engine.segment(letters)) if letters else ""
        self.page = 0
        self.pages = (len(self._all) + PAGE_SIZE - 1) // PAGE_SIZE
        self._show_page()

    def _show_page(self) -> None:
        start = self.page * PAGE_SIZE
        self.candidates = [c.text for c in self._all[start:start + PAGE_SIZE]]


def _dp(v: float) -> float:
    from kivy.metrics import dp

    return dp(v)


def _key(key: str, label: str, accent: bool = False, hint: float = 1.0) -> Any:
    button = Factory.KeyButton(text=label, size_hint_x=hint)
    button.key, button.accent = key, accent
    return button


Factory.register("OnScreenKeyboard", cls=OnScreenKeyboard)
