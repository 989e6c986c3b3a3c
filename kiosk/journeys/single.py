"""Single items for an existing company (单链式单独办): its e-licence QR → the legal representative's card,
phone and face → the items chosen, with their questions → check → sign → submit → receipt.

The same steps and screens as the registration where they coincide (card, phone, face, linked items,
check, sign, submit, result); only the first step differs. The platform checks that the company is
registered and that the person at the kiosk is its legal representative.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from kiosk.journeys.problems import Problem
from kiosk.journeys.registration import RegistrationJourney, Step, person_of

SINGLE_STEPS = [Step.LICENCE, Step.APPLICANT_CARD, Step.PHONE, Step.LIVENESS, Step.LINKED, Step.CHECK, Step.SIGN,
                Step.SUBMIT, Step.RESULT]


class SingleItemJourney(RegistrationJourney):
    def __init__(self, today: date | None = None, kiosk_id: str = "", preset_bank: dict[str, str] | None = None,
                 application_id: str | None = None, acceptance_no: str | None = None):
        super().__init__(today, kiosk_id, preset_bank, application_id, acceptance_no)
        self.current = Step.LICENCE
        self.company: dict[str, Any] = {}

    @property
    def steps(self) -> list[Step]:
        return SINGLE_STEPS

    def licence_read(self, verified: dict[str, Any] | None) -> list[Problem]:
        """The platform's check of the scanned e-licence: ``{"valid", "uscc", "name", "registered"}``."""
        if not verified or not verified.get("valid"):
            message = (verified or {}).get("message") or "电子营业执照二维码无法核验，请刷新后重新出示。"
            return self._refuse([Problem("licence", message, "The e-licence code does not verify; refresh it and "
                                                              "show it again.")])
        if not verified.get("registered"):
            return self._refuse([Problem("licence", "未查询到该企业的登记信息，请到窗口办理。",
                                         "The company is not in the registry; please go to a counter.")])
        self.company = {"uscc": verified["uscc"], "name": verified["name"]}
        self.draft.entity_type = "llc"
        return self._advance(Step.LICENCE)

    def set_linked(self, chosen: dict[str, dict[str, Any]]) -> list[Problem]:
        if not chosen:
            return self._refuse([Problem("linked_services", "请至少选择一个要办理的事项。",
                                         "Choose at least one item.")])
        return super().set_linked(chosen)

    def application(self, submitted_at: datetime | None = None) -> dict[str, Any]:
        d = self.draft
        applicant = person_of(d.applicant_card) if d.applicant_card is not None else {"name": "", "id_number": ""}
        rep = {k: v for k, v in applicant.items() if k != "address"}
        doc = super().application(submitted_at)
        doc.update({
            "mode": "single_item",
            "uscc": self.company.get("uscc"),
            "name": {"region": "", "trade_name": "", "industry": "", "form": "", "full": self.company.get("name", "")},
            "address": {"code": "", "text": ""},
            "business_scope": [],
            "registered_capital_cny": 0,
            "shareholders": [],
            "officers": {"legal_representative": rep},
            "submitted_at": (submitted_at or datetime.now(timezone.utc)).isoformat(),
        })
        return doc
