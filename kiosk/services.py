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

    def __init__(self, key: str, detail: str = "", wait_s: float | None = None) -> None:
        super().__init__(detail or key)
        self.key = key
        self.detail = detail
        self.wait_s = wait_s  # for a cooldown (``error.sms.wait``): the seconds the platform asked to wait

    def message(self, lang: str) -> str:
        """The catalogue's words; in Chinese, the platform's own when it gave some (a wait time, a reason)."""
        if lang == "zh" and self.key in PLATFORM_WORDS and self.detail:
            return self.detail
        return tr(self.key, lang)


PLATFORM_WORDS = ("error.sms.wait", "error.sms.not_owner", "error.sms.expired", "error.face.platform",
                  "error.platform.refused")


def wait_seconds(exc: Any) -> float | None:
    """The seconds a cooldown lasts: the Retry-After header, else the number in the platform's words
    ("请37秒后再重新获取")."""
    import re

    after = getattr(exc, "retry_after_s", None)
    if after:
        return float(after)
    found = re.search(r"(\d+)\s*秒", getattr(exc, "message", "") or "")
    return float(found.group(1)) if found else None


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
TOWN_SUFFIXES = ("镇", "乡", "街道", "管理区", "农场")


def _cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23 (house numbers and floors: small numbers)."""
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that reads numbers as numbers: 2号 < 10号, 东风一路 < 东风二路 < 东风三路, 首层 < 二楼."""
    import re

    from pypinyin import lazy_pinyin

    text = text.replace("首层", "1层").replace("首", "1")
    parts: list[tuple[int, Any]] = []
    for token in re.findall(r"\d+|[零〇一二两三四五六七八九十]+|[^\d零〇一二两三四五六七八九十]+", text):
        if token.isdigit():
            parts.append((0, int(token)))
        elif token[0] in _CN_DIGITS or token[0] == "十":
            parts.append((0, _cn_number(token)) if parts else (1, " ".join(lazy_pinyin(token))))
        else:
            parts.append((1, " ".join(lazy_pinyin(token))))
    return tuple(parts)


def address_key(label: str, level: int) -> tuple[Any, ...]:
    """Streets: roads and avenues first, then towns; each group in pinyin order with numbers as numbers.
    Buildings and units: by house number, then building, floor and room, numerically."""
    if level == 1:
        return (1 if label.endswith(TOWN_SUFFIXES) else 0, natural_key(label))
    return natural_key(label)


def take_lines(outcome: dict[str, Any], lang: str) -> list[str]:
    """The visit's last words about paper: what to take away now, and how to get what did not print."""
    from service.contract import acceptance

    prints = outcome.get("prints") or []
    # grouped as printed; no-break spaces keep the number on one line where the sentence wraps
    number = acceptance.grouped(outcome.get("acceptance_no") or "").replace(" ", "\u00a0") \
        if outcome.get("acceptance_no") else ""
    printed = [p for p in prints if p["printed"]]
    what = []
    if any(p["kind"] == "licence" for p in printed):
        what.append(tr("ux.take.licence", lang))
    receipts = sum(1 for p in printed if p["kind"] != "licence")
    if receipts:
        what.append(tr("ux.take.receipts", lang, n=receipts))
    lines = [tr("ux.take.printed", lang, what=("、" if lang == "zh" else " and ").join(what))] if what else []
    kept = sum(1 for p in prints if not p["printed"] and p["kept"])
    if kept:
        lines.append(tr("ux.take.kept", lang, n=kept, number=number))
    return lines


