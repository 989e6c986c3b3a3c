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
from screens.widgets.address_picker import AddressPicker  # noqa: F401  (registers the kv class)
from screens.widgets.dialog import Overlay  # noqa: F401  (registers the kv class)
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


BANKS = ("中国银行", "中国工商银行", "中国建设银行", "中国农业银行")


def promise(code: str, lang: str) -> str:
    """The department's promised time, from the one table receipts and the platform use too."""
    from service.contract.labels import LINKED_SERVICES

    service = LINKED_SERVICES.get(code)
    if service is None:
        return ""
    return service.expected_zh if lang == "zh" else service.expected_en.capitalize()


class LinkedScreen(StepScreen):
    """The five linked items: all (全链式) or a chosen subset (分链式), each with its few answers; for the
    seal and the tax UKey, how they reach the citizen: collected at the hall, or mailed free (免费寄递) to a
    standard address."""

    chosen = DictProperty({})
    delivery = DictProperty({})  # {"method": "collect" | "mail", "address", "address_code"}
    picking = BooleanProperty(False)  # the mailing address picker is open
    banks = ListProperty(list(BANKS))
    single = BooleanProperty(False)  # items for an existing company (no licence with them): titled so

    def on_kv_post(self, base_widget: Any) -> None:
        picker = self.ids.mail_picker
        picker.picked = self.mail_address_chosen
        picker.restricted = False
        self.app.bind(lang=lambda *a: self.build_items() if self.ids.item_rows.children else None)

    def on_pre_enter(self, *args: object) -> None:
        self.single = bool(getattr(self.journey, "company", None) is not None and
                           Step.LICENCE in self.journey.steps)
        if not self.chosen:
            self.chosen = self.journey.draft.linked or (
                {} if self.single else self.journey.default_linked())
        if not self.delivery:
            held = (self.chosen.get("seal") or self.chosen.get("tax") or {}).get("delivery")
            self.delivery = dict(held) if held else {"method": "collect"}
        self.build_items()

    def build_items(self) -> None:
        from service.contract.labels import SERVICES

        box = self.ids.item_rows
        if not box.children:
            for code in SERVICES:
                row = Factory.LinkedItem()
                row.service = code
                row.bind(on_release=lambda r: self.toggle(r.service))
                box.add_widget(row)
        for row in box.children:
            row.selected = row.service in self.chosen
            row.promise = promise(row.service, self.app.lang)

    def on_chosen(self, *args: object) -> None:
        if self.ids:
            for row in self.ids.item_rows.children:
                row.selected = row.service in self.chosen

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

    @staticmethod
    def bank_of(chosen: dict[str, Any]) -> str:
        """(kv binds to ``chosen`` itself: a call on the dict inside kv would not follow its changes)"""
        return str((chosen.get("bank_account") or {}).get("bank") or "")

    @staticmethod
    def method_of(delivery: dict[str, Any]) -> str:
        return str(delivery.get("method") or "collect")

    # -- how the seal and the UKey reach the citizen -------------------------------------------------
    def set_delivery(self, method: str) -> None:
        if method == "collect":
            self.delivery = {"method": "collect"}
            return
        address = self.journey.draft.address or {}
        if self.delivery.get("address"):
            self.delivery = {**self.delivery, "method": "mail"}
        elif address.get("code"):  # the company's own registered address, from the standard database
            self.delivery = {"method": "mail", "address": address.get("text", ""), "address_code": address["code"]}
        else:
            self.delivery = {"method": "mail"}
            self.pick_mail_address()

    def pick_mail_address(self) -> None:
        self.picking = True
        self.ids.mail_picker.start()

    def close_picker(self) -> None:
        self.app.keyboard.detach()
        self.picking = False
        if self.delivery.get("method") == "mail" and not self.delivery.get("address"):
            self.delivery = {"method": "collect"}

    def mail_address_chosen(self, option: dict[str, Any]) -> None:
        self.delivery = {"method": "mail", "address": option.get("text", ""), "address_code": option.get("code", "")}
        self.picking = False

    def delivery_text(self, lang: str, delivery: dict[str, Any], chosen: dict[str, Any]) -> str:
        what = [self.app.tr(f"ux.delivery.what.{k}", lang) for k in ("seal", "tax") if k in chosen]
        joined = ("、" if lang == "zh" else " and ").join(what)
        if delivery.get("method") == "mail":
            if delivery.get("address"):
                return self.app.tr("ux.delivery.mail_detail", lang, what=joined, address=delivery["address"])
            return self.app.tr("ux.delivery.mail_pick", lang)
        return self.app.tr("ux.delivery.collect_detail", lang, what=joined, site=self.app.services.pickup()["site"])

    def submit(self) -> None:
        from kiosk.journeys import Problem

        chosen = {k: dict(v) for k, v in self.chosen.items()}
        if ("seal" in chosen or "tax" in chosen) and self.delivery.get("method") == "mail" and \
                not self.delivery.get("address_code"):
            self.problems = [Problem("linked_services.delivery", self.app.tr("ux.delivery.need_address", "zh"),
                                     self.app.tr("ux.delivery.need_address", "en"))]
            return
        for code in ("seal", "tax"):
            if code in chosen:
                chosen[code]["delivery"] = dict(self.delivery)
        self.show(self.journey.set_linked(chosen))

    def reset(self) -> None:
        super().reset()
        self.chosen, self.delivery, self.picking = {}, {}, False
        if self.ids:
            self.ids.mail_picker.reset()


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

    @staticmethod
    def name_of(signer: dict[str, Any]) -> str:
        """Whose turn it is (kv follows ``signer`` itself; ``signer.get`` inside kv was never re-read)."""
        return str(signer.get("name") or "")

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
    """Approved / manual review / queued / rejected, each saying what really happened and what happens next,
    with the acceptance number large (and read out digit by digit)."""

    kind = StringProperty("")
    variant = StringProperty("")  # approved, approved_kept, approved_items, manual_review, queued, rejected
    lines = ListProperty([])
    company = StringProperty("")
    uscc = StringProperty("")
    number = StringProperty("")  # the acceptance number, grouped as printed
    qr = StringProperty("")  # the e-licence code when approved, else the progress code
    body_key = StringProperty("")
    review_days = NumericProperty(3)  # REG art. 19: decided within 3 working days when not on the spot

    def on_pre_enter(self, *args: object) -> None:
        from kiosk.documents import progress_url
        from service.contract import acceptance, elicence

        from service.contract import law

        self.review_days = law.REVIEW_WORKING_DAYS
        outcome = getattr(self.app, "outcome", {}) or {}
        decision = outcome.get("decision", {})
        self.kind = decision.get("decision", "")
        self.variant = result_variant(outcome)
        self.body_key = f"ux.result.{self.variant}"
        self.company = ((outcome.get("application") or {}).get("name") or {}).get("full", "")
        self.uscc = decision.get("uscc") or ""
        number = decision.get("acceptance_no") or outcome.get("acceptance_no") or \
            (outcome.get("application") or {}).get("acceptance_no") or ""
        self.number = acceptance.grouped(number) if number else ""
        public = self.app.services.kiosk_info()
        if self.kind == "approved" and decision.get("e_license"):  # a link a phone opens, carrying the payload
            self.qr = elicence.link(public["platform_public_url"], decision["e_license"]) \
                if public["platform_public_url"] else decision["e_license"]
        elif self.kind in ("manual_review", "queued") and number:
            self.qr = progress_url(number, public)
        else:
            self.qr = ""
        self.refresh_lines()

    def refresh_lines(self, *args: Any) -> None:
        from kiosk.services import print_lines

        outcome = getattr(self.app, "outcome", {}) or {}
        decision = outcome.get("decision", {})
        lang = self.app.lang
        lines = ["• " + r.get("message", "") for r in decision.get("reasons", [])]
        lines.extend(print_lines(outcome, lang))  # one line for the licence, one counting the receipts
        linked = (outcome.get("application") or {}).get("linked_services") or {}
        kind = decision.get("decision")
        if linked and kind in ("approved", "manual_review", "queued"):  # what happens next, and by when
            lines.append(self.app.tr("ux.result.items" if kind == "approved" else "ux.result.items_later", lang))
            for code, answers in linked.items():
                line = f"  {self.app.tr('linked.' + code, lang)}：{promise(code, lang)}" if lang == "zh" else \
                    f"  {self.app.tr('linked.' + code, lang)}: {promise(code, lang).lower()}"
                delivery = (answers or {}).get("delivery") or {}
                if code in ("seal", "tax") and delivery:
                    key = "ux.delivery.mail_short" if delivery.get("method") == "mail" else "ux.delivery.collect_short"
                    line += f"（{self.app.tr(key, lang)}）" if lang == "zh" else f" ({self.app.tr(key, lang)})"
                lines.append(line)
        self.lines = lines

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=lambda *a: self.refresh_lines() if self.manager and self.manager.current == self.name
                      else None)

    def spoken(self) -> tuple[str, dict[str, Any]]:
        from kiosk.voice import digits_spoken

        from service.contract import law

        return f"ux.voice.result.{self.variant or 'approved'}", {"number": digits_spoken(self.number, self.app.lang),
                                                                  "days": law.REVIEW_WORKING_DAYS}

    def say_number(self) -> None:
        from kiosk.voice import digits_spoken

        self.app.record("say_number", "")
        self.app.voice.prompt("ux.voice.number", self.app.lang, force=True,
                              number=digits_spoken(self.number, self.app.lang))

    def correct(self) -> None:
        self.journey.correct()
        self.app.show_journey(direction="right")

    def finish(self) -> None:
        self.app.finish_visit("visit finished")


def result_variant(outcome: dict[str, Any]) -> str:
    """Which of the true headlines fits: the licence printed or not, items only, review, queued, rejected."""
    decision = outcome.get("decision") or {}
    kind = decision.get("decision") or ""
    if kind == "approved":
        if not decision.get("e_license"):
            return "approved_items"
        return "approved" if outcome.get("licence_printed") else "approved_kept"
    return kind if kind in ("manual_review", "queued", "rejected") else "approved"
