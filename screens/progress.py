"""办件进度查询: scan the receipt's QR code, type its acceptance number, or read an ID card (then choose one
of the person's applications); every item's state and expected time; reprint a receipt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.journeys.progress import ProgressQuery, Stage
from screens.worker import run_async



class ScrollRows(BoxLayout):
    """Rows that scroll when they are taller than the screen (``parent_view`` is the ScrollView to add)."""

    def __init__(self, **kwargs: Any) -> None:
        from kivy.uix.scrollview import ScrollView

        super().__init__(orientation="vertical", size_hint_y=None, spacing=8, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.parent_view = ScrollView(do_scroll_x=False)
        self.parent_view.add_widget(self)


Factory.register("ScrollRows", cls=ScrollRows)


class NumberEntry(BoxLayout):
    """The acceptance number typed on the keypad (shown in groups of six, with a count)."""

    screen = ObjectProperty(None, rebind=True)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def _local_time(value: Any) -> str:
    """An ISO time from the platform as China time, ``MM-DD HH:MM``; empty when there is none."""
    from datetime import datetime, timedelta, timezone

    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone(timedelta(hours=8))).strftime("%m-%d %H:%M")


class ProgressScreen(Screen):
    stage = StringProperty(Stage.CHOOSE.value)
    problems = ListProperty([])
    busy = StringProperty("")
    digits = StringProperty("")  # the acceptance number being typed
    kept = ListProperty([])  # documents of the shown application kept here for reprint (paper ran out …)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = ProgressQuery()
        self._camera_view: Any = None
        self._waiting_card = False
        self._asked = False  # something was looked up in this visit (then its end asks for a rating)

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
            for how in ("scan", "number", "card"):
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
        elif self.query.stage is Stage.NUMBER:
            body.orientation = "horizontal"
            entry = NumberEntry(screen=self)
            body.add_widget(entry)
        elif self.query.stage is Stage.LIST:
            self._show_list(body)
        else:
            self._stop_camera()
            self._show_results(body)

    def _show_results(self, body: Any) -> None:
        from service.contract.labels import DECISION_ZH, ITEM_STATUS_ZH, LINKED_SERVICES

        body.orientation = "vertical"
        body.spacing = 8
        outer, body = body, Factory.ScrollRows()  # in large type five items are taller than the screen: scroll
        outer.add_widget(body.parent_view)
        found = self.query.current or {}
        lang = self.app.lang
        decision = found.get("decision", "")
        head = f"{found.get('name') or ''}    {DECISION_ZH.get(decision, decision) if lang == 'zh' else decision}"
        if found.get("uscc"):
            head += f"    {found['uscc']}"
        body.add_widget(Factory.StepHint(text=head, color=(0.1, 0.1, 0.1, 1)))
        if found.get("acceptance_no"):
            from service.contract import acceptance

            body.add_widget(Factory.StepHint(text=self.app.tr("ux.progress.number",
                                                              number=acceptance.grouped(found["acceptance_no"]))))
        if found.get("announcement_until") or (found.get("kind") not in (None, "establishment")
                                               and found.get("effective_on")):  # a lifecycle application's dates
            body.add_widget(Factory.StepHint(text=self.app.tr(
                "life.progress.until" if found.get("announcement_until") else "life.progress.effective",
                until=str(found.get("announcement_until") or "")[:10], day=str(found.get("effective_on") or "")[:10])))
        for item in found.get("items", []):
            row = Factory.ItemRow()
            service = LINKED_SERVICES.get(item["service"])
            row.service = (service.name_zh if lang == "zh" else service.name_en) if service else item["service"]
            row.status = ITEM_STATUS_ZH.get(item["status"], item["status"]) if lang == "zh" else \
                item["status"].replace("_", " ").capitalize()
            due = _local_time(item.get("expected_by"))
            row.detail = "  ".join(x for x in (item.get("detail") or "",
                                               self.app.tr("progress.expected", when=due) if due and
                                               item["status"] in ("pending", "in_progress") else "") if x)
            body.add_widget(row)
        if not found.get("items"):
            body.add_widget(Factory.StepHint(text=self.app.tr("progress.no_items")))

    def _show_list(self, body: Any) -> None:
        """A person's applications, newest first: tap one to see it."""
        from service.contract import acceptance
        from service.contract.labels import DECISION_ZH, KIND_ZH

        body.orientation = "vertical"
        body.spacing = 12
        lang = self.app.lang
        body.add_widget(Factory.StepHint(text=self.app.tr("progress.list.hint", n=len(self.query.results))))
        for index, found in enumerate(self.query.results[:8]):
            decision = found.get("decision", "")
            kind = found.get("kind", "establishment")
            button = Factory.OptionButton(text="  ·  ".join(x for x in (
                found.get("name") or "", KIND_ZH.get(kind, kind) if lang == "zh" else kind,
                DECISION_ZH.get(decision, decision) if lang == "zh" else decision.replace("_", " "),
                acceptance.grouped(found.get("acceptance_no") or ""), _local_time(found.get("received_at"))) if x))
            button.bind(on_release=lambda b, i=index: self.pick(i))
            body.add_widget(button)
        body.add_widget(Factory.Widget())

    # -- the acceptance number on the keypad --------------------------------------------------
    def press(self, key: str) -> None:
        if key == "del":
            self.digits = self.digits[:-1]
        elif len(self.digits) < 18:
            self.digits += key

    def look_up_number(self) -> None:
        number = self.query.typed(self.digits)
        self.problems = list(self.query.problems)
        if number is None:
            return
        self.busy = self.app.tr("progress.searching")
        run_async(self.app.services.progress_by_number, number, on_done=self._found, on_error=self._failed)

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
        self.busy, self.digits = "", ""
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
        self._asked = True
        self.query.found(results)
        self.sync()
        self._look_for_kept()

    def pick(self, index: int) -> None:
        self.query.pick(index)
        self.sync()
        self._look_for_kept()

    # -- reprint what did not print here, by the acceptance number ---------------------------------
    def _look_for_kept(self) -> None:
        self.kept = []
        number = (self.query.current or {}).get("acceptance_no") if self.query.stage.value == "results" else None
        if number:
            run_async(self.app.services.kept_prints, number,
                      on_done=lambda kept: setattr(self, "kept", kept) if (self.query.current or {}).get(
                          "acceptance_no") == number else None,
                      on_error=lambda exc: None)

    def reprint_kept(self) -> None:
        number = (self.query.current or {}).get("acceptance_no")
        if not number or not self.kept:
            return
        self.busy = self.app.tr("ux.reprint.busy")
        run_async(self.app.services.reprint_kept, number, on_done=self._reprinted, on_error=self._failed)

    def _reprinted(self, answer: dict[str, Any]) -> None:
        self.app.record("reprinted", f"{answer['printed']}/{answer['printed'] + answer['kept']}")
        self.busy = "\n".join(answer["lines"] if self.app.lang == "zh" else answer["lines_en"])
        self._look_for_kept()

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
        if self.query.stage is Stage.CHOOSE:  # the end of this visit: take the card, rate it
            self.app.finish_visit("progress query finished",
                                  farewell=self._asked or not self.app.session.empty)
            return
        self.query.back()
        self.kept = []
        self.sync()

    def reset(self) -> None:
        self.query = ProgressQuery()
        self.problems, self.busy, self.digits, self.kept = [], "", "", []
        self._asked = False
        if self.ids:
            self._stop_camera()
