"""What the lifecycle screens share: the record the platform hands the legal representative, check your
answers, signing after each signer's own card, and the result (acceptance number, QR code, dates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, StringProperty

from kiosk.journeys.lifecycle import LifecycleJourney, step_named
from screens.steps.base import StepScreen
from screens.steps.people import CheckScreen
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LifeScreen(StepScreen):
    """A lifecycle step; the first one after the face check asks the platform for the company's record
    (only its legal representative gets it) before it shows anything of the company."""

    refused = BooleanProperty(False)  # not the legal representative: nothing to show but the way out
    ready = BooleanProperty(False)  # the record (and what the step needs besides) is here

    @property
    def life(self) -> LifecycleJourney | None:
        j = getattr(self.app, "journey", None)
        return j if isinstance(j, LifecycleJourney) else None

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=self._language)

    def _language(self, *args: Any) -> None:
        """Buttons built from the record speak the new language too."""
        if self.manager is not None and self.manager.current == self.name and self.ready:
            self.loaded()

    def on_pre_enter(self, *args: object) -> None:
        j = self.life
        self.refused = bool(j and j.refused)
        self.ready = bool(j and j.record is not None)
        if j is not None and self.ready:
            self.loaded()

    def on_enter(self, *args: object) -> None:
        j = self.life
        if j is None or j.record is not None or j.refused or self.busy:
            return
        self.busy = self.app.tr("life.record.loading")
        run_async(self.app.services.company_record, j, j.kind, on_done=self._record, on_error=self.fail)

    def _record(self, record: dict[str, Any] | None) -> None:
        self.busy = ""
        j = self.life
        if j is None:
            return
        if record is None:
            self.problems = j.record_refused()
            self.refused = True
            self.app.record("life_refused", j.kind)
            return
        j.record_loaded(record)
        self.ready = True
        self.loaded()

    def loaded(self) -> None:
        """The record is here: fill the screen from it."""

    def leave(self) -> None:
        self.app.end_visit("not the legal representative")

    def reset(self) -> None:
        super().reset()
        self.refused = self.ready = False


class LifeCheckScreen(CheckScreen):
    """Check your answers (the establishment's page), each row leading back to its lifecycle step."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = "life_check"

    def on_pre_enter(self, *args: object) -> None:
        if isinstance(getattr(self.app, "journey", None), LifecycleJourney):
            super().on_pre_enter(*args)

    def change(self, step: str) -> None:
        self.journey.change(step_named(step))
        self.app.show_journey(direction="right")


class LifeSignScreen(StepScreen):
    """Every signer the law requires, in turn: their own card on the reader first, then the signature."""

    signer = DictProperty({})
    needs_card = BooleanProperty(False)
    waiting = BooleanProperty(False)
    signed = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        self.next_signer()

    def next_signer(self) -> None:
        j = self.app.journey
        unsigned = j.unsigned if isinstance(j, LifecycleJourney) else []
        self.signer = unsigned[0] if unsigned else {}
        self.needs_card = bool(self.signer) and not j.card_read_for(self.signer["id_number"])
        self.ids.pad.clear()
        if self.needs_card and self.manager is not None and self.manager.current == self.name:
            self.read_card()

    def on_enter(self, *args: object) -> None:
        if self.needs_card:
            self.read_card()

    def read_card(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.problems = self.journey.signer_card(card)
        if not self.problems:
            who = next((s for s in self.journey.unsigned if self.journey.card_read_for(s["id_number"])), None)
            if who is not None:
                self.signer = who
            self.needs_card = False

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def clear(self) -> None:
        self.ids.pad.clear()

    def confirm(self) -> None:
        from kiosk.journeys import Problem

        pad = self.ids.pad
        if self.needs_card or not self.signer:
            return
        if not pad.enough_ink:
            self.problems = [Problem("signatures", self.app.tr("sign.too_little", "zh"),
                                     self.app.tr("sign.too_little", "en"))]
            return
        _, _, digest = pad.export()
        problems = self.journey.signed(self.signer["id_number"], digest)
        self.signed = [*self.signed, self.signer.get("name", "")]
        if problems or self.journey.unsigned:
            self.problems = problems
            self.next_signer()
            return
        self.show([])

    def reset(self) -> None:
        super().reset()
        self.signer, self.signed, self.needs_card, self.waiting = {}, [], False, False


class LifeResultScreen(StepScreen):
    """The decision (or the reprint): what happens next, the dates the law sets, what was printed, the QR."""

    kind = StringProperty("")  # approved, manual_review, rejected, queued, reprinted
    title = StringProperty("")
    body = StringProperty("")
    company = StringProperty("")
    uscc = StringProperty("")
    number = StringProperty("")
    qr = StringProperty("")
    qr_caption = StringProperty("")
    lines = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        self.fill()

    def fill(self) -> None:
        from kiosk.documents import progress_url
        from service.contract import acceptance, elicence

        j = self.app.journey
        if not isinstance(j, LifecycleJourney):
            self.kind = self.title = self.body = self.qr = ""
            self.lines = []
            return
        tr, lang = self.app.tr, self.app.lang
        public = self.app.services.kiosk_info()
        self.company = j.company.get("name", "")
        if j.kind == "reprint":
            outcome = j.reprinted or {}
            record = j.record or {}
            self.kind, self.uscc, self.number = "reprinted", record.get("uscc", ""), ""
            self.title, self.body = tr("life.result.reprinted", lang), tr("life.result.reprinted.body", lang)
            self.lines = list(outcome.get("printed", []))
            code = record.get("e_license") or ""
            self.qr = elicence.link(public["platform_public_url"], code) if code and public["platform_public_url"] \
                else code
            self.qr_caption = tr("result.qr_licence", lang)
            return
        outcome = getattr(self.app, "outcome", None) or {}
        decision = outcome.get("decision") or j.decision or {}
        self.kind = decision.get("decision", "")
        renamed = (j.changes().get("name") or {}).get("full") if j.kind == "change" else None
        if renamed and self.kind == "approved":
            self.company = renamed  # the new name, on the new licence
        self.uscc = decision.get("uscc") or j.company.get("uscc", "")
        number = decision.get("acceptance_no") or (outcome.get("application") or {}).get("acceptance_no") or ""
        self.number = acceptance.grouped(number) if number else ""
        self.title = tr(f"life.result.{self.kind or 'approved'}", lang)
        self.body = tr(f"life.result.{j.kind}.{self.kind or 'approved'}", lang)
        lines = ["• " + r.get("message", "") for r in decision.get("reasons", [])]
        lines += self.dates(j, decision)
        lines.extend(dict.fromkeys(outcome.get("printed", [])))
        self.lines = lines
        if self.kind == "approved" and decision.get("e_license"):
            code = decision["e_license"]
            self.qr = elicence.link(public["platform_public_url"], code) if public["platform_public_url"] else code
            self.qr_caption = tr("result.qr_licence", lang)
        elif number and self.kind != "rejected":
            self.qr, self.qr_caption = progress_url(number, public), tr("result.qr_progress", lang)
        else:
            self.qr = self.qr_caption = ""

    def dates(self, j: LifecycleJourney, decision: dict[str, Any]) -> list[str]:
        tr, lang = self.app.tr, self.app.lang
        if decision.get("decision") != "approved":
            return []
        until, effective = decision.get("announcement_until"), decision.get("effective_on")
        if j.kind == "deregistration":
            out = [tr("life.result.announced", lang, until=until)] if until else []
            if effective:
                out.append(tr("life.result.effective", lang, day=effective))
            return out + [tr("life.result.name_freed", lang)]
        if j.kind == "suspension":
            p = j.period
            if p.get("resume"):
                return [tr("life.resume.on", lang, day=str(effective or p["from"]))]
            return [tr("life.result.suspended", lang, start=p["from"].isoformat(), end=p["to"].isoformat())]
        if j.kind == "change":
            told = [i.get("service") for i in (getattr(self.app, "outcome", None) or {}).get("items", [])]
            names = "、".join(tr("life.told." + s, lang) for s in told if s)
            return [tr("life.result.same_uscc", lang)] + ([tr("life.result.told", lang, names=names)] if names else [])
        return []

    def correct(self) -> None:
        self.journey.correct()
        self.app.show_journey(direction="right")

    def finish(self) -> None:
        self.app.end_visit("visit finished")
