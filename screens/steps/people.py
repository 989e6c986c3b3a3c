"""Steps about people: shareholders (each reads their own card), officers, linked items, check, sign, result."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from kiosk.journeys.registration import Step
from service.contract.privacy import mask_id
from screens.steps.base import StepScreen
from screens.widgets.qr_image import QrImage  # noqa: F401  (registers the kv class)
from screens.widgets.signature import SignaturePad  # noqa: F401  (registers the kv class)
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ShareholdersScreen(StepScreen):
    """Each shareholder puts their own card on the reader, then their subscription is set by percentage."""

    rows = ListProperty([])
    waiting = BooleanProperty(False)
    percent = NumericProperty(100)  # the share of the next shareholder

    def on_pre_enter(self, *args: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        d = self.journey.draft
        self.rows = [f"{s['name']}  {mask_id(s['id_number'])}  {s['subscribed_cny'] // 10_000} 万元"
                     for s in d.shareholders]
        left = (d.capital_cny or 0) - sum(s["subscribed_cny"] for s in d.shareholders)
        self.percent = max(0, round(100 * left / d.capital_cny)) if d.capital_cny else 0

    def read_next(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        self.problems = []
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        d = self.journey.draft
        amount = (d.capital_cny or 0) * self.percent // 100
        deadline = date(self.journey.today.year + 4, 12, 31)  # within the 5 years of 公司法 art. 47
        self.problems = self.journey.add_shareholder(card, amount, deadline)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def submit(self) -> None:
        self.show(self.journey.shareholders_done())

    def reset(self) -> None:
        super().reset()
        self.rows, self.waiting = [], False


class OfficersScreen(StepScreen):
    """Officers chosen from the people already read (one more card may be read for a non-shareholder)."""

    people = ListProperty([])
    roles = DictProperty({})  # role -> id_number
    waiting = BooleanProperty(False)
    ROLES = ("legal_representative", "director", "supervisor", "finance_officer")

    def on_pre_enter(self, *args: object) -> None:
        self.people = list(self.journey.people.values())
        if not self.roles and self.people:
            first = self.people[0]["id_number"]
            self.roles = {"legal_representative": first, "director": first}
        self.build_grid()

    def build_grid(self) -> None:
        grid = self.ids.grid
        grid.clear_widgets()
        grid.add_widget(Factory.GridHead(text=self.app.tr("officers.person")))
        for role in self.ROLES:
            grid.add_widget(Factory.GridHead(text=self.app.tr(f"officers.{role}")))
        for person in self.people:
            grid.add_widget(Factory.GridHead(text=person["name"]))
            for role in self.ROLES:
                selected = self.roles.get(role) == person["id_number"]
                button = Factory.OptionButton(text=self.app.tr("officers.chosen") if selected else "")
                button.selected = selected
                button.bind(on_release=lambda b, r=role, p=person: self.assign(r, p["id_number"]))
                grid.add_widget(button)

    def assign(self, role: str, id_number: str) -> None:
        roles = dict(self.roles)
        roles[role] = None if roles.get(role) == id_number and role in ("supervisor", "finance_officer") else id_number
        self.roles = roles
        self.build_grid()

    def read_person(self) -> None:
        self.waiting = True
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.problems = self.journey.person_read(card)
        self.people = list(self.journey.people.values())
        self.build_grid()

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def submit(self) -> None:
        r = self.roles
        directors = [r["director"]] if r.get("director") else []
        self.show(self.journey.set_officers(r.get("legal_representative") or "", directors, r.get("supervisor"),
                                            r.get("finance_officer")))

    def reset(self) -> None:
        super().reset()
        self.people, self.roles, self.waiting = [], {}, False


class LinkedScreen(StepScreen):
    """The five linked items: all (全链式) or a chosen subset (分链式), each with its few answers."""

    chosen = DictProperty({})

    def on_pre_enter(self, *args: object) -> None:
        if not self.chosen:
            self.chosen = self.journey.draft.linked or self.journey.default_linked()

    def toggle(self, service: str) -> None:
        chosen = dict(self.chosen)
        if service in chosen:
            del chosen[service]
        else:
            chosen[service] = self.journey.default_linked()[service]
        self.chosen = chosen

    def all_items(self) -> None:
        self.chosen = {**self.journey.default_linked(), **{k: v for k, v in self.chosen.items()}}

    def set_bank(self, bank: str) -> None:
        chosen = dict(self.chosen)
        chosen["bank_account"] = {"bank": bank, "branch": self.app.services.branch_for(bank)}
        self.chosen = chosen

    def set_ratio(self, ratio: int) -> None:
        chosen = dict(self.chosen)
        chosen["housing_fund"] = {"deposit_ratio_percent": ratio}
        self.chosen = chosen

    def submit(self) -> None:
        self.show(self.journey.set_linked(dict(self.chosen)))

    def reset(self) -> None:
        super().reset()
        self.chosen = {}


class CheckScreen(StepScreen):
    """Check your answers: every answer with a change link back to its step."""

    rows = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        self.rows = self.app.services.summary(self.journey, self.app.lang)
        box = self.ids.rows
        box.clear_widgets()
        for step, label, value in self.rows:
            row = Factory.CheckRow()
            row.label, row.value = label, value
            row.ids.change.bind(on_release=lambda b, s=step: self.change(s))
            box.add_widget(row)

    def change(self, step: str) -> None:
        self.journey.change(Step(step))
        self.app.show_journey(direction="right")

    def submit(self) -> None:
        self.show(self.journey.confirm_answers())


class SignScreen(StepScreen):
    """Every signer signs in turn; the hash of each signature goes into the application."""

    signer = DictProperty({})
    signed = ListProperty([])

    def on_pre_enter(self, *args: object) -> None:
        self.next_signer()

    def next_signer(self) -> None:
        unsigned = self.journey.unsigned
        self.signer = unsigned[0] if unsigned else {}
        self.ids.pad.clear()

    def clear(self) -> None:
        self.ids.pad.clear()

    def confirm(self) -> None:
        pad = self.ids.pad
        if not pad.enough_ink:
            from kiosk.journeys import Problem

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
        self.signer, self.signed = {}, []


class SubmitScreen(StepScreen):
    """Submission and printing, with progress shown at every stage; never wipes mid-transaction."""

    stage = StringProperty("")

    def on_enter(self, *args: object) -> None:
        self.app.idle.paused = True
        self.stage = self.app.tr("submit.sending")
        run_async(self.app.services.submit, self.journey, self.progress, on_done=self._done, on_error=self._failed)

    def progress(self, key: str) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda dt: setattr(self, "stage", self.app.tr(key)), 0)

    def _done(self, outcome: dict[str, Any]) -> None:
        self.app.idle.paused = False
        self.app.outcome = outcome
        self.journey.decided(outcome["decision"])
        self.app.show_journey()

    def _failed(self, exc: BaseException) -> None:
        self.app.idle.paused = False
        self.fail(exc)


class ResultScreen(StepScreen):
    """Approved / manual review / rejected, each with what happens next."""

    kind = StringProperty("")
    lines = ListProperty([])
    company = StringProperty("")
    uscc = StringProperty("")
    qr = StringProperty("")  # the e-licence code when approved, else the progress code
    body_key = StringProperty("")

    def on_pre_enter(self, *args: object) -> None:
        from kiosk.documents import progress_url
        from service.contract import elicence

        outcome = getattr(self.app, "outcome", {}) or {}
        decision = outcome.get("decision", {})
        self.kind = decision.get("decision", "")
        single = self.kind == "approved" and not decision.get("e_license")  # items for an existing company
        self.body_key = "result.approved_items.body" if single else f"result.{self.kind or 'approved'}.body"
        self.company = ((outcome.get("application") or {}).get("name") or {}).get("full", "")
        self.uscc = decision.get("uscc") or ""
        public = self.app.services.kiosk_info()
        if self.kind == "approved" and decision.get("e_license"):  # a link a phone opens, carrying the payload
            self.qr = elicence.link(public["platform_public_url"], decision["e_license"]) \
                if public["platform_public_url"] else decision["e_license"]
        elif self.kind in ("manual_review", "queued") and decision.get("acceptance_no"):
            self.qr = progress_url(decision["acceptance_no"], public)
        else:
            self.qr = ""
        lines = ["• " + r.get("message", "") for r in decision.get("reasons", [])]
        lines.extend(dict.fromkeys(outcome.get("printed", [])))  # one line per message, however many jobs
        self.lines = lines

    def correct(self) -> None:
        self.journey.correct()
        self.app.show_journey(direction="right")

    def finish(self) -> None:
        self.app.end_visit("visit finished")
