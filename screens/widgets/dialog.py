"""One modal dialog at a time, above every screen and below the idle warning: a confirmation that says what
will be forgotten, the step's help, "staff are on their way".

The layer lives once in the app's root (``app.dialog``). ``open(name, title, body, buttons)`` shows a
box with a title, a body and up to three buttons ``(name, text, callback, primary)``; a tap on the dimmed
screen around it does nothing (the citizen answers the question, or closes it with its own button).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

Button = tuple[str, str, Callable[[], Any] | None, bool]  # name, text, what it does (then the dialog closes), primary


class DialogLayer(FloatLayout):
    shown = BooleanProperty(False)
    name = StringProperty("")  # which dialog is open ("confirm_home", "help", "staff" …)
    title = StringProperty("")
    body = StringProperty("")
    buttons = DictProperty({})  # name -> the Button widget (the scripted citizen taps them)

    def open(self, name: str, title: str, body: str, buttons: list[Button]) -> None:
        self.name, self.title, self.body = name, title, body
        row = self.ids.buttons
        row.clear_widgets()
        made = {}
        for key, text, action, primary in buttons:
            button = Factory.BigButton(text=text) if primary else Factory.DialogGhost(text=text)
            button.bind(on_release=lambda b, a=action: self._pressed(a))
            row.add_widget(button)
            made[key] = button
        self.buttons = made
        self.shown = True

    def _pressed(self, action: Callable[[], Any] | None) -> None:
        self.close()
        if action is not None:
            action()

    def close(self) -> None:
        self.shown = False
        self.name = ""
        self.buttons = {}
        self.ids.buttons.clear_widgets()

    def on_touch_down(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True  # modal: what lies behind gets nothing

    def on_touch_move(self, touch: Any) -> bool:
        return super().on_touch_move(touch) or self.shown

    def on_touch_up(self, touch: Any) -> bool:
        return super().on_touch_up(touch) or self.shown


class Overlay(BoxLayout):
    """A panel over part of a screen (the mailing address picker): takes the touches only while shown."""

    shown = BooleanProperty(False)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return self.collide_point(*touch.pos)

    def on_touch_move(self, touch: Any) -> bool:
        return super().on_touch_move(touch) if self.shown else False

    def on_touch_up(self, touch: Any) -> bool:
        return super().on_touch_up(touch) if self.shown else False


Factory.register("DialogLayer", cls=DialogLayer)
Factory.register("Overlay", cls=Overlay)
