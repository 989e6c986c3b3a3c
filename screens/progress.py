"""办件进度查询: scan the receipt's QR code or read an ID card; every item's state; reprint a receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.journeys.progress import ProgressQuery, Stage
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ProgressScreen(Screen):
    stage = StringProperty(Stage.CHOOSE.value)
    problems = ListProperty([])
    busy = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = ProgressQuery()
        self._camera_view: Any = None
        self._waiting_card = False

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_pre_enter(self, *args: object) -> None:
        self.query = ProgressQuery()
        self.sync()

    def on_leave(self, *args: object) -> None:
        self._stop_camera()

    # -- what is shown -----------------------------------------------------------------------
    def sync(self) -> None:
        self.stage = self.query.stage.value
        self.problems = list(self.query.problems)
        body = self.ids.body
        body.clear_widgets()
        if self.query.stage is Stage.CHOOSE:
            self._stop_camera()
            body.orientation = "horizontal"
            body.spacing = 28
            for how in ("scan", "card"):
                tile = Factory.Tile()
                tile.title = self.app.tr(f"progress.by_{how}")
                tile.hint = self.app.tr(f"progress.by_{how}.hint")
                tile.bind(on_release=lambda t, h=how: self.choose(h))
                body.add_widget(tile)
        elif self.query.stage is Stage.SCAN:
            self._start_camera(body)
        elif self.query.stage is Stage.CARD:
            self._stop_camera()
            hint = Factory.StepHint(text=self.app.tr("progress.card.hint"))
            body.add_widget(hint)
        else:
            self._stop_camera()
            self._show_results(body)

    def _show_results(self, body: Any) -> None:
        from service.contract.labels import DECISION_ZH, ITEM_STATUS_ZH, LINKED_SERVICES

        body.orientation = "vertical"
        body.spacing = 8
        found = self.query.current or {}
        lang = self.app.lang
        decision = found.get("decision", "")
        head = f"{found.get('name') or ''}    {DECISION_ZH.get(decision, decision) if lang == 'zh' else decision}"
        if found.get("uscc"):
            head += f"    {found['uscc']}"
        body.add_widget(Factory.StepHint(text=head, color=(0.1, 0.1, 0.1, 1)))
        if len(self.query.results) > 1:
            body.add_widget(Factory.StepHint(text=self.app.tr("progress.more", n=len(self.query.results))))
        for item in found.get("items", []):
            row = Factory.ItemRow()
            service = LINKED_SERVICES.get(item["service"])
            row.service = (service.name_zh if lang == "zh" else service.name_en) if service else item["service"]
            row.status = ITEM_STATUS_ZH.get(item["status"], item["status"]) if lang == "zh" else \
                item["status"].replace("_", " ").capitalize()
            row.detail = item.get("detail") or ""
            body.add_widget(row)
        if not found.get("items"):
            body.add_widget(Factory.StepHint(text=self.app.tr("progress.no_items")))
        body.add_widget(Factory.Widget())

    # -- camera ------------------------------------------------------------------------------
    def _start_camera(self, body: Any) -> None:
        from screens.widgets.camera_view import CameraView

        camera = (self.app.runtime.devices.get("camera") if self.app.runtime else None)
        if self._camera_view is None:
            self._camera_view = CameraView(camera=camera, on_code=self._scanned)
        self._camera_view.lang = self.app.lang
        body.add_widget(self._camera_view)
        self._camera_view.start()

    def _stop_camera(self) -> None:
        if self._camera_view is not None:
            self._camera_view.stop()
            if self._camera_view.parent is not None:
                self._camera_view.parent.remove_widget(self._camera_view)

    def _scanned(self, code: Any) -> Any:
        number = self.query.scanned(code.text)
        if number is None:
            self.problems = list(self.query.problems)
            return self.query.problems[0].message(self.app.lang)
        self.busy = self.app.tr("progress.searching")
        run_async(self.app.services.progress_by_number, number, on_done=self._found, on_error=self._failed)
        return True

    # -- actions -----------------------------------------------------------------------------
    def choose(self, how: str) -> None:
        self.query.choose(how)
        self.sync()
        if how == "card":
            self._waiting_card = True
            run_async(self.app.services.wait_for_card, on_done=self._card, on_error=self._failed)

    def _card(self, card: Any) -> None:
        self._waiting_card = False
        self.app.session.remember_person(card)
        self.busy = self.app.tr("progress.searching")
        run_async(self.app.services.progress_by_person, card, on_done=self._found, on_error=self._failed)

    def _found(self, results: Any) -> None:
        self.busy = ""
        self.query.found(results)
        self.sync()

    def _failed(self, exc: BaseException) -> None:
        from kiosk.journeys import Problem
        from kiosk.services import ServiceError

        self.busy = ""
        self._waiting_card = False
        key = exc.key if isinstance(exc, ServiceError) else "error.unexpected"
        self.problems = [Problem("query", self.app.tr(key, "zh"), self.app.tr(key, "en"))]

    def print_receipt(self) -> None:
        found = self.query.current
        if not found:
            return
        self.busy = self.app.tr("submit.printing_receipt")
        run_async(self.app.services.print_progress, found, on_done=self._printed, on_error=self._failed)

    def _printed(self, message: str) -> None:
        self.busy = message

    def go_back(self) -> None:
        if self.query.stage is Stage.CHOOSE:
            self.app.end_visit("progress query finished")
            return
        self.query.back()
        self.sync()

    def reset(self) -> None:
        self.query = ProgressQuery()
        self.problems, self.busy = [], ""
        if self.ids:
            self._stop_camera()
