"""The first step of every lifecycle journey: which company — its e-licence QR code shown to the camera (or
the scanner), or its unified social credit code typed on the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.steps.base import StepScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class CompanyScreen(StepScreen):
    uscc = StringProperty("")
    view: Any = None

    def on_enter(self, *args: object) -> None:
        from screens.widgets.camera_view import CameraView

        if self.view is None:
            camera = self.app.runtime.devices.get("camera") if self.app.runtime else None
            self.view = CameraView(camera=camera, on_code=self._scanned, auto_start=False)
            self.ids.camera_box.add_widget(self.view)
        self.view.lang = self.app.lang
        self.view.reset()
        self.view.start()

    def on_leave(self, *args: object) -> None:
        if self.view is not None:
            self.view.stop()

    def _scanned(self, code: Any) -> Any:
        """Each new code: a quick local look, then the platform's check of the licence."""
        from service.contract import elicence

        if not elicence.looks_like_licence(code.text):
            return self.app.tr("licence.not_licence")
        self.busy = self.app.tr("licence.checking")
        run_async(self.app.services.verify_licence, code.text, on_done=self._verified, on_error=self.fail)
        return True

    def _verified(self, verified: dict[str, Any]) -> None:
        self.busy = ""
        problems = self.journey.licence_read(verified)
        if problems and self.view is not None:
            self.view.reset()
        self.show(problems)

    def type_code(self) -> None:
        """The USCC on the keyboard: English capitals and digits."""
        self.app.keyboard.attach(self.ids.code, mode="english")
        self.app.keyboard.caps = True

    def look_up(self) -> None:
        code = "".join(self.ids.code.text.split()).upper()
        self.app.keyboard.detach()
        self.uscc = code
        from service.contract import uscc as rules

        if not rules.is_valid(code):
            self.show(self.journey.uscc_typed(code, None))
            return
        self.busy = self.app.tr("life.company.looking")
        run_async(self.app.services.find_company, code,
                  on_done=lambda found: self.show(self.journey.uscc_typed(code, found)), on_error=self.fail)

    def reset(self) -> None:
        super().reset()
        self.uscc = ""
        if "code" in self.ids:
            self.ids.code.text = ""
