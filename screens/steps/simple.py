"""Steps whose screens are a choice or a device wait: entity type, the applicant's card, phone, face check."""

from __future__ import annotations

from typing import Any

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.steps.base import StepScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class EntityTypeScreen(StepScreen):
    def choose(self, entity_type: str) -> None:
        self.show(self.journey.choose_entity_type(entity_type))


class CardScreen(StepScreen):
    """Waits for the applicant's card on the reader; the read happens off the UI thread.

    "没有读到证件？" is said only after a card was offered and could not be read; a wait that ended with
    no card at all says so instead."""

    waiting = BooleanProperty(False)
    offered = BooleanProperty(False)  # a card was put on the reader in this wait (a read failed)

    def on_enter(self, *args: object) -> None:
        self.start()

    def start(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        self.offered = False
        self.problems = []
        run_async(self.app.services.wait_for_card, on_trouble=self._trouble, on_done=self._read,
                  on_error=self._failed)

    def _trouble(self, key: str) -> None:
        """Called on the reader's thread: the card moved while it was read; tell the citizen."""
        from kivy.clock import Clock

        from kiosk.journeys import Problem

        problem = Problem("applicant_card", self.app.tr(key, "zh"), self.app.tr(key, "en"))

        def show(dt: float) -> None:
            self.offered = True
            self.problems = [problem]

        Clock.schedule_once(show, 0)

    def _read(self, card: object) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.show(self.journey.card_read(card))

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def reset(self) -> None:
        super().reset()
        self.waiting = self.offered = False

    def hint_key(self, waiting: bool, offered: bool, problems: list[Any]) -> str:
        if offered:  # 没有读到证件？ — a card was there and could not be read
            return "ux.card.offered_waiting" if waiting else "card.retry_hint"
        if waiting:
            return "card.waiting"
        return "ux.card.again" if problems else ""


RESEND_S = 60  # the platform's cooldown between two codes to one phone (its 429 says how long is left)


class PhoneScreen(StepScreen):
    phone = StringProperty("")
    code = StringProperty("")
    field = StringProperty("phone")  # which box the keypad types into
    sent = BooleanProperty(False)
    wait = NumericProperty(0)  # seconds until another code may be asked for

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._countdown: Any = None

    def start_wait(self, seconds: float) -> None:
        from kivy.clock import Clock

        self.wait = int(max(0, round(seconds)))
        if self._countdown is None:
            self._countdown = Clock.schedule_interval(self._tick, 1.0)

    def _tick(self, dt: float) -> None:
        self.wait = max(0, self.wait - 1)
        if self.wait <= 0 and self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def _send_failed(self, exc: BaseException) -> None:
        from kiosk.services import ServiceError

        self.fail(exc)  # the platform's own words ("请37秒后再重新获取") in Chinese
        if isinstance(exc, ServiceError) and exc.key == "error.sms.wait":
            self.start_wait(exc.wait_s or RESEND_S)
            self.sent = True  # a code was sent before: it can still be typed
            self.field = "code"

    def press(self, key: str) -> None:
        limit = 11 if self.field == "phone" else 6
        value = getattr(self, self.field)
        if key == "del":
            value = value[:-1]
        elif len(value) < limit:
            value += key
        setattr(self, self.field, value)

    def send_code(self) -> None:
        if self.wait > 0:
            return
        if len(self.phone) != 11:
            self.show(self.journey.phone_verified(self.phone, None))
            return
        self.busy = self.app.tr("phone.sending")
        run_async(self.app.services.send_sms, self.phone, self.journey.draft.applicant_card, on_done=self._sent,
                  on_error=self._send_failed)

    def _sent(self, _: object) -> None:
        self.busy = ""
        self.sent = True
        self.field = "code"
        self.problems = []
        self.start_wait(RESEND_S)

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
        self.wait = 0
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None


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
