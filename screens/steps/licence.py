"""单链式单独办, first step: the existing company's e-licence QR shown to the camera (or the scanner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder

from screens.steps.base import StepScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LicenceScreen(StepScreen):
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
        """Called on the UI thread for each new code: a quick local look, then the platform's check."""
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
