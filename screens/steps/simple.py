"""Steps whose screens are a choice or a device wait: entity type, the applicant's card, phone, face check."""

from __future__ import annotations

from typing import Any

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from screens.steps.base import StepScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class EntityTypeScreen(StepScreen):
    def choose(self, entity_type: str) -> None:
        self.show(self.journey.choose_entity_type(entity_type))


class CardScreen(StepScreen):
    """Waits for the applicant's card on the reader; the read happens off the UI thread."""

    waiting = BooleanProperty(False)

    def on_enter(self, *args: object) -> None:
        self.start()

    def start(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        self.problems = []
        run_async(self.app.services.wait_for_card, on_trouble=self._trouble, on_done=self._read,
                  on_error=self._failed)

    def _trouble(self, key: str) -> None:
        """Called on the reader's thread: the card moved while it was read; tell the citizen."""
        from kivy.clock import Clock

        from kiosk.journeys import Problem

        problem = Problem("applicant_card", self.app.tr(key, "zh"), self.app.tr(key, "en"))
        Clock.schedule_once(lambda dt: setattr(self, "problems", [problem]), 0)

    def _read(self, card: object) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.show(self.journey.card_read(card))

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def reset(self) -> None:
        super().reset()
        self.waiting = False


class PhoneScreen(StepScreen):
    phone = StringProperty("")
    code = StringProperty("")
    field = StringProperty("phone")  # which box the keypad types into
    sent = BooleanProperty(False)

    def press(self, key: str) -> None:
        limit = 11 if self.field == "phone" else 6
        value = getattr(self, self.field)
        if key == "del":
            value = value[:-1]
        elif len(value) < limit:
            value += key
        setattr(self, self.field, value)

    def send_code(self) -> None:
        if len(self.phone) != 11:
            self.show(self.journey.phone_verified(self.phone, None))
            return
        self.busy = self.app.tr("phone.sending")
        run_async(self.app.services.send_sms, self.phone, self.journey.draft.applicant_card, on_done=self._sent,
                  on_error=self.fail)

    def _sent(self, _: object) -> None:
        self.busy = ""
        self.sent = True
        self.field = "code"
        self.problems = []

    def verify(self) -> None:
        self.busy = self.app.tr("phone.verifying")
        run_async(self.app.services.verify_sms, self.phone, self.code, self.journey.draft.applicant_card,
                  on_done=lambda proof: self.show(self.journey.phone_verified(self.phone, proof)),
                  on_error=self.fail)

    def reset(self) -> None:
        super().reset()
        self.phone = self.code = ""
        self.field = "phone"
        self.sent = False


class LivenessScreen(StepScreen):
    view: Any = None

    def on_enter(self, *args: object) -> None:
        from screens.widgets.face_view import FaceView

        if self.view is None:
            self.view = FaceView(camera=self.app.runtime.devices.get("camera") if self.app.runtime else None)
            self.ids.preview.add_widget(self.view)
        self.view.start()

    def on_leave(self, *args: object) -> None:
        if self.view is not None:
            self.view.stop()

    def check(self) -> None:
        self.busy = self.app.tr("liveness.checking")
        run_async(self.app.services.liveness, self.journey.draft.applicant_card, on_done=self._done,
                  on_error=self.fail)

    def _done(self, result: Any) -> None:
        self.show(self.journey.liveness_result(result.passed, result.score, result.verification_id))
