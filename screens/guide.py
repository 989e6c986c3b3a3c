"""办事指南: what one needs, the steps, each item's time — readable before starting (no data kept)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

import assets

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


@lru_cache(maxsize=1)
def guide() -> dict[str, Any]:
    return json.loads(assets.path("guide", "guide.json").read_text(encoding="utf-8"))


class GuideScreen(Screen):
    def on_pre_enter(self, *args: object) -> None:
        self.fill()
        self.ids.scroll.scroll_y = 1

    def fill(self) -> None:
        app = App.get_running_app()
        content = guide().get(app.lang) or guide()["zh"]
        self.ids.title.text = content["title"]
        box = self.ids.body
        box.clear_widgets()
        for section in content["sections"]:
            box.add_widget(Factory.GuideHeading(text=section["heading"]))
            for item in section["items"]:
                text = item.replace("{idle}", str(app.cfg.kiosk.idle_timeout_s))
                box.add_widget(Factory.GuideItem(text="• " + text))
        box.add_widget(Factory.GuideItem(text=app.tr("ux.guide.end")))  # the list's end is visible, not cut

    def page(self, direction: int) -> None:
        """One screenful up (+1) or down (-1): the guide is longer than the screen."""
        scroll = self.ids.scroll
        extra = scroll.children[0].height - scroll.height if scroll.children else 0
        if extra <= 0:
            return
        step = (scroll.height * 0.85) / extra
        scroll.scroll_y = min(1.0, max(0.0, scroll.scroll_y + direction * step))

    def on_kv_post(self, base_widget: Any) -> None:
        App.get_running_app().bind(lang=lambda *a: self.fill() if self.manager and self.manager.current == self.name
                                   else None)
