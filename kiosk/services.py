"""What the screens may ask of the world, in one place: cards, SMS, name check, addresses, submission, printing.

Screens call these from a worker thread (:func:`screens.worker.run_async`) and pass the answers
to the journey; nothing here knows Kivy. Each method raises :class:`ServiceError` with a Chinese
message and a way forward when the device or the platform cannot serve.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kiosk.i18n import tr

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A failure the citizen is told about: ``key`` names the message in the catalogue."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(detail or key)
        self.key = key
        self.detail = detail

    def message(self, lang: str) -> str:
        """The catalogue's words; in Chinese, the platform's own when it gave some (a wait time, a reason)."""
        if lang == "zh" and self.key in PLATFORM_WORDS and self.detail:
            return self.detail
        return tr(self.key, lang)


PLATFORM_WORDS = ("error.sms.wait", "error.sms.not_owner", "error.sms.expired", "error.face.platform",
                  "error.platform.refused")


class KioskServices:
    def __init__(self, runtime: Any, cfg: Any) -> None:
        self.runtime = runtime
        self.cfg = cfg
        self._visit_ids: dict[int, str] = {}  # journey → its application id, to see a correction

    # -- devices ---------------------------------------------------------------------------
    def device(self, kind: str) -> Any:
        device = self.runtime.devices.get(kind) if self.runtime is not None else None
        if device is None:
            raise ServiceError(f"error.device.{kind}", self.runtime.device_errors.get(kind, "") if self.runtime else "")
        return device

    def wait_for_card(self, timeout_s: float = 30.0, poll_s: float = 0.3,
                      on_trouble: Any = None) -> Any:
        """Block until a card is read (or ``timeout_s`` passes: ServiceError ``error.card.timeout``).

        A read that fails because the card moved is not the end: ``on_trouble(key)`` tells the
        screen (``error.card.moved``) and the reader keeps polling until the card lies still.
        """
        reader = self.device("idcard")
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                card = reader.read_card()
            except Exception as exc:  # a transient read error: say so, keep polling
                last_error = exc
                card = None
                if on_trouble is not None:
                    state = getattr(exc, "state", None)
                    on_trouble("error.card.moved" if getattr(state, "value", "") == "user_error"
                               else "error.card.unreadable")
            if card is not None:
                return card
            time.sleep(poll_s)
        raise ServiceError("error.card.timeout", str(last_error or ""))

    # -- platform --------------------------------------------------------------------------
    def platform(self) -> Any:
        client = self.runtime.platform_client() if self.runtime is not None else None
        if client is None:
            raise ServiceError("error.platform.down", "no platform client")
        return client

    def region_name(self) -> str:
        """The city the kiosk registers in (the name's region part)."""
        return self.cfg.kiosk.region

    def check_name(self, region: str, trade_name: str, industry: str, form: str) -> dict[str, Any]:
        return self.platform().check_name(region=region, trade_name=trade_name, industry=industry, form=form)

    def address_options(self, level: int, parent: str | None) -> list[dict[str, Any]]:
        """Divisions (level 0), streets of a division (1), buildings/units of a street (2)."""
        return self.platform().address_options(level=level, parent=parent)

    def search_scopes(self, query: str) -> list[dict[str, Any]]:
        return self.platform().search_scopes(query=query, limit=40)

    def send_sms(self, phone: str, card: Any) -> None:
        """三要素 at the platform, then the code to the phone. ServiceError ``error.sms.not_owner`` when the
        phone is registered to someone else; ``error.sms.wait`` (with the platform's words) in a cooldown."""
        from kiosk.journeys.registration import person_of
        from kiosk.platform_client import PlatformError

        person = person_of(card)
        try:
            self.platform().send_sms_code(phone, person["id_number"] or "", person["name"] or "")
        except PlatformError as exc:
            if exc.status == 422 and "PHONE_NOT_OWNER" in exc.detail:
                raise ServiceError("error.sms.not_owner", exc.message) from None
            if exc.status == 429:
                raise ServiceError("error.sms.wait", exc.message) from None
            raise ServiceError("error.platform.down", exc.message) from None

    def verify_sms(self, phone: str, code: str, card: Any) -> str | None:
        """The platform's verification id for a right code; None for a wrong one."""
        from kiosk.journeys.registration import person_of
        from kiosk.platform_client import PlatformError

        try:
            return self.platform().verify_sms_code(phone, code, person_of(card)["id_number"] or "")
        except PlatformError as exc:
            raise ServiceError("error.sms.expired" if exc.status in (404, 410, 429) else "error.platform.down",
                               exc.message) from None

    def liveness(self, card: Any) -> Any:
        """Liveness on the camera, then the platform's comparison: a :class:`kiosk.face.FaceResult`."""
        from kiosk.face import FaceError, check_face
        from kiosk.platform_client import PlatformError

        try:
            return check_face(self.device("camera"), self.cfg, card, self.platform().verify_face)
        except FaceError as exc:
            raise ServiceError(exc.key, str(exc)) from None
        except TimeoutError as exc:
            raise ServiceError("error.device.camera", str(exc)) from None
        except PlatformError as exc:
            raise ServiceError("error.face.platform", exc.message) from None

    # -- submission and printing -------------------------------------------------------------
    def verify_licence(self, text: str) -> dict[str, Any]:
        """The platform's check of a scanned e-licence code (signature, expiry, registration)."""
        from kiosk.platform_client import PlatformError
        from service.contract import elicence

        try:
            return self.platform().verify_licence(elicence.payload_of(text))
        except PlatformError as exc:
            raise ServiceError("error.platform.down", exc.detail) from None

    def kiosk_info(self) -> dict[str, Any]:
        """What receipts print about this kiosk, and where their QR codes point."""
        public = self.cfg.platform.public_url or ""
        if not public:
            try:
                public = self.platform().base_url
            except ServiceError:
                public = ""
        return {"id": self.cfg.kiosk.id, "site": self.cfg.kiosk.site, "platform_public_url": public}

    def submit(self, journey: Any, progress: Any = lambda key: None) -> dict[str, Any]:
        """Journal, send, print. Returns ``{"decision", "printed", "queued", "licence_pdf"}``.

        The application is in the outbox (sealed, fsynced) before a byte leaves; a platform that is
        down leaves it there for the forwarder, and the citizen gets an acceptance receipt with the
        progress code. A printer that cannot print keeps the job for reprint. A visit restored after a
        crash sends the very document journalled then, and prints only what did not come out.
        """
        from kiosk.outbox import PermanentRejection

        app_id = journey.draft.application_id
        outbox, journal = self.runtime.outbox(), self.runtime.journal()
        earlier = journal.get(app_id)
        application = ((earlier.application if earlier else None) or outbox.application(app_id)
                       or journey.application())
        outbox.put(application)
        journal.submitted(app_id, application, "single" if getattr(journey, "company", None) else "open")
        journey.submitting()
        progress("submit.sending")
        decision = earlier.decision if earlier is not None and earlier.decision else None
        if decision is None:
            try:
                client = self.platform()
                decision = outbox.deliver(app_id, client.submit)
            except PermanentRejection as exc:
                raise ServiceError("error.platform.refused", getattr(exc, "message", str(exc))) from None
            except ServiceError:
                decision = None
            except KeyError:  # delivered and purged long ago: the journal's decision is all there is
                decision = None
            if decision is not None:
                journal.decided(app_id, decision)
        outcome: dict[str, Any] = {"application": application, "printed": [], "queued": decision is None,
                                   "licence_pdf": None}
        if decision is None:
            outcome["decision"] = {"application_id": app_id, "acceptance_no": application.get("acceptance_no"),
                                   "decision": "queued", "reasons": []}
            journal.decided(app_id, outcome["decision"], queued=True)
        else:
            outcome["decision"] = decision
        done = set(earlier.printed) if earlier is not None else set()
        self.print_documents(application, outcome, progress, skip=done)
        return outcome

    @staticmethod
    def documents_for(application: dict[str, Any], decision: dict[str, Any]) -> list[str]:
        """What a decision prints: the licence and the result notice for a new company, the linked items'
        receipt when items were chosen, an acceptance receipt while it waits (review, queued)."""
        verdict = decision.get("decision")
        if verdict == "approved":
            kinds = ["licence", "result"] if decision.get("e_license") else []
            return kinds + (["linked_items"] if application.get("linked_services") else [])
        if verdict in ("manual_review", "queued"):
            return ["acceptance"]
        return []

    def print_documents(self, application: dict[str, Any], outcome: dict[str, Any], progress: Any = lambda key: None,
                        skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Print what the outcome's decision calls for, but ``skip``; each document that came out whole is
        journalled as printed. Returns the kinds printed."""
        decision = outcome["decision"]
        kiosk = self.kiosk_info()
        due = [k for k in self.documents_for(application, decision) if k not in skip]
        printed = []
        if "licence" in due:
            progress("submit.printing_licence")
        elif due:
            progress("submit.printing_receipt")
        for kind in due:
            if kind == "licence":
                ok = self._print_licence(application, decision, outcome)
                progress("submit.printing_receipt")
            else:
                ok = self._print_receipt(kind, application, None if kind == "acceptance" and
                                         decision.get("decision") == "queued" else decision, kiosk, outcome)
            if ok:
                printed.append(kind)
                try:
                    self.runtime.journal().printed(application["application_id"], kind)
                except Exception as exc:  # a print mark not written means a reprint offered, nothing worse
                    log.warning("print mark not journalled: %s", exc)
        return printed

    def _print_licence(self, application: dict[str, Any], decision: dict[str, Any], outcome: dict[str, Any]) -> bool:
        from kiosk.documents import licence_from, licence_pdf

        licence = licence_from(application, decision, authority=f"{self.cfg.kiosk.region}市场监督管理局",
                               public_url=self.kiosk_info()["platform_public_url"])
        pdf = licence_pdf(licence, "A4")
        outcome["licence_pdf"] = pdf
        try:
            printer = self.device("document_printer")
            result = printer.print_pdf(pdf, application["application_id"], "licence",
                                       f"营业执照 {decision.get('uscc', '')}", "A4")
        except ServiceError:
            outcome["printed"].append(tr("print.licence_kept", "zh"))
            outcome["licence_printed"] = False
            return False
        except Exception as exc:  # the decision stands whatever the printer does
            log.error("licence printing failed: %s", exc)
            outcome["printed"].append(tr("print.licence_kept", "zh"))
            outcome["licence_printed"] = False
            return False
        outcome["licence_printed"] = result.printed
        outcome["printed"].append(tr("print.licence_done", "zh") if result.printed else result.message_zh)
        return bool(result.printed)

    def _print_receipt(self, kind: str, application: dict[str, Any], decision: dict[str, Any] | None,
                       kiosk: dict[str, Any], outcome: dict[str, Any]) -> bool:
        from kiosk import documents

        makers = {"acceptance": lambda: documents.acceptance_receipt(application, decision, kiosk),
                  "result": lambda: documents.result_notice(application, decision or {}, kiosk),
                  "linked_items": lambda: documents.linked_items_receipt(application, decision, kiosk)}
        receipt = makers[kind]()
        try:
            result = self.device("receipt_printer").print_receipt(receipt)
        except ServiceError:
            outcome["printed"].append(tr("print.receipt_kept", "zh"))
            return False
        except Exception as exc:
            log.error("receipt printing failed: %s", exc)
            outcome["printed"].append(tr("print.receipt_kept", "zh"))
            return False
        outcome.setdefault("receipts", []).append({"kind": kind, "printed": result.printed})
        outcome["printed"].append(tr(f"print.{kind}_done", "zh") if result.printed else result.message_zh)
        return bool(result.printed)

    def flush_outbox(self) -> tuple[int, int]:
        """Send everything waiting in the outbox now (the forwarder does it by itself; this is maintenance's
        button): (delivered, still waiting)."""
        return self.runtime.forwarder().run_once(force=True)

    # -- the visit journal: a visit survives a crash ------------------------------------------------
    def visit_started(self, journey: Any, kind: str) -> None:
        self._journal_call("begin", journey.draft.application_id, journey.draft.acceptance_no, kind)

    def visit_step(self, journey: Any) -> None:
        """Journal the answers so far (sealed; the screen does not wait for the disk). A journey whose
        application id changed (corrected after a rejection) ends the rejected one's visit."""
        earlier = self._visit_ids.get(id(journey))
        if earlier and earlier != journey.draft.application_id:
            self._journal_call("finish", earlier, "corrected")
        self._visit_ids[id(journey)] = journey.draft.application_id
        self._journal_call("save", journey)

    def visit_ended(self, journey: Any, reason: str) -> None:
        self._visit_ids.pop(id(journey), None)
        self._journal_call("finish", journey.draft.application_id, reason)

    def _journal_call(self, method: str, *args: Any) -> None:
        if self.runtime is None:
            return
        try:
            getattr(self.runtime.journal(), method)(*args)
        except Exception as exc:  # the citizen carries on; the outbox still journals the submission
            log.error("visit journal %s failed: %s", method, exc)

    def recognise(self, journey: Any) -> Any:
        """The earlier visit of the citizen whose card this journey just read, that a crash left unfinished
        (a :class:`kiosk.journal.Visit`), or None."""
        card = journey.draft.applicant_card
        if self.runtime is None or card is None:
            return None
        number = card.get("id_number") if isinstance(card, dict) else getattr(card, "id_number", None)
        try:
            return self.runtime.journal().recognise(number, exclude=journey.draft.application_id)
        except Exception as exc:  # recognition is a kindness, never a reason to stop
            log.error("visit journal lookup failed: %s", exc)
            return None

    def resume(self, visit: Any, journey: Any) -> Any:
        """The journey of an earlier ``visit`` for the citizen of ``journey`` (whose card was just read):
        where they were, or at submission when it was submitted (what did not print prints then).
        The new visit's own row is dropped: it is the same citizen's application."""
        from kiosk.journal import journey_after_card, restore
        from kiosk.journeys.registration import Step

        journal = self.runtime.journal()
        card = journey.draft.applicant_card
        if visit.snapshot is not None:
            restored = restore(visit.snapshot, visit.proofs_at)
        else:  # submitted from a snapshot no longer kept: the document is what counts
            restored = type(journey)(today=journey.today, kiosk_id=journey.kiosk_id,
                                     application_id=visit.application_id, acceptance_no=visit.acceptance_no)
        restored = journey_after_card(restored, card)
        if visit.state in ("submitted", "decided") or self.runtime.outbox().knows(visit.application_id):
            restored.current = Step.SUBMIT
        journal.discard(journey.draft.application_id)
        number = card.get("id_number") if isinstance(card, dict) else getattr(card, "id_number", None)
        journal.discard_retries(visit.application_id, number)
        self._visit_ids.pop(id(journey), None)
        log.info("visit %s resumed as %s (%s)", journey.draft.application_id, visit.application_id, visit.state)
        return restored

    def find_visits(self, acceptance_no: str | None = None, card: Any = None) -> list[Any]:
        """Visits kept for reprints, by acceptance number or by a card read now."""
        journal = self.runtime.journal()
        if acceptance_no:
            found = journal.by_number(acceptance_no)
            return [found] if found is not None else []
        number = card.get("id_number") if isinstance(card, dict) else getattr(card, "id_number", None)
        return journal.visits_of(number)

    def reprint(self, visit: Any, kinds: list[str] | None = None) -> dict[str, Any]:
        """Print a kept visit's documents again (all its decision calls for, or ``kinds``). A queued visit
        whose decision has arrived since prints what the decision calls for."""
        fresh = self.runtime.journal().get(visit.application_id) or visit
        application = fresh.application or {}
        decision = fresh.decision or {"application_id": fresh.application_id, "acceptance_no": fresh.acceptance_no,
                                      "decision": "queued", "reasons": []}
        outcome: dict[str, Any] = {"application": application, "decision": decision, "printed": [],
                                   "licence_pdf": None, "queued": fresh.decision is None}
        due = self.documents_for(application, decision)
        skip = {k for k in due if kinds is not None and k not in kinds}
        outcome["reprinted"] = self.print_documents(application, outcome, skip=skip)
        log.warning("reprinted %s for %s", outcome["reprinted"], fresh.acceptance_no)
        return outcome

    def outbox_summary(self) -> dict[str, Any]:
        """The alarm: how many wait, the oldest, the last error; the quarantine."""
        return self.runtime.outbox().summary()

    # -- progress query ----------------------------------------------------------------------
    def progress_by_number(self, acceptance_no: str) -> dict[str, Any] | None:
        """The public progress of an acceptance number (scanned from a receipt or typed)."""
        from kiosk.platform_client import PlatformError

        try:
            return self.platform().progress(acceptance_no)
        except PlatformError as exc:
            raise ServiceError("error.platform.down", exc.detail) from None

    def print_progress(self, found: dict[str, Any]) -> str:
        """A progress receipt (进度查询回执) for one application; the message to show."""
        from kiosk import documents

        receipt = documents.progress_receipt(None, found, found.get("items", []), self.kiosk_info())
        try:
            result = self.device("receipt_printer").print_receipt(receipt)
        except ServiceError:
            return tr("print.receipt_kept", "zh")
        return tr("print.progress_done", "zh") if result.printed else result.message_zh

    def progress_by_person(self, card: Any) -> list[dict[str, Any]]:
        """Every application naming the person whose card was just read here, newest first."""
        from kiosk.journeys.registration import person_of
        from kiosk.platform_client import PlatformError

        number = person_of(card)["id_number"] or ""
        try:
            client = self.platform()
            client.card_read(number)
            return client.lookup(number)
        except PlatformError as exc:
            if exc.status == 404:
                return []
            raise ServiceError("error.platform.down", exc.detail) from None

    def branch_for(self, bank: str) -> str:
        kiosk = self.cfg.kiosk
        if kiosk.bank == bank and kiosk.branch:
            return kiosk.branch
        return f"{bank}{self.region_name()}分行"

    def summary(self, journey: Any, lang: str) -> list[tuple[str, str, str]]:
        """Check-your-answers rows: (step, label, value), personal numbers masked."""
        from service.contract.privacy import mask_id, mask_phone

        d = journey.draft
        t = lambda key, **kw: tr(key, lang, **kw)  # noqa: E731

        def person(p: dict[str, Any]) -> str:
            return f"{p['name']}（{mask_id(p['id_number'])}）"

        company = getattr(journey, "company", None)
        if company:  # single items for an existing company
            rows = [("licence", t("step.licence"), f"{company.get('name', '')}（{company.get('uscc', '')}）")]
            if d.applicant_card is not None:
                from kiosk.journeys.registration import person_of

                rows.append(("applicant_card", t("step.applicant_card"), person(person_of(d.applicant_card))))
            rows.append(("phone", t("step.phone"), mask_phone(d.phone or "")))
            rows.append(("linked", t("step.linked"), "、".join(t("linked." + k) for k in d.linked)))
            return rows
        rows = [("entity_type", t("step.entity_type"),
                 t("entity.llc") if d.entity_type == "llc" else t("entity.individual"))]
        if d.applicant_card is not None:
            from kiosk.journeys.registration import person_of

            rows.append(("applicant_card", t("step.applicant_card"), person(person_of(d.applicant_card))))
        rows.append(("phone", t("step.phone"), mask_phone(d.phone or "")))
        rows.append(("name", t("step.name"), d.name.get("full", "")))
        rows.append(("address", t("step.address"), d.address.get("text", "")))
        rows.append(("scope", t("step.scope"), "、".join(s["text"] for s in d.scope)))
        rows.append(("capital", t("step.capital"), f"{(d.capital_cny or 0) // 10_000} {t('capital.unit')}"))
        if d.entity_type == "llc":
            rows.append(("shareholders", t("step.shareholders"), "；".join(
                f"{person(s)} {s['subscribed_cny'] // 10_000}{t('capital.unit')}" for s in d.shareholders)))
            o = d.officers
            parts = [f"{t('officers.' + role)}：{o[role]['name']}" for role in
                     ("legal_representative", "supervisor", "finance_officer") if o.get(role)]
            parts += [f"{t('officers.director')}：{p['name']}" for p in o.get("directors", [])]
            rows.append(("officers", t("step.officers"), "；".join(parts)))
        rows.append(("linked", t("step.linked"), "、".join(t("linked." + k) for k in d.linked)))
        return rows
