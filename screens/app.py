"""KioskApp: the window, the screen manager, the idle countdown and the hidden maintenance corner.

The app owns no business logic: it holds the session, the idle timer and the services built
by :mod:`kiosk.runtime`, and screens ask it to move on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from kiosk.heartbeat import Heartbeat
from kiosk.i18n import tr
from kiosk.idle import IdleTimer
from kiosk.journeys.registration import RegistrationJourney, Step
from kiosk.services import KioskServices
from kiosk.pin import PinGate
from kiosk.session import Session
from kiosk.voice import Voice
from service.contract.systemd import Notifier
from screens import theme

log = logging.getLogger(__name__)


class StaleWidgetHandler(ExceptionHandler):
    """A touch that ends on a widget already gone (a layout rebuilt by the tap itself, e.g. large type switched
    on) raises ReferenceError inside Kivy's dispatch: the tap has done its work, so it is logged and the kiosk
    carries on instead of leaving the citizen at a restarting screen. Anything else is raised as before."""

    def handle_exception(self, inst: BaseException) -> Any:
        if isinstance(inst, ReferenceError):
            log.warning("a touch ended on a widget that no longer exists: %s", inst)
            return ExceptionManager.PASS
        return ExceptionManager.RAISE
HERE = Path(__file__).resolve().parent


class KioskRoot(FloatLayout):
    pass


class IdleOverlay(FloatLayout):
    seconds = NumericProperty(0)

    def on_touch_down(self, touch: Any) -> bool:
        if self.seconds <= 0:
            return False
        super().on_touch_down(touch)
        return True  # the dimmed screen behind swallows touches while the warning shows


class CornerHotspot(Widget):
    """Long-press here for ``hold_s`` seconds to open the maintenance PIN pad."""

    hold_s = NumericProperty(3.0)

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            touch.ud["yzt_corner"] = Clock.schedule_once(lambda dt: App.get_running_app().open_maintenance(),
                                                         self.hold_s)
        return False  # the touch still reaches what lies below

    def on_touch_up(self, touch: Any) -> bool:
        event = touch.ud.pop("yzt_corner", None)
        if event is not None:
            event.cancel()
        return False


class KioskApp(App):
    """The kiosk. ``cfg`` is a validated :class:`kiosk.config.Config`; ``runtime`` the built services."""

    lang = StringProperty("zh")
    scale = NumericProperty(1.0)
    voice_on = BooleanProperty(False)
    staff_called = NumericProperty(0)  # the platform's number of this visit's call for staff (0: none yet)
    title = "银政通"

    def __init__(self, cfg: Any, runtime: Any = None, on_started: Callable[["KioskApp"], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg
        self.runtime = runtime
        self._on_started = on_started
        self.session = Session(language=cfg.kiosk.language, elderly_mode=cfg.kiosk.elderly_mode)
        self.idle = IdleTimer(cfg.kiosk.idle_timeout_s, cfg.kiosk.idle_warning_s)
        self.pin_gate = PinGate(cfg.maintenance.pin_hash, cfg.maintenance.max_tries, cfg.maintenance.lock_s,
                                state_file=cfg.data_dir / "pin-lock.json", development=cfg.simulate)
        self.lang = self.session.language
        self.scale = theme.ELDERLY_SCALE if self.session.elderly_mode else 1.0
        self.events: list[tuple[str, str]] = []
        self.journey: RegistrationJourney | None = None
        self.journey_kind = ""  # open, single, progress … : what the visit's rating is about
        self.outcome: dict[str, Any] | None = None
        self.services = KioskServices(runtime, cfg)  # (event, detail) — what tests and the demo assert on
        self.heartbeat: Heartbeat | None = None
        self.forwarder: Any = None
        self._asked_for: Any = None  # the journey whose card was looked up in the journal (once a visit)
        self.voice = Voice.from_config(cfg)
        self.voice_on = self.voice.enabled
        self.notifier = Notifier()

    # -- building --------------------------------------------------------------------------
    def build(self) -> KioskRoot:
        import screens.widgets.dialog  # noqa: F401  (registers DialogLayer for base.kv)
        import screens.widgets.keyboard  # noqa: F401  (registers OnScreenKeyboard for base.kv)

        Builder.load_file(str(HERE / "base.kv"))
        from screens.home import HomeScreen
        from screens.maintenance import MaintenanceScreen
        from screens.notbuilt import NotBuiltScreen
        from screens.guide import GuideScreen
        from screens.pin import PinScreen
        from screens.progress import ProgressScreen
        from screens.farewell import FarewellScreen
        from screens.restored import RestoredScreen

        from screens.steps import company, licence, people, simple

        root = KioskRoot()
        self.sm: ScreenManager = root.ids.sm
        self.sm.transition = NoTransition()  # instant: no touch is lost to an animation
        for screen in (HomeScreen(name="home"), PinScreen(name="pin"), MaintenanceScreen(name="maintenance"),
                       NotBuiltScreen(name="notbuilt"), ProgressScreen(name="progress"), GuideScreen(name="guide"),
                       FarewellScreen(name="farewell"), RestoredScreen(name="restored")):
            self.sm.add_widget(screen)
        steps = {
            Step.ENTITY_TYPE: simple.EntityTypeScreen, Step.APPLICANT_CARD: simple.CardScreen,
            Step.PHONE: simple.PhoneScreen, Step.LIVENESS: simple.LivenessScreen, Step.NAME: company.NameScreen,
            Step.ADDRESS: company.AddressScreen, Step.SCOPE: company.ScopeScreen, Step.CAPITAL: company.CapitalScreen,
            Step.SHAREHOLDERS: people.ShareholdersScreen, Step.CONTRIBUTIONS: people.ContributionsScreen,
            Step.OFFICERS: people.OfficersScreen,
            Step.LINKED: people.LinkedScreen, Step.CHECK: people.CheckScreen, Step.SIGN: people.SignScreen,
            Step.SUBMIT: people.SubmitScreen, Step.RESULT: people.ResultScreen, Step.LICENCE: licence.LicenceScreen,
        }
        for step, cls in steps.items():
            self.sm.add_widget(cls(name=step.value))
        from screens import lifecycle

        lifecycle.register(self.sm)  # change, deregistration, suspension, reprint
        root.ids.corner.hold_s = self.cfg.maintenance.corner_hold_s
        Window.bind(on_touch_down=self._any_touch, on_request_close=self._refuse_close)
        Clock.schedule_interval(self._tick, 0.25)
        return root

    def on_start(self) -> None:
        self.record("started", self.sm.current)
        ExceptionManager.add_handler(StaleWidgetHandler())
        self._catch_sigterm()
        if self.runtime is not None and self.cfg.platform.url:
            self.heartbeat = Heartbeat(self.runtime).start()
            self.forwarder = self.runtime.forwarder().start()  # what a crash left in the outbox goes now
        self.notifier.ready(f"kiosk {self.cfg.kiosk.id} ready")
        import gc

        gc.freeze()  # what start-up built lives as long as the kiosk: no collector walks it again (nor at exit)
        if self._on_started is not None:
            self._on_started(self)

    def on_stop(self) -> None:
        """A clean stop: the forwarder finishes the record in hand, the journal its writes in flight;
        the devices are closed by whoever built the runtime (``start_ui``)."""
        self.notifier.stopping()
        self.voice.close()
        if self.heartbeat is not None:
            self.heartbeat.stop(timeout=1.0)
        if self.forwarder is not None:
            self.forwarder.stop(timeout=2.0)
        if self.runtime is not None and getattr(self.runtime, "_journal", None) is not None:
            self.runtime.journal().flush(2.0)

    def _catch_sigterm(self) -> None:
        """systemd stops the kiosk with SIGTERM: stop at the next frame, cleanly (well within its timeout)."""
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return

        def stop(signum: int, frame: Any) -> None:
            log.warning("SIGTERM: stopping")
            self.record("sigterm", "")
            Clock.schedule_once(lambda dt: self.stop(), 0)

        signal.signal(signal.SIGTERM, stop)

    # -- helpers for kv --------------------------------------------------------------------
    def tr(self, key: str, lang: str | None = None, **values: Any) -> str:
        return tr(key, lang or self.lang, **values)

    def record(self, event: str, detail: str = "") -> None:
        self.events.append((event, detail))
        log.info("ui %s %s", event, detail)

    # -- navigation ------------------------------------------------------------------------
    def go(self, name: str) -> None:
        if self.sm.current != name:
            self.keyboard.detach()  # the keyboard belongs to a field on the screen being left
            self.dialog.close()
            self.sm.current = name
            self.record("screen", name)
            self.speak_screen()

    def speak_screen(self) -> None:
        """The screen's spoken prompt: its own words when it has them (a result says what happened)."""
        screen = self.sm.current_screen
        spoken = getattr(screen, "spoken", None)
        key, values = spoken() if spoken is not None else (f"voice.{self.sm.current}", {})
        self.voice.prompt(key, self.lang, **values)

    def start_journey(self, kind: str) -> None:
        """Open one of the home page's tasks; journeys not offered yet say so honestly."""
        self.record("journey", kind)
        self.journey_kind = kind
        if kind in ("open", "single"):
            from kiosk.journeys.single import SingleItemJourney

            k = self.cfg.kiosk
            preset = {"bank": k.bank, "branch": k.branch} if k.site_type == "bank_branch" and k.bank else None
            app_id, number = self.runtime.new_visit() if self.runtime is not None else (None, None)
            cls = RegistrationJourney if kind == "open" else SingleItemJourney
            self.journey = cls(kiosk_id=k.id, preset_bank=preset, application_id=app_id, acceptance_no=number)
            self.outcome = None
            self.services.visit_started(self.journey, kind)
            self.show_journey()
        elif kind in ("change", "deregistration", "suspension", "reprint"):
            from screens import lifecycle

            lifecycle.start(self, kind)
        elif kind == "progress":
            self.go("progress")
        elif kind == "guide":
            self.go("guide")
        else:
            self.go("notbuilt")

    def show_journey(self, direction: str = "left") -> None:
        """Show the screen of the journey's current step (the answers so far journalled first)."""
        if self.journey is not None:
            self.services.visit_step(self.journey)
            if self._offer_earlier_visit():
                return
            screen = self.sm.get_screen(self.journey.current.value)
            screen.place = screen.position(self.lang)
            self.go(self.journey.current.value)

    def _offer_earlier_visit(self) -> bool:
        """Right after the applicant's card: the same citizen's visit a crash interrupted, if any, is
        offered back (the same application) instead of a second one."""
        journey = self.journey
        if journey is None or journey.draft.applicant_card is None or self.runtime is None:
            return False
        if journey is self._asked_for:  # once a visit (a correction after a rejection is the same visit)
            return False
        self._asked_for = journey
        visit = self.services.recognise(journey)
        if visit is None:
            return False
        printed_all = visit.decision is not None and set(self.services.documents_for(
            visit.application or {}, visit.decision)) <= set(visit.printed)
        self.record("recognised", f"{visit.acceptance_no} {visit.state}")
        self.sm.get_screen("restored").offer(visit, printed_all)
        self.go("restored")
        return True

    def resume_visit(self, visit: Any, reprint_all: bool = False) -> None:
        """Take up the earlier visit: its journey (the card just read), at its step or at submission."""
        if self.journey is None:
            return
        restored = self.services.resume(visit, self.journey)
        if reprint_all:
            self.runtime.journal().forget_printed(visit.application_id)
        for card in [restored.draft.applicant_card, *getattr(restored, "_cards", {}).values()]:
            if card is not None:
                self.session.remember_person(card)  # the log masks their strings too
        self._asked_for = restored
        self.journey = restored
        self.outcome = None
        self.record("resumed", f"{visit.acceptance_no} {restored.current.value}")
        self.show_journey()

    @property
    def keyboard(self) -> Any:
        return self.root.ids.keyboard

    def go_home(self) -> None:
        self.go("home")

    @property
    def dialog(self) -> Any:
        return self.root.ids.dialog

    # -- leaving: home with a confirmation, the end of the visit -----------------------------------------
    def held(self, lang: str | None = None) -> list[str]:
        """What this visit holds that going home would forget, in words ("您的身份证信息", "企业名称" …)."""
        lang = lang or self.lang
        out: list[str] = []
        journey = self.journey
        if journey is not None:
            for step in journey.steps:
                if step in journey.done:
                    text = self.tr(f"ux.forget.{step.value}", lang)
                    if not text.startswith("⟦") and text not in out:
                        out.append(text)
        people = len(self.session.people)
        if people > 1:
            out.insert(0, self.tr("ux.forget.people", lang, n=people))
        elif people == 1 and self.tr("ux.forget.applicant_card", lang) not in out:
            out.insert(0, self.tr("ux.forget.applicant_card", lang))
        return out

    def ask_home(self) -> None:
        """Home from the middle of a visit: say what will be forgotten, and ask first."""
        held = self.held()
        self.record("ask_home", self.sm.current)
        self.keyboard.detach()
        if not held and self.session.empty:
            self.end_visit("cancelled before anything was entered")
            return
        body = self.tr("ux.home.body", items="、".join(held) if self.lang == "zh" else ", ".join(held)) if held \
            else self.tr("ux.home.body_nothing")
        self.dialog.open("confirm_home", self.tr("ux.home.title"), body, [
            ("stay", self.tr("ux.home.stay"), lambda: self.record("home_declined", self.sm.current), False),
            ("leave", self.tr("ux.home.leave"), lambda: self.finish_visit("cancelled by the citizen"), True)])
        self.voice.prompt("ux.voice.home_confirm", self.lang)

    def finish_visit(self, reason: str, farewell: bool = True) -> None:
        """The visit is over: everything personal is forgotten now; then the farewell page (take your ID card,
        take what was printed, rate the service), which holds nothing personal, and home."""
        from kiosk.services import take_lines

        summary = {"journey": self.journey_kind or "open", "cards": len(self.session.people),
                   "lines": take_lines(self.outcome or {}, "zh"), "lines_en": take_lines(self.outcome or {}, "en"),
                   "printed": sum(1 for p in (self.outcome or {}).get("prints", []) if p.get("printed"))}
        self._forget(reason)
        if not farewell:
            self.end_visit(reason)
            return
        self.sm.get_screen("farewell").prepare(summary)
        self.go("farewell")

    # -- help and the hall's staff -------------------------------------------------------------------
    def show_help(self) -> None:
        """What this screen is for and what to do, shown and spoken; the way to a person is in the same box."""
        name = self.sm.current
        key = f"help.{name}" if not self.tr(f"help.{name}").startswith("⟦") else "help.default"
        title = self.tr(f"step.{name}")
        if title.startswith("⟦"):
            title = self.tr(f"ux.help.title.{name}")
            title = self.tr("ux.help") if title.startswith("⟦") else title
        self.record("help", name)
        self.keyboard.detach()
        self.dialog.open("help", self.tr("ux.help.heading", what=title), self.tr(key), [
            ("read", self.tr("ux.help.read"), lambda: self.voice.prompt(key, self.lang, force=True), False),
            ("staff", self.tr("ux.staff"), self.call_staff, False),
            ("ok", self.tr("ux.help.ok"), None, True)])
        self.voice.prompt(key, self.lang)

    def call_staff(self) -> None:
        """帮办: the hall's staff are asked to come (the platform records kiosk, time and screen; no person)."""
        from screens.worker import run_async

        step = self.sm.current
        if self.staff_called:
            self._staff_answer(self.staff_called)
            return
        self.record("call_staff", step)
        self.keyboard.detach()
        self.dialog.open("staff", self.tr("ux.staff"), self.tr("ux.staff.sending"), [])
        run_async(self.services.call_staff, step, on_done=self._staff_answer, on_error=self._staff_failed)

    def _staff_answer(self, number: int) -> None:
        self.staff_called = int(number)
        self.record("staff_called", str(number))
        self.dialog.open("staff", self.tr("ux.staff.sent.title"), self.tr("ux.staff.sent", n=number),
                         [("ok", self.tr("ux.help.ok"), None, True)])
        self.voice.prompt("ux.staff.sent", self.lang, n=number)

    def _staff_failed(self, exc: BaseException) -> None:
        self.record("staff_failed", str(exc)[:80])
        self.dialog.open("staff", self.tr("ux.staff.failed.title"), self.tr("ux.staff.failed"),
                         [("ok", self.tr("ux.help.ok"), None, True)])
        self.voice.prompt("ux.staff.failed", self.lang)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.session.language = self.lang
        self.record("language", self.lang)
        self.speak_screen()  # the same prompt, now in this language

    def toggle_voice(self) -> None:
        self.voice.set_enabled(not self.voice_on)
        self.voice_on = self.voice.enabled  # stays off where espeak-ng is missing (logged at start)
        self.record("voice", str(self.voice_on))
        if self.voice_on:
            self.speak_screen()

    def toggle_elderly(self) -> None:
        self.session.elderly_mode = not self.session.elderly_mode
        self.scale = theme.ELDERLY_SCALE if self.session.elderly_mode else 1.0
        self.record("elderly", str(self.session.elderly_mode))

    # -- idle ------------------------------------------------------------------------------
    def _any_touch(self, window: Any, touch: Any) -> bool:
        self.idle.touched()
        return False

    def keep_alive(self) -> None:
        self.idle.touched()
        self.root.ids.idle.seconds = 0

    def _tick(self, dt: float) -> None:
        self.notifier.feed()  # from the UI clock: a frozen screen stops feeding and systemd restarts the kiosk
        at_rest = (self.sm.current == "home" and self.session.empty and self.lang == self.cfg.kiosk.language
                   and self.session.elderly_mode == self.cfg.kiosk.elderly_mode)
        state, seconds = self.idle.poll()
        overlay = self.root.ids.idle
        if at_rest:  # nothing to wipe: no countdown on the start page
            overlay.seconds = 0
            self.idle.touched()
            return
        if state == "warning":
            if overlay.seconds == 0:
                self.record("idle_warning", str(seconds))
            overlay.seconds = seconds
        elif state == "expired":
            overlay.seconds = 0
            self.end_visit("idle timeout")
        else:
            overlay.seconds = 0

    def _forget(self, reason: str) -> None:
        """Forget everything personal the visit held (answers, cards, outcome); language and type size stay
        until the visit's last page is left."""
        if self.journey is not None:
            self.services.visit_ended(self.journey, reason)
        if self.journey is not None or not self.session.empty or self.outcome is not None:
            self.session.wipe(reason)  # once a visit: the farewell page after it holds nothing to wipe
        self.journey = None
        self.outcome = None
        self.staff_called = 0
        self.keyboard.detach()
        self.dialog.close()
        for screen in self.sm.screens:
            reset = getattr(screen, "reset", None)
            if reset is not None:
                reset()

    def end_visit(self, reason: str) -> None:
        """Wipe everything the visit held and return to the start, in the kiosk's language."""
        self._forget(reason)
        self.voice.hush()
        self.voice.set_enabled(Voice.from_config(self.cfg).enabled)  # the next citizen starts as configured
        self.voice_on = self.voice.enabled
        self.journey_kind = ""
        self.lang = self.session.language = self.cfg.kiosk.language
        self.session.elderly_mode = self.cfg.kiosk.elderly_mode
        self.scale = theme.ELDERLY_SCALE if self.session.elderly_mode else 1.0
        self.idle.touched()
        self.go_home()
        self.record("wiped", reason)

    # -- maintenance -----------------------------------------------------------------------
    def open_maintenance(self) -> None:
        self.record("maintenance_gesture", "")
        self.go("pin")

    def _refuse_close(self, *args: Any, **kwargs: Any) -> bool:
        return not self.cfg.simulate or self.cfg.kiosk.fullscreen  # a kiosk is never closed from its screen
