"""Shown for a task this kiosk does not offer yet: says so plainly and leads back."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class NotBuiltScreen(Screen):
    pass
