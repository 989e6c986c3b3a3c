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
        return tr(self.key, lang)


class KioskServices:
    def __init__(self, runtime: Any, cfg: Any) -> None:
        self.runtime = runtime
        self.cfg = cfg

    # -- devices ---------------------------------------------------------------------------
    def device(self, kind: str) -> Any:
        device = self.runtime.devices.get(kind) if self.runtime is not None else None
        if device is None:
            raise ServiceError(f"error.device.{kind}", self.runtime.device_errors.get(kind, "") if self.runtime else "")
        return device

    def wait_for_card(self, timeout_s: float = 30.0, poll_s: float = 0.3) -> Any:
        """Block until a card is read (or ``timeout_s`` passes: ServiceError ``error.card.timeout``)."""
        reader = self.device("idcard")
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                card = reader.read_card()
            except Exception as exc:  # no card yet, or a transient read error: keep polling
                last_error = exc
                card = None
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

    def send_sms(self, phone: str) -> None:
        self.platform().send_sms_code(phone)

    def verify_sms(self, phone: str, code: str) -> bool:
        return bool(self.platform().verify_sms_code(phone, code))

    def liveness(self) -> tuple[bool, float, float]:
        """Face detection with liveness on the camera, compared by the identity provider."""
        from kiosk.face import check_face

        return check_face(self.device("camera"), self.cfg)

    def branch_for(self, bank: str) -> str:
        kiosk = self.cfg.kiosk
        if kiosk.bank == bank and kiosk.branch:
            return kiosk.branch
        return f"{bank}{self.region_name()}分行"

    def summary(self, journey: Any, lang: str) -> list[tuple[str, str, str]]:
        """Check-your-answers rows: (step, label, value), personal numbers masked."""
        from kiosk.privacy import mask_id, mask_phone

        d = journey.draft
        t = lambda key, **kw: tr(key, lang, **kw)  # noqa: E731

        def person(p: dict[str, Any]) -> str:
            return f"{p['name']}（{mask_id(p['id_number'])}）"

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
