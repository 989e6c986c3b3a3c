"""The start page: four tasks as large tiles, the language switch and the large-text switch."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class HomeScreen(Screen):
    pass
