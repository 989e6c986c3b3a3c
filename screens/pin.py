"""The maintenance PIN pad: digits only, masked, locked after repeated wrong tries."""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)


class PinScreen(Screen):
    entered = StringProperty("")
    message = StringProperty("")

    def reset(self) -> None:
        self.entered = ""
        self.message = ""

    def on_pre_enter(self, *args: object) -> None:
        self.reset()
        self._show_lock()

    def press(self, digit: str) -> None:
        if len(self.entered) < 12:
            self.entered += digit

    def clear(self) -> None:
        self.entered = ""

    def _show_lock(self) -> bool:
        app = App.get_running_app()
        locked = app.pin_gate.locked_for
        if locked > 0:
            self.message = app.tr("pin.locked", minutes=int(locked // 60) + 1)
            return True
        return False

    def submit(self) -> None:
        app = App.get_running_app()
        if self._show_lock():
            self.entered = ""
            app.record("pin_locked", "")
            return
        ok = app.pin_gate.attempt(self.entered)
        self.entered = ""
        if ok:
            log.warning("maintenance mode entered")
            app.record("maintenance", "entered")
            app.go("maintenance")
        elif not self._show_lock():
            left = app.pin_gate.max_tries - app.pin_gate.failures
            self.message = app.tr("pin.wrong", left=left)
            log.warning("wrong maintenance PIN (%d tries left)", left)
            app.record("pin_wrong", str(left))
        else:
            log.warning("maintenance PIN locked after repeated wrong tries")
            app.record("pin_locked", "")

    def cancel(self) -> None:
        App.get_running_app().go_home()
