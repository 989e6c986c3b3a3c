"""Reason codes (CONTRACT.md): stable names with a fixed severity. New codes are added, never reused.

The platform's rules raise them; the kiosk reads ``field`` and the code to send the citizen to the
step that can put it right. The decision follows from the severities (:func:`decide`).
"""

from __future__ import annotations

from collections.abc import Iterable

REASONS: dict[str, str] = {
    # identity and people
    "ID_NUMBER_INVALID": "error",
    "ID_CARD_EXPIRED": "error",
    "IDENTITY_NOT_VERIFIED": "error",
    "PHONE_NOT_OWNER": "error",
    "PERSON_UNDERAGE": "error",
    "PERSON_DISHONEST": "error",
    "PERSON_MANY_ENTITIES": "review",
    "INVESTOR_NOT_ELIGIBLE": "error",
    # name
    "NAME_FORMAT": "error",
    "NAME_TRADE_TOO_SHORT": "error",
    "NAME_TRADE_IS_REGION": "error",
    "NAME_PROHIBITED": "error",
    "NAME_DUPLICATE": "error",
    "NAME_SIMILAR": "review",
    "NAME_SOUNDS_ALIKE": "review",
    # address, scope, capital, people of the company
    "ADDRESS_UNKNOWN": "review",
    "ADDRESS_RESTRICTED": "error",
    "ADDRESS_CROWDED": "review",
    "SCOPE_EMPTY": "error",
    "SCOPE_NONSTANDARD": "review",
    "SCOPE_PRE_APPROVAL": "review",
    "SCOPE_POST_PERMIT": "notice",
    "CAPITAL_INVALID": "error",
    "CONTRIBUTION_TOO_LATE": "error",
    "SHAREHOLDERS_INVALID": "error",
    "OFFICERS_INVALID": "error",
    "SIGNATURE_MISSING": "error",
    # existing companies and their lifecycle
    "ENTITY_UNKNOWN": "error",
    "ENTITY_NOT_ACTIVE": "error",
    "APPLICANT_NOT_LEGAL_REP": "error",
    "LEGAL_REP_MISMATCH": "error",
    "ITEM_ALREADY_OPEN": "error",
    "CHANGE_EMPTY": "error",
    "CAPITAL_REDUCTION": "review",
    "DEREG_SIMPLE_INELIGIBLE": "error",
    "DEREG_OPEN_ITEMS": "review",
    "SUSPENSION_TOO_LONG": "error",
    "SUSPENSION_INVALID": "error",
    "DEREG_OBJECTION": "review",
    # set by a person
    "REVIEW_REJECTED": "error",
}


def severity(code: str) -> str:
    return REASONS[code]


def decide(severities: Iterable[str]) -> str:
    """Any error → rejected; else any review → manual_review; else approved."""
    seen = set(severities)
    if "error" in seen:
        return "rejected"
    if "review" in seen:
        return "manual_review"
    return "approved"
