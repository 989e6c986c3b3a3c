"""Maintenance mode (behind the PIN): the device table and health checks; leaving returns to a wiped start."""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ListProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)


class MaintenanceScreen(Screen):
    rows = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        runtime = app.runtime
        rows = []
        devices = getattr(runtime, "devices", {}) if runtime is not None else {}
        for name, device in devices.items():
            report = device.health()
            rows.append(f"{name:<18} {report.state.value:<15} {'OK' if report.ok else 'FAIL':<5} {report.summary_en}")
        self.rows = rows or [app.tr("notbuilt.body")]

    def leave(self) -> None:
        app = App.get_running_app()
        log.warning("maintenance mode left")
        app.record("maintenance", "left")
        app.end_visit("maintenance left")