def print_lines(outcome: dict[str, Any], lang: str) -> list[str]:
    """What became of each printed document, as the citizen reads it: one line for the licence, one for
    the receipts (counted: two kept receipts are "2 张"), each true to what happened."""
    from service.contract import acceptance

    prints = outcome.get("prints") or []
    # grouped as printed; no-break spaces keep the number on one line where the sentence wraps
    number = acceptance.grouped(outcome.get("acceptance_no") or "").replace(" ", "\u00a0") \
        if outcome.get("acceptance_no") else ""
    lines: list[str] = []

    def why(group: list[dict[str, Any]]) -> str:
        conditions = [p.get("condition") or "" for p in group]
        first = next((c for c in conditions if c), "")
        text = tr(f"ux.why.{first}", lang) if first else ""
        return tr("ux.why.unknown", lang) if text.startswith("⟦") or not text else text

    licence = [p for p in prints if p["kind"] == "licence"]
    receipts = [p for p in prints if p["kind"] != "licence"]
    for p in licence:
        if p["printed"]:
            lines.append(tr("ux.print.licence_done", lang))
        elif p["kept"]:
            lines.append(tr("ux.print.licence_kept", lang, why=why([p]), number=number))
        else:
            lines.append(tr("ux.print.licence_none", lang, why=why([p]), number=number))
    done = [p for p in receipts if p["printed"]]
    kept = [p for p in receipts if not p["printed"] and p["kept"]]
    lost = [p for p in receipts if not p["printed"] and not p["kept"]]
    if done:
        lines.append(tr("ux.print.receipts_done", lang, n=len(done)))
    if kept:
        lines.append(tr("ux.print.receipts_kept", lang, n=len(kept), why=why(kept), number=number))
    if lost:
        lines.append(tr("ux.print.receipts_none", lang, n=len(lost), why=why(lost), number=number))
    return lines


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
        """Divisions (level 0), streets of a division (1), buildings/units of a street (2), in the order
        people look for them: numbers as numbers (2号 before 10号, 一路 before 二路), roads before towns."""
        options = self.platform().address_options(level=level, parent=parent)
        if level == 0:
            return options
        return sorted(options, key=lambda o: address_key(o.get("label") or o.get("text") or "", level))

    def search_addresses(self, query: str, division: str | None = None) -> list[dict[str, Any]]:
        """Standard addresses whose text or pinyin initials hold ``query`` (``dfel`` finds 东风二路)."""
        from kiosk.platform_client import PlatformError

        if not query.strip():
            return []
        try:
            found = self.platform().search_addresses(query.strip(), division=division, limit=60)
        except PlatformError as exc:
            raise ServiceError("error.platform.down", exc.detail) from None
        return sorted(found, key=lambda o: address_key(o.get("text") or o.get("label") or "", 2))

    def search_scopes(self, query: str) -> list[dict[str, Any]]:
        """Catalogue items by text, keyword or pinyin initials (``rjkf`` finds 软件开发)."""
        return self.platform().search_scopes(query=query.strip(), limit=40)

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
                raise ServiceError("error.sms.wait", exc.message, wait_seconds(exc)) from None
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
            outcome["acceptance_no"] = application.get("acceptance_no")
            outcome["decision"] = {"application_id": app_id, "acceptance_no": application.get("acceptance_no"),
                                   "decision": "queued", "reasons": []}
            journal.decided(app_id, outcome["decision"], queued=True)
        else:
            outcome["decision"] = decision
            outcome["acceptance_no"] = decision.get("acceptance_no") or application.get("acceptance_no")
        done = set(earlier.printed) if earlier is not None else set()
        self.print_documents(application, outcome, progress, skip=done, journey=journey)
        return outcome

    @staticmethod
    def documents_for(application: dict[str, Any], decision: dict[str, Any]) -> list[str]:
        """What a decision prints: the licence and the result notice for a new company, the linked items'
        receipt when items were chosen; a change its new licence (the same USCC), the decision and the
        departments told; a deregistration or suspension its decision; an acceptance receipt while it
        waits (review, queued)."""
        verdict = decision.get("decision")
        kind = application.get("kind", "establishment")
        if verdict == "approved":
            licence = ["licence"] if decision.get("e_license") else []
            if kind == "establishment":
                kinds = licence + (["result"] if licence else [])
                return kinds + (["linked_items"] if application.get("linked_services") else [])
            if kind == "change":
                return licence + ["result", "linked_items"]
            return ["result"]
        if verdict in ("manual_review", "queued"):
            return ["acceptance"]
        return []

    def print_documents(self, application: dict[str, Any], outcome: dict[str, Any], progress: Any = lambda key: None,
                        skip: set[str] | frozenset[str] = frozenset(), journey: Any = None) -> list[str]:
        """Print what the outcome's decision calls for, but ``skip``; each document that came out whole is
        journalled as printed. Returns the kinds printed. A change's licence is drawn from the journey
        (the record with the changes applied); without it the 补领执照 journey reprints it."""
        decision = outcome["decision"]
        kiosk = self.kiosk_info()
        change = application.get("kind") == "change"
        due = [k for k in self.documents_for(application, decision) if k not in skip]
        if change and journey is None and "licence" in due:
            due.remove("licence")
        printed = []
        if "licence" in due:
            progress("submit.printing_licence")
        elif due:
            progress("submit.printing_receipt")
        for kind in due:
            if kind == "licence":
                ok = (self._print_change_licence(journey, application, decision, outcome) if change
                      else self._print_licence(application, decision, outcome))
                progress("submit.printing_receipt")
            else:
                if kind == "linked_items" and change:
                    outcome["items"] = self._items_of(application["application_id"])
                ok = self._print_receipt(kind, application, None if kind == "acceptance" and
                                         decision.get("decision") == "queued" else decision, kiosk, outcome)
            if ok:
                printed.append(kind)
                try:
                    self.runtime.journal().printed(application["application_id"], kind)
                except Exception as exc:  # a print mark not written means a reprint offered, nothing worse
                    log.warning("print mark not journalled: %s", exc)
        return printed

    def _items_of(self, application_id: str) -> list[dict[str, Any]]:
        """The departments a change told (its linked items), for the receipt; none when the platform is
        not reachable now (they are on the progress page whatever happens here)."""
        try:
            found = self.platform().status(application_id) or {}
        except Exception as exc:
            log.warning("items of %s not read: %s", application_id, exc)
            return []
        return list(found.get("items", []))

    def _print_change_licence(self, journey: Any, application: dict[str, Any], decision: dict[str, Any],
                              outcome: dict[str, Any]) -> bool:
        pdf = self._lifecycle_licence(journey, decision["uscc"], decision["e_license"], "A4")
        outcome["licence_pdf"] = pdf
        return self._print_pdf(pdf, application["application_id"], f"营业执照 {decision.get('uscc', '')}", "A4",
                               outcome)

    def _print_licence(self, application: dict[str, Any], decision: dict[str, Any], outcome: dict[str, Any]) -> bool:
        from kiosk.documents import licence_from, licence_pdf

        licence = licence_from(application, decision, authority=f"{self.cfg.kiosk.region}市场监督管理局",
                               public_url=self.kiosk_info()["platform_public_url"])
        pdf = licence_pdf(licence, "A4")
        outcome["licence_pdf"] = pdf
        return self._print_pdf(pdf, application["application_id"], f"营业执照 {decision.get('uscc', '')}", "A4",
                               outcome)

    def _print_receipt(self, kind: str, application: dict[str, Any], decision: dict[str, Any] | None,
                       kiosk: dict[str, Any], outcome: dict[str, Any]) -> bool:
        from kiosk import documents

        licence_printed = outcome.get("licence_printed")
        makers = {"acceptance": lambda: documents.acceptance_receipt(application, decision, kiosk),
                  "result": lambda: documents.result_notice(application, decision or {}, kiosk,
                                                            licence_printed=licence_printed),
                  "linked_items": lambda: documents.linked_items_receipt(application, decision, kiosk,
                                                                               outcome.get("items"))}
        receipt = makers[kind]()
        try:
            result = self.device("receipt_printer").print_receipt(receipt)
        except ServiceError:
            self._printed(outcome, kind, False, False, "no_printer")
            return False
        except Exception as exc:
            log.error("receipt printing failed: %s", exc)
            self._printed(outcome, kind, False, False, "hardware_error")
            return False
        self._printed(outcome, kind, result.printed, result.kept, result.condition)
        return bool(result.printed)

    @staticmethod
    def _printed(outcome: dict[str, Any], kind: str, printed: bool, kept: bool, condition: str) -> None:
        """Remember what became of one document: printed, kept for reprint, or not printed at all."""
        entry = {"kind": kind, "printed": printed, "kept": kept, "condition": condition or ""}
        outcome.setdefault("prints", []).append(entry)
        if kind == "licence":
            outcome["licence_printed"] = printed
        else:
            outcome.setdefault("receipts", []).append(entry)
        outcome["printed"] = print_lines(outcome, "zh")

    # -- kept documents: reprint by acceptance number ------------------------------------------
    def _printers(self) -> list[Any]:
        if self.runtime is None:
            return []
        return [d for k, d in self.runtime.devices.items() if k in ("document_printer", "receipt_printer")]

    def _application_of(self, acceptance_no: str) -> set[str]:
        """The application this kiosk submitted under ``acceptance_no``: the visit journal's (the number
        the kiosk gave, or the platform's once decided), kept for reprints as long as the visit is."""
        from service.contract import acceptance

        if self.runtime is None:
            return set()
        visit = self.runtime.journal().by_number(acceptance.normalise(acceptance_no))
        return {visit.application_id} if visit is not None else set()

    def kept_prints(self, acceptance_no: str) -> list[dict[str, Any]]:
        """Documents of this application that did not print here and are kept for reprint."""
        ids = self._application_of(acceptance_no)
        out, seen = [], set()
        for printer in self._printers():
            for job in printer.pending():
                if job.application_id in ids and job.id not in seen:
                    seen.add(job.id)
                    out.append({"job_id": job.id, "kind": job.kind, "title": job.title})
        return out

    def reprint_kept(self, acceptance_no: str) -> dict[str, Any]:
        """Print again every kept document of this application: ``{"printed", "kept", "lines"}``."""
        ids = self._application_of(acceptance_no)
        outcome: dict[str, Any] = {"acceptance_no": acceptance_no}
        seen = set()
        for printer in self._printers():
            for job in printer.pending():
                if job.application_id not in ids or job.id in seen:
                    continue
                seen.add(job.id)
                try:
                    result = printer.reprint(job.id)
                except Exception as exc:  # noqa: BLE001 - one failed reprint must not hide the others
                    log.error("reprint of %s failed: %s", job.id, exc)
                    self._printed(outcome, job.kind, False, True, "hardware_error")
                    continue
                self._printed(outcome, job.kind, result.printed, result.kept, result.condition)
        prints = outcome.get("prints", [])
        return {"printed": sum(p["printed"] for p in prints), "kept": sum(p["kept"] for p in prints),
                "lines": print_lines(outcome, "zh"), "lines_en": print_lines(outcome, "en"), "prints": prints}

    # -- help, rating and the end of a visit ------------------------------------------------------
    def call_staff(self, step: str) -> int:
        """帮办: ask the hall's staff to come to this kiosk (the platform records kiosk, time and step)."""
        from kiosk.platform_client import PlatformError

        try:
            return self.platform().call_staff(step[:40])
        except PlatformError as exc:
            raise ServiceError("ux.staff.failed", exc.detail) from None

    def rate(self, journey: str, level: int, reasons: list[str]) -> None:
        """好差评: this visit's rating, with the kiosk (from the signature) and the journey; nothing personal."""
        from kiosk.platform_client import PlatformError

        try:
            self.platform().rate(journey, int(level), [r[:40] for r in reasons][:8])
        except PlatformError as exc:
            raise ServiceError("error.platform.down", exc.detail) from None

    def card_on_reader(self) -> bool | None:
        """Is a card lying on the reader now? None when there is no reader to ask."""
        reader = self.runtime.devices.get("idcard") if self.runtime is not None else None
        if reader is None:
            return None
        try:
            return bool(reader.card_present())
        except Exception:  # a busy or failing reader: unknown, the reminder stays
            return None

    def pickup(self) -> dict[str, str]:
        """Where the seal and the tax UKey are collected at this site."""
        return {"site": self.cfg.kiosk.site}

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

    def reprint_visit(self, visit: Any, kinds: list[str] | None = None) -> dict[str, Any]:
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
        except ServiceError:  # nothing was kept: say so, not "saved for reprint"
            return tr("error.device.receipt_printer", "zh")
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
            from kiosk.journeys.registration import display_name

            return f"{display_name(p)}（{mask_id(p['id_number'])}）"

        rows_of = getattr(journey, "summary_rows", None)
        if rows_of is not None:  # a lifecycle journey says what its check page shows
            return list(rows_of(t, person, mask_phone, lang))

        company = getattr(journey, "company", None)
        if company:  # single items for an existing company
            rows = [("licence", t("step.licence"), f"{company.get('name', '')}（{company.get('uscc', '')}）")]
            if d.applicant_card is not None:
                from kiosk.journeys.registration import person_of

                rows.append(("applicant_card", t("ux.check.applicant"), person(person_of(d.applicant_card))))
            rows.append(("phone", t("ux.check.phone"), mask_phone(d.phone or "")))
            rows.append(("linked", t("step.linked"), linked_summary(d.linked, lang)))
            return rows
        rows = [("entity_type", t("step.entity_type"),
                 t("entity.llc") if d.entity_type == "llc" else t("entity.individual"))]
        if d.applicant_card is not None:
            from kiosk.journeys.registration import person_of

            rows.append(("applicant_card", t("ux.check.applicant"), person(person_of(d.applicant_card))))
        rows.append(("phone", t("ux.check.phone"), mask_phone(d.phone or "")))
        rows.append(("name", t("step.name"), d.name.get("full", "")))
        rows.append(("address", t("step.address"), d.address.get("text", "")))
        rows.append(("scope", t("ux.check.scope", n=len(d.scope)), "\n".join(
            f"{i}. {s['text']}" for i, s in enumerate(d.scope, 1))))
        rows.append(("capital", t("step.capital"), f"{(d.capital_cny or 0) // 10_000} {t('capital.unit')}"))
        if d.entity_type == "llc":
            rows += journey.people_rows(lang)
        rows.append(("linked", t("step.linked"), linked_summary(d.linked, lang)))
        return rows

    # -- a company's later life (kiosk/journeys/lifecycle.py) ------------------------------------
    def find_company(self, uscc: str) -> dict[str, Any] | None:
        """The company registered under a typed USCC (its name and status), or None."""
        from kiosk.platform_client import PlatformError

        try:
            found = self.platform().clearance(uscc)
        except PlatformError as exc:
            if exc.status in (404, 422):
                return None
            raise ServiceError("error.platform.down", exc.message) from None
        return {"uscc": found.get("uscc"), "name": found.get("name"), "status": found.get("status")}

    def company_record(self, journey: Any, purpose: str) -> dict[str, Any] | None:
        """The company's record for its legal representative (the platform checks the face proof and that
        this person represents the company); None when the platform refuses: not the legal representative."""
        from kiosk.journeys.registration import person_of
        from kiosk.platform_client import PlatformError

        person = person_of(journey.draft.applicant_card)
        try:
            return self.platform().record(journey.company["uscc"], person["id_number"] or "",
                                          journey.draft.face_verification_id or "", purpose)
        except PlatformError as exc:
            if exc.status in (404, 422):
                return None
            raise ServiceError("error.platform.down", exc.message) from None

    def clearance(self, uscc: str) -> dict[str, Any]:
        """企业退出"一张表": what each department still holds open for the company, and who to see."""
        from kiosk.platform_client import PlatformError

        try:
            return self.platform().clearance(uscc)
        except PlatformError as exc:
            raise ServiceError("error.platform.down", exc.message) from None

    def _lifecycle_licence(self, journey: Any, uscc: str, e_license: str, size: str) -> bytes:
        from kiosk.documents import licence_from, licence_pdf

        doc = journey.licence_application()
        licence = licence_from(doc, {"decision": "approved", "uscc": uscc, "e_license": e_license},
                               authority=f"{self.cfg.kiosk.region}市场监督管理局",
                               public_url=self.kiosk_info()["platform_public_url"])
        if doc.get("established_on"):
            licence["established"] = str(doc["established_on"])[:10]  # a new licence, the same company
        return licence_pdf(licence, size)

    def _print_pdf(self, pdf: bytes, job_id: str, title: str, size: str, outcome: dict[str, Any]) -> bool:
        """A licence on the document printer; what became of it is recorded in ``outcome``."""
        try:
            printer = self.device("document_printer")
            result = printer.print_pdf(pdf, job_id, "licence", title, size)
        except ServiceError:
            self._printed(outcome, "licence", False, False, "no_printer")
            return False
        except Exception as exc:  # the decision stands whatever the printer does
            log.error("licence printing failed: %s", exc)
            self._printed(outcome, "licence", False, False, "hardware_error")
            return False
        self._printed(outcome, "licence", result.printed, result.kept, result.condition)
        return bool(result.printed)

    def reprint(self, journey: Any) -> dict[str, Any]:
        """The licence reprinted from the company's record (the platform logged the request with this kiosk):
        each chosen copy — 正本 A3, 副本 A4 — on the document printer."""
        import uuid

        from kiosk.journeys.lifecycle import COPIES

        record = journey.record or {}
        outcome: dict[str, Any] = {"printed": [], "copies": {}, "licence_pdf": None}
        lines: list[str] = []
        for copy in journey.copies:
            size = COPIES[copy]
            pdf = self._lifecycle_licence(journey, record["uscc"], record["e_license"], size)
            outcome["licence_pdf"] = outcome["licence_pdf"] or pdf
            printed = self._print_pdf(pdf, str(uuid.uuid4()), f"营业执照（{tr('life.copy.' + copy, 'zh')}）"
                                      f" {record['uscc']}", size, outcome)
            outcome["copies"][copy] = printed
            lines.append(f"{tr('life.copy.' + copy, 'zh')}：{outcome['printed'][-1]}")
        outcome["printed"] = lines
        log.info("licence reprinted for %s: %s", record.get("uscc"), outcome["copies"])
        return outcome


def linked_summary(linked: dict[str, dict[str, Any]], lang: str) -> str:
    """The chosen linked items, each with its answers (bank, how the seal and UKey are received)."""
    lines = []
    for code, answers in linked.items():
        line = tr("linked." + code, lang)
        if code == "bank_account" and answers.get("bank"):
            line += f"（{answers['bank']}）" if lang == "zh" else f" ({answers['bank']})"
        delivery = answers.get("delivery") or {}
        if code in ("seal", "tax") and delivery:
            line += "：" if lang == "zh" else ": "
            line += (tr("ux.delivery.mail_to", lang, address=delivery.get("address") or "")
                     if delivery.get("method") == "mail" else tr("ux.delivery.collect_short", lang))
        lines.append(line)
    return "\n".join(lines)
