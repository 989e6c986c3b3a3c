"""The application document and the answers, as pydantic models (what /openapi.json publishes).

The shape follows ``application.schema.json``: its top-level required fields are required here
(a body without them is a 422), while the parts the approval rules judge — name parts, officers,
signatures, ID numbers — may be empty or missing, so the citizen gets a reason code that sends
them to the right step instead of a bare validation error.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

SERVICES = ("seal", "tax", "social_insurance", "housing_fund", "bank_account")
Severity = Literal["error", "review", "notice"]
DecisionKind = Literal["approved", "manual_review", "rejected"]
ItemStatus = Literal["pending", "in_progress", "done", "failed"]

SAFE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL)


def text(max_length: int = 400, default: Any = "", **kw: Any) -> Any:
    """A text field: bounded, no control characters, and the schema says so."""
    return Field(default=default, max_length=max_length, pattern=SAFE, **kw)


def _text_only(value: Any) -> Any:
    """Dates and times arrive as ISO 8601 text; a bare number is not a date (whatever pydantic allows)."""
    if not isinstance(value, (str, date)):
        raise ValueError("must be an ISO 8601 date or date-time text")
    return value


_Text = text()
# strict numbers and booleans: 1.5 yuan, "true" or 1 for a yes/no are errors, as the JSON Schema says
Int = Annotated[int, Field(strict=True)]
Num = Annotated[float, Field(strict=True)]
Bool = Annotated[bool, Field(strict=True)]
When = Annotated[datetime, BeforeValidator(_text_only)]
Day = Annotated[date, BeforeValidator(_text_only)]
Word = Annotated[str, Field(max_length=60, pattern=SAFE)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Person(_Model):
    name: str = _Text
    id_type: Literal["resident_id", "foreign_permanent_resident_id"] = "resident_id"
    id_number: str = text(40)
    phone: str | None = text(40, None)
    address: str | None = text(400, None)


class Shareholder(Person):
    subscribed_cny: Int = Field(ge=-10**15, le=10**15)
    contribution_deadline: Day
    contribution_method: Literal["currency", "in_kind", "ip", "land_use_right", "equity"] = "currency"


class NameParts(_Model):
    region: str = text(60)
    trade_name: str = text(60)
    industry: str = text(60)
    form: str = text(60)
    full: str = text(200)


class AddressRef(_Model):
    code: str = text(40, ...)
    text: str = _Text


class ScopeItem(_Model):
    code: str | None = text(40, None)
    text: str = _Text


class Officers(_Model):
    legal_representative: Person | None = None
    directors: list[Person] = Field(default_factory=list, max_length=100)
    managers: list[Person] = Field(default_factory=list, max_length=100)
    supervisor: Person | None = None
    finance_officer: Person | None = None
    registration_contact: Person | None = None


class Verification(_Model):
    card_read: Bool
    card_valid_to: str | None = text(20, None)
    liveness_passed: Bool
    face_match_score: Num = Field(ge=0, le=1)
    face_match_threshold: Num | None = Field(default=None, ge=0, le=1)
    phone_verified: Bool
    verified_at: When | None = None


class Applicant(_Model):
    person: Person
    verification: Verification


class Seal(_Model):
    shop: str | None = text(200, None)
    kinds: list[Word] = Field(default_factory=list, max_length=20)


class Tax(_Model):
    invoice_kinds: list[Word] = Field(default_factory=list, max_length=20)
    ukey: Bool = False


class SocialInsurance(_Model):
    employees: list[Person] = Field(default_factory=list, max_length=500)


class HousingFund(_Model):
    deposit_ratio_percent: Num | None = Field(default=None, ge=0, le=100)


class BankAccount(_Model):
    bank: str | None = text(100, None)
    branch: str | None = text(200, None)


class LinkedServices(_Model):
    seal: Seal | None = None
    tax: Tax | None = None
    social_insurance: SocialInsurance | None = None
    housing_fund: HousingFund | None = None
    bank_account: BankAccount | None = None

    def chosen(self) -> list[str]:
        return [s for s in SERVICES if getattr(self, s) is not None]


class Signature(_Model):
    id_number: str = text(40, ...)
    signed_at: When
    image_sha256: str | None = text(64, None)


class ApplicationIn(_Model):
    """企业开办申请 as the kiosk sends it."""

    application_id: uuid.UUID = Field(description="client-generated; the idempotency key")
    kiosk_id: str | None = text(80, None)
    entity_type: Literal["llc", "individual_business"]
    mode: Literal["full_chain", "partial_chain", "single_item"]
    submitted_at: When
    uscc: str | None = Field(default=None, max_length=18, pattern=SAFE,
                             description="single_item: the existing company's code (from its e-licence)")
    name: NameParts
    address: AddressRef
    business_scope: list[ScopeItem] = Field(max_length=200)
    registered_capital_cny: Int = Field(ge=-10**15, le=10**15)
    shareholders: list[Shareholder] = Field(max_length=1000)
    officers: Officers
    applicant: Applicant
    linked_services: LinkedServices
    signatures: list[Signature] = Field(max_length=1000)


class Reason(BaseModel):
    code: str
    severity: Severity
    field: str
    message: str


class Decision(BaseModel):
    application_id: str
    decision: DecisionKind
    reasons: list[Reason]
    uscc: str | None = None
    e_license: str | None = None


class ItemOut(BaseModel):
    service: str
    status: ItemStatus
    updated_at: datetime
    detail: str
    expected_done_at: datetime | None = None


class ApplicationOut(Decision):
    items: list[ItemOut] = Field(default_factory=list)
    name: str | None = None
    submitted_at: datetime | None = None
    received_at: datetime | None = None
    review_comment: str | None = None


class NameCheck(BaseModel):
    available: bool
    full: str
    reasons: list[Reason]
    suggestions: list[str] = Field(default_factory=list)


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str
    reference: dict[str, int]
    server_time: str = Field(description="the platform's clock (UTC, ISO 8601), for the kiosk's clock-offset check")


class SmsSend(_Model):
    phone: str = Field(pattern=r"^1[3-9]\d{9}$", description="mainland mobile number")


class SmsVerify(SmsSend):
    code: str = Field(pattern=r"^\d{6}$")


class ReviewIn(_Model):
    action: Literal["approve", "reject"]
    reviewer: str = text(80, ..., min_length=1)
    comment: str = text(1000)


class HeartbeatIn(_Model):
    site: str = text(200)
    version: str = text(40)
    status: dict[str, object] = Field(default_factory=dict)


class ApiError(BaseModel):
    detail: str
    message: str
