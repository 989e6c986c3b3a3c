"""Steps about people: shareholders (each reads their own card), officers, linked items, check, sign, result."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from kiosk.i18n import tr
from kiosk.journeys.registration import Step, wan_text, contribution_line, display_name, person_of
from service.contract import law
from service.contract.privacy import mask_id
from screens.steps.base import StepScreen
from screens.widgets.address_picker import AddressPicker  # noqa: F401  (registers the kv class)
from screens.widgets.dialog import Overlay  # noqa: F401  (registers the kv class)
from screens.widgets.qr_image import QrImage  # noqa: F401  (registers the kv class)
from screens.widgets.signature import SignaturePad  # noqa: F401  (registers the kv class)
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def _card_kind(person: dict[str, Any], lang: str) -> str:
    return tr(f"law.card.{person.get('id_type') or 'resident_id'}", lang)


def _rejected(screen: StepScreen, step: Step) -> list[Any]:
    """The last rejection's reasons for this step, each with what the applicant can do next."""
    return [screen.journey.explain(r) for r in screen.journey.rejected_here(step)]


class ShareholdersScreen(StepScreen):
    """Each shareholder puts their own card on the reader (any of the three card kinds); one who cannot be
    a shareholder here is taken off again. The amounts are confirmed on the next step."""

    rows = ListProperty([])  # one line per shareholder read
    waiting = BooleanProperty(False)

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=lambda *a: self.refresh())

    def on_pre_enter(self, *args: object) -> None:
        self.refresh()
        if self.journey is not None and not self.problems:
            self.problems = _rejected(self, Step.SHAREHOLDERS)

    def refresh(self) -> None:
        journey = self.journey
        box = self.ids.holders
        box.clear_widgets()
        if journey is None:
            self.rows = []
            return
        lang = self.app.lang
        self.rows = [f"{display_name(s)}  {mask_id(s['id_number'])}  {_card_kind(s, lang)}"
                     for s in journey.draft.shareholders]
        flagged = {r.get("field", "").split(".")[0] for r in journey.rejected_here(Step.SHAREHOLDERS)}
        for i, (s, text) in enumerate(zip(journey.draft.shareholders, self.rows)):
            row = Factory.HolderRow()
            row.text = ("⚠ " if f"shareholders[{i}]" in flagged else "") + text
            row.ids.drop.bind(on_release=lambda b, n=s["id_number"]: self.remove(n))
            box.add_widget(row)

    def remove(self, id_number: str) -> None:
        self.journey.remove_shareholder(id_number)
        self.problems = []
        self.refresh()

    def read_next(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        self.problems = []
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.problems = self.journey.add_shareholder(card)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def submit(self) -> None:
        self.show(self.journey.shareholders_done())

    def reset(self) -> None:
        super().reset()
        self.rows, self.waiting = [], False


DEADLINE_YEARS = (1, 2, 3, 5)  # the choices offered; 5 is the last day the law allows (CL art. 47)


class ContributionsScreen(StepScreen):
    """Each shareholder's contribution: the amount (万元, on the keypad), the method and the deadline,
    proposed (the capital shared, money, the last day allowed) and confirmed by the citizen."""

    entries = DictProperty({})  # id_number -> {"wan": str, "method": str, "deadline": date}
    selected = StringProperty("")
    total_text = StringProperty("")
    balanced = BooleanProperty(False)
    in_kind = BooleanProperty(False)  # some contribution is not in money
    selected_in_kind = BooleanProperty(False)  # the one being edited is not (the valuation note shows)
    limit_text = StringProperty("")

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=lambda *a: self.refresh())

    def on_pre_enter(self, *args: object) -> None:
        journey = self.journey
        if journey is None:
            return
        journey.propose_contributions()
        entries = {}
        for s in journey.draft.shareholders:
            old = self.entries.get(s["id_number"])
            entries[s["id_number"]] = old or {"cny": int(s.get("subscribed_cny") or 0),
                                              "method": s.get("contribution_method") or "currency",
                                              "deadline": date.fromisoformat(s["contribution_deadline"])}
        self.entries = entries
        if self.selected not in entries:
            self.selected = next(iter(entries), "")
        if not self.problems:
            self.problems = _rejected(self, Step.CONTRIBUTIONS)
        self.refresh()

    # -- editing the selected shareholder ------------------------------------------------------
    def _edit(self, **changes: Any) -> None:
        if not self.selected:
            return
        entries = dict(self.entries)
        entries[self.selected] = {**entries[self.selected], **changes}
        self.entries = entries
        self.problems = []
        self.refresh()

    def select(self, id_number: str) -> None:
        self.selected = id_number
        self.refresh()

    def press(self, key: str) -> None:
        """The keypad: the amount in 万元."""
        wan = str(self.entries.get(self.selected, {}).get("cny", 0) // 10_000 or "")
        if key == "del":
            wan = wan[:-1]
        elif len(wan) < 7 and not (key == "0" and not wan):
            wan += key
        self._edit(cny=int(wan or 0) * 10_000)

    def rest(self) -> None:
        """The selected shareholder takes what the others leave of the capital."""
        others = sum(e["cny"] for n, e in self.entries.items() if n != self.selected)
        self._edit(cny=max(0, (self.journey.draft.capital_cny or 0) - others))

    def set_method(self, method: str) -> None:
        self._edit(method=method)

    def set_years(self, years: int) -> None:
        self._edit(deadline=law.years_after(self.journey.today, years))

    def years_of(self, deadline: date) -> int | None:
        for years in DEADLINE_YEARS:
            if law.years_after(self.journey.today, years) == deadline:
                return years
        return None

    # -- showing -----------------------------------------------------------------------------
    def refresh(self) -> None:
        journey = self.journey
        if journey is None or "holders" not in self.ids:
            return
        lang = self.app.lang
        people = {s["id_number"]: s for s in journey.draft.shareholders}
        box = self.ids.holders
        box.clear_widgets()
        for n, e in self.entries.items():
            if n not in people:
                continue
            line = contribution_line({**people[n], "subscribed_cny": e["cny"], "contribution_method": e["method"],
                                      "contribution_deadline": e["deadline"].isoformat()}, lang)
            button = Factory.OptionButton(text=line, selected=n == self.selected)
            button.id_number = n
            button.bind(on_release=lambda b, n=n: self.select(n))
            box.add_widget(button)
        entry = self.entries.get(self.selected, {})
        self.ids.amount.text = tr("law.contribution.amount", lang, amount=wan_text(entry.get("cny", 0), lang)) \
            if entry else ""
        self.ids.editing.text = display_name(people[self.selected]) if self.selected in people else ""
        for chip in self.ids.methods.children:
            chip.selected = chip.method == entry.get("method")
            chip.text = tr(f"law.method.{chip.method}", lang)
        limit = law.contribution_limit(journey.today)
        for chip in self.ids.deadlines.children:
            day = law.years_after(journey.today, chip.years)
            chip.selected = entry.get("deadline") == day
            when = f"{day:%Y年%m月%d日}" if lang == "zh" else f"{day:%Y-%m-%d}"
            chip.text = tr("law.contribution.years_max" if day == limit else "law.contribution.years", lang,
                           years=chip.years, date=when)
        self.limit_text = tr("law.contribution.limit", lang, date=f"{limit:%Y年%m月%d日}" if lang == "zh"
                             else f"{limit:%Y-%m-%d}")
        total, capital = sum(e["cny"] for e in self.entries.values()), journey.draft.capital_cny or 0
        self.balanced = total == capital
        self.total_text = tr("law.contribution.total", lang, total=wan_text(total, lang), capital=wan_text(capital, lang))
        self.in_kind = any(e["method"] != "currency" for e in self.entries.values())
        self.selected_in_kind = entry.get("method", "currency") != "currency"

    def submit(self) -> None:
        for n, e in self.entries.items():
            problems = self.journey.set_contribution(n, e["cny"], e["method"], e["deadline"])
            if problems:
                self.selected = n
                self.refresh()
                self.problems = problems
                return
        self.show(self.journey.contributions_done())

    def reset(self) -> None:
        super().reset()
        self.entries, self.selected = {}, ""


# the officers step: one row per office, the people read in this visit as chips in each
OFFICE_ROWS = ("directors", "managers", "legal_representative", "supervisor", "finance_officer",
               "registration_contact")


class OfficersScreen(StepScreen):
    """Officers under the 2024 Company Law, chosen from the people read in this visit (one more card may be
    read for someone who is not a shareholder): a single director or a board, the manager, the legal
    representative among them, a supervisor, a board of supervisors or none with every shareholder's consent,
    the finance officer and the registration contact. The rules are on screen; a conflict is named as soon
    as it is chosen, in the platform's words (:func:`service.contract.officers.officer_conflicts`)."""

    people = ListProperty([])
    waiting = BooleanProperty(False)
    board = BooleanProperty(False)  # a board of directors (three or more) instead of one director
    directors = ListProperty([])
    manager_no = StringProperty("")  # the manager's ID number ('' for none; `manager` is the ScreenManager)
    legal_rep = StringProperty("")
    sup_mode = StringProperty("one")  # one | board | none
    supervisors = ListProperty([])
    consent = BooleanProperty(False)  # all shareholders agree to have no supervisor (CL art. 83)
    finance = StringProperty("")
    contact = StringProperty("")
    conflicts = ListProperty([])  # Problems of what is chosen now

    def on_kv_post(self, base_widget: Any) -> None:
        self.app.bind(lang=lambda *a: self.refresh())

    def on_pre_enter(self, *args: object) -> None:
        journey = self.journey
        if journey is None:
            return
        self.people = list(journey.people.values())
        self._forget_absent({p["id_number"] for p in self.people})
        if not self.directors and self.people:
            self._from_draft(journey.draft.officers) if journey.draft.officers else self._defaults()
            self._forget_absent({p["id_number"] for p in self.people})
            if not self.directors:
                self._defaults()
        if not self.problems:
            self.problems = _rejected(self, Step.OFFICERS)
        self.refresh()

    def _forget_absent(self, present: set[str]) -> None:
        """Offices held by someone no longer in this visit (a shareholder taken off) are open again."""
        self.directors = [n for n in self.directors if n in present]
        self.supervisors = [n for n in self.supervisors if n in present]
        for attr in ("manager_no", "legal_rep", "finance", "contact"):
            if getattr(self, attr) and getattr(self, attr) not in present:
                setattr(self, attr, "")

    def _defaults(self) -> None:
        """One director who is also the manager and the legal representative: the first shareholder (the
        usual small company); the applicant as registration contact. The supervisor is the citizen's choice."""
        holders = self.journey.draft.shareholders
        first = (holders[0] if holders else self.people[0])["id_number"]
        self.board, self.directors, self.manager_no, self.legal_rep = False, [first], first, first
        applicant = self.journey.draft.applicant_card
        self.contact = person_of(applicant)["id_number"] if applicant is not None else first

    def _from_draft(self, o: dict[str, Any]) -> None:
        def num(p: Any) -> str:
            return p["id_number"] if isinstance(p, dict) else ""

        self.directors = [num(p) for p in o.get("directors", [])]
        self.board = len(self.directors) > 1
        self.manager_no = num((o.get("managers") or [""])[0])
        self.legal_rep = num(o.get("legal_representative"))
        self.supervisors = [num(o["supervisor"])] if o.get("supervisor") else [num(p) for p in o.get("supervisors", [])]
        self.sup_mode = "none" if o.get("no_supervisor_consent") else "board" if len(self.supervisors) > 1 else "one"
        self.consent = bool(o.get("no_supervisor_consent"))
        self.finance, self.contact = num(o.get("finance_officer")), num(o.get("registration_contact"))

    # -- choosing ----------------------------------------------------------------------------
    def choose(self, office: str, id_number: str) -> None:
        """A tap on a person in an office's row."""
        def toggle(chosen: list[str]) -> list[str]:
            return [x for x in chosen if x != id_number] if id_number in chosen else [*chosen, id_number]

        if office == "directors":
            self.directors = toggle(self.directors) if self.board else [id_number]
        elif office == "managers":
            self.manager_no = "" if self.manager_no == id_number else id_number
        elif office == "legal_representative":
            self.legal_rep = id_number
        elif office == "supervisor":
            self.supervisors = toggle(self.supervisors) if self.sup_mode == "board" else \
                ([] if self.supervisors == [id_number] else [id_number])
        elif office == "finance_officer":
            self.finance = "" if self.finance == id_number else id_number
        elif office == "registration_contact":
            self.contact = id_number
        self.problems = []
        self.refresh()

    def set_board(self, board: bool) -> None:
        self.board = board
        if not board:
            self.directors = self.directors[:1]
        self.refresh()

    def set_sup_mode(self, mode: str) -> None:
        self.sup_mode = mode
        if mode == "none":
            self.supervisors = []
        elif mode == "one":
            self.supervisors = self.supervisors[:1]
            self.consent = False
        else:
            self.consent = False
        self.problems = []
        self.refresh()

    def toggle_consent(self) -> None:
        self.consent = not self.consent
        self.problems = []
        self.refresh()

    def offices(self) -> dict[str, Any]:
        """What is chosen, as :meth:`RegistrationJourney.set_officers` takes it."""
        one = self.sup_mode == "one" and len(self.supervisors) == 1
        return {"legal_rep": self.legal_rep or "", "directors": list(self.directors),
                "supervisor": self.supervisors[0] if one else None,
                "finance_officer": self.finance or None, "managers": [self.manager_no] if self.manager_no else [],
                "supervisors": [] if one or self.sup_mode == "none" else list(self.supervisors),
                "no_supervisor_consent": self.sup_mode == "none" and self.consent,
                "registration_contact": self.contact or None}

    def held(self, id_number: str, lang: str) -> list[str]:
        """The offices a person holds now (shown on their chip in the supervisor's row)."""
        out = []
        if id_number in self.directors:
            out.append(tr("law.office.directors", lang))
        if id_number == self.manager_no:
            out.append(tr("law.office.managers", lang))
        if id_number == self.finance:
            out.append(tr("law.office.finance_officer", lang))
        return out

    # -- showing -----------------------------------------------------------------------------
    def refresh(self) -> None:
        journey = self.journey
        if journey is None or "row_directors" not in self.ids:
            return
        lang = self.app.lang
        flagged = {r.get("field", "") for r in journey.rejected_here(Step.OFFICERS)}
        numbers = {p["id_number"]: p for p in self.people}
        eligible_rep = [*self.directors, *([self.manager_no] if self.manager_no else [])]
        chosen = {"directors": set(self.directors), "managers": {self.manager_no}, "legal_representative": {self.legal_rep},
                  "supervisor": set(self.supervisors), "finance_officer": {self.finance},
                  "registration_contact": {self.contact}}
        for office in OFFICE_ROWS:
            row = self.ids[f"row_{office}"]
            box = row.ids.chips
            box.clear_widgets()
            if office == "directors":
                for board in (False, True):
                    mode = Factory.Chip(text=tr("law.officers.board" if board else "law.officers.one_director", lang),
                                        selected=self.board == board, mode=True)
                    mode.bind(on_release=lambda b, v=board: self.set_board(v))
                    box.add_widget(mode)
            if office == "supervisor":
                for mode_name in ("one", "board", "none"):
                    mode = Factory.Chip(text=tr(f"law.officers.sup_{mode_name}", lang),
                                        selected=self.sup_mode == mode_name, mode=True)
                    mode.bind(on_release=lambda b, v=mode_name: self.set_sup_mode(v))
                    box.add_widget(mode)
                if self.sup_mode == "none":
                    consent = Factory.Chip(text=("☑ " if self.consent else "☐ ") + tr("law.officers.consent", lang),
                                           selected=self.consent)
                    consent.bind(on_release=lambda b: self.toggle_consent())
                    box.add_widget(consent)
                    row.hint = tr("law.officers.hint.none", lang)
                    continue
            people = [numbers[n] for n in eligible_rep if n in numbers] if office == "legal_representative" \
                else self.people
            for p in dict.fromkeys(map(lambda x: x["id_number"], people)):
                person = numbers[p]
                label = display_name(person)
                if office == "supervisor" and self.held(p, lang):
                    label += ("（" + "、".join(self.held(p, lang)) + "）") if lang == "zh" else \
                        (" (" + ", ".join(self.held(p, lang)) + ")")
                if any(f.startswith(f"officers.{office}") and journey.draft.officers and
                       _holds(journey.draft.officers, f, p) for f in flagged):
                    label = "⚠ " + label
                chip = Factory.Chip(text=label, selected=p in chosen[office])
                chip.id_number = p
                chip.bind(on_release=lambda b, o=office, n=p: self.choose(o, n))
                box.add_widget(chip)
            row.hint = tr(f"law.officers.hint.{office}", lang)
        self.conflicts = journey.officer_problems(journey.officers_of(**self.offices()))

    def read_person(self) -> None:
        if self.waiting:
            return
        self.waiting = True
        run_async(self.app.services.wait_for_card, on_done=self._read, on_error=self._failed)

    def _read(self, card: Any) -> None:
        self.waiting = False
        self.app.session.remember_person(card)
        self.problems = self.journey.person_read(card)
        self.people = list(self.journey.people.values())
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.waiting = False
        self.fail(exc)

    def submit(self) -> None:
        o = self.offices()
        self.show(self.journey.set_officers(o.pop("legal_rep"), o.pop("directors"), **o))

    def reset(self) -> None:
        super().reset()
        self.people, self.directors, self.supervisors, self.conflicts = [], [], [], []
        self.board, self.manager_no, self.legal_rep, self.sup_mode = False, "", "", "one"
        self.consent, self.finance, self.contact, self.waiting = False, "", "", False


def _holds(officers: dict[str, Any], field: str, id_number: str) -> bool:
    """Whether the person at ``field`` (officers.managers[0]) of the rejected officers is ``id_number``."""
    import re

    m = re.match(r"officers\.(\w+)(?:\[(\d+)\])?", field)
    if not m:
        return False
    value = officers.get(m.group(1))
    if isinstance(value, list):
        i = int(m.group(2) or 0)
        value = value[i] if i < len(value) else None
    return isinstance(value, dict) and value.get("id_number") == id_number


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
