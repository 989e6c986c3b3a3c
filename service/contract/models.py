"""The wire models: the application document (kiosk → platform, ``yzt review`` input), the decision
and the progress answers, as pydantic models — what ``/openapi.json`` publishes and the kiosk reads.

The shape follows ``application.schema.json``. Its required fields are required here (a body
without them is a 422 naming the field), while the parts the approval rules judge — name parts,
officers, signatures, ID numbers — may be empty, so the citizen gets a reason code that sends them
to the right step instead of a bare validation error. ``kind`` opens the lifecycle documents
(change, deregistration, suspension), each with its own required fields.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from service.contract.labels import SERVICES

Severity = Literal["error", "review", "notice"]
DecisionKind = Literal["approved", "manual_review", "rejected"]
ItemStatus = Literal["pending", "in_progress", "done", "failed"]
IdType = Literal["resident_id", "foreign_permanent_resident_id", "gat_residence_permit"]
Kind = Literal["establishment", "change", "deregistration", "suspension"]

SAFE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL)


def text(max_length: int = 400, default: Any = "", **kw: Any) -> Any:
    """A text field: bounded, no control characters, and the schema says so."""
    return Field(default=default, max_length=max_length, pattern=SAFE, **kw)


def _text_only(value: Any) -> Any:
    """Dates and times arrive as ISO 8601 text; a bare number is not a date (whatever pydantic allows)."""
    if not isinstance(value, (str, date)):
        raise ValueError("must be an ISO 8601 date or date-time text")
    return value


# strict numbers and booleans: 1.5 yuan, "true" or 1 for a yes/no are errors, as the JSON Schema says
Int = Annotated[int, Field(strict=True)]
Num = Annotated[float, Field(strict=True)]
Bool = Annotated[bool, Field(strict=True)]
When = Annotated[datetime, BeforeValidator(_text_only)]
Day = Annotated[date, BeforeValidator(_text_only)]
Word = Annotated[str, Field(max_length=60, pattern=SAFE)]
Money = Annotated[int, Field(strict=True, ge=-10**15, le=10**15)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class Person(_Model):
    name: str = text()
    id_type: IdType = "resident_id"
    id_number: str = text(40)
    phone: str | None = text(40, None)
    address: str | None = text(400, None)
    name_en: str | None = text(200, None)
    nationality: str | None = text(3, None, description="ISO 3166 alpha-3, as on a foreign permanent resident card")


class Shareholder(Person):
    subscribed_cny: Money
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
    text: str = text()


class ScopeItem(_Model):
    code: str | None = text(40, None)
    text: str = text()


class Officers(_Model):
    legal_representative: Person | None = None
    directors: list[Person] = Field(default_factory=list, max_length=100)
    managers: list[Person] = Field(default_factory=list, max_length=100)
    supervisor: Person | None = None
    supervisors: list[Person] = Field(default_factory=list, max_length=100,
                                      description="a board of supervisors (监事会); one supervisor goes in `supervisor`")
    finance_officer: Person | None = None
    registration_contact: Person | None = None
    no_supervisor_consent: Bool = Field(default=False, description="all shareholders agree to have no supervisor "
                                                                   "(Company Law 2023 art. 83)")

    def all_supervisors(self) -> list[Person]:
        return ([self.supervisor] if self.supervisor is not None else []) + list(self.supervisors)


class Verification(_Model):
    card_read: Bool
    card_valid_to: str | None = text(20, None)
    liveness_passed: Bool
    face_match_score: Num = Field(ge=0, le=1)
    face_match_threshold: Num | None = Field(default=None, ge=0, le=1)
    phone_verified: Bool
    verified_at: When | None = None
    phone_verification_id: str | None = text(80, None, description="answered by POST /api/v1/sms/verify")
    face_verification_id: str | None = text(80, None, description="answered by POST /api/v1/identity/face")


class Applicant(_Model):
    person: Person
    verification: Verification


class Delivery(_Model):
    """How the citizen receives a seal or a tax UKey: collected at the hall, or mailed free."""

    method: Literal["collect", "mail"] = "collect"
    address: str | None = text(400, None)
    address_code: str | None = text(40, None)


class Seal(_Model):
    shop: str | None = text(200, None)
    kinds: list[Word] = Field(default_factory=list, max_length=20)
    delivery: Delivery | None = None


class Tax(_Model):
    invoice_kinds: list[Word] = Field(default_factory=list, max_length=20)
    ukey: Bool = False
    delivery: Delivery | None = None


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


class Changes(_Model):
    """变更登记: only what changes, each in the establishment shape."""

    name: NameParts | None = None
    address: AddressRef | None = None
    business_scope: list[ScopeItem] | None = Field(default=None, max_length=200)
    registered_capital_cny: Money | None = None
    shareholders: list[Shareholder] | None = Field(default=None, max_length=1000)
    officers: Officers | None = None

    def changed(self) -> list[str]:
        return [f for f in ("name", "address", "business_scope", "registered_capital_cny", "shareholders",
                            "officers") if getattr(self, f) is not None]


class MissingForKind(ValueError):
    """Fields a document of this kind must carry (``fields``), missing."""

    def __init__(self, kind: str, fields: list[str]) -> None:
        super().__init__(f"a {kind} application needs: {', '.join(fields)}")
        self.fields = fields


def error_fields(errors: list[Any]) -> list[tuple[tuple[str, ...], str, str]]:
    """pydantic's errors as (location, message, type), one per field — a document missing what its kind
    needs names each missing field (the API's 422 and ``yzt review`` say the same)."""
    out: list[tuple[tuple[str, ...], str, str]] = []
    for e in errors:
        loc = tuple(str(x) for x in e.get("loc", ()))
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, MissingForKind):
            out += [((*loc, f), "Field required", "missing") for f in cause.fields]
        else:
            out.append((loc, str(e.get("msg", "")), str(e.get("type", ""))))
    return out


_ESTABLISHMENT = ("entity_type", "mode", "name", "address", "business_scope", "registered_capital_cny",
                  "shareholders", "officers", "linked_services")
_LIFECYCLE = {"change": ("uscc", "changes"), "deregistration": ("uscc", "procedure", "reason"),
              "suspension": ("uscc", "from_", "to", "service_address")}


class ApplicationIn(_Model):
    """企业开办申请 (and the lifecycle documents) as the kiosk sends them."""

    application_id: uuid.UUID = Field(description="client-generated; the idempotency key")
    acceptance_no: str | None = Field(default=None, pattern=r"^\d{18}$",
                                      description="受理编号 assigned by the kiosk (18 digits, Damm check)")
    kind: Kind = "establishment"
    kiosk_id: str | None = text(80, None)
    entity_type: Literal["llc", "individual_business"] | None = None
    mode: Literal["full_chain", "partial_chain", "single_item"] | None = None
    submitted_at: When
    uscc: str | None = Field(default=None, max_length=18, pattern=SAFE,
                             description="the existing company (single items, change, deregistration, suspension)")
    name: NameParts | None = None
    address: AddressRef | None = None
    business_scope: list[ScopeItem] | None = Field(default=None, max_length=200)
    registered_capital_cny: Money | None = None
    shareholders: list[Shareholder] | None = Field(default=None, max_length=1000)
    officers: Officers | None = None
    applicant: Applicant
    linked_services: LinkedServices | None = None
    signatures: list[Signature] = Field(max_length=1000)
    changes: Changes | None = None
    procedure: Literal["simplified", "ordinary"] | None = None
    reason: str | None = text(400, None)
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None
    service_address: str | None = text(400, None)

    @model_validator(mode="after")
    def _required_for_kind(self) -> "ApplicationIn":
        needed = _ESTABLISHMENT if self.kind == "establishment" else _LIFECYCLE[self.kind]
        missing = [("from" if f == "from_" else f) for f in needed if getattr(self, f) is None]
        if missing:
            raise MissingForKind(self.kind, missing)
        return self

    # the establishment fields, never None once validated as an establishment
    @property
    def the_name(self) -> NameParts:
        return self.name or NameParts()

    @property
    def the_officers(self) -> Officers:
        return self.officers or Officers()

    @property
    def the_shareholders(self) -> list[Shareholder]:
        return self.shareholders or []

    @property
    def the_linked(self) -> LinkedServices:
        return self.linked_services or LinkedServices()


class Reason(BaseModel):
    code: str
    severity: Severity
    field: str
    message: str


class Decision(BaseModel):
    application_id: str
    acceptance_no: str
    decision: DecisionKind
    reasons: list[Reason]
    uscc: str | None = None
    e_license: str | None = None
    progress_url: str | None = None
    kind: Kind = "establishment"
    effective_on: date | None = Field(default=None, description="lifecycle: the day it takes effect")
    announcement_until: date | None = Field(default=None, description="the end of a public announcement period")


class ItemOut(BaseModel):
    service: str
    status: ItemStatus
    updated_at: datetime
    detail: str
    expected_by: datetime | None = None
    action: str | None = Field(default=None, description="change / deregistration: what the department does")


class ApplicationOut(Decision):
    """The full answer for a signed kiosk: the decision, the items, the review note."""

    items: list[ItemOut] = Field(default_factory=list)
    name: str | None = None
    submitted_at: datetime | None = None
    received_at: datetime | None = None
    review_comment: str | None = None


class ProgressItem(BaseModel):
    service: str
    status: ItemStatus
    expected_by: datetime | None = None


class ProgressOut(BaseModel):
    """The public progress (the receipt's QR code): no person's name, number, phone or address."""

    acceptance_no: str
    name: str
    decision: DecisionKind
    kind: Kind = "establishment"
    items: list[ProgressItem]
    received_at: datetime | None = None
    effective_on: date | None = None
    announcement_until: date | None = None


class ApiError(BaseModel):
    """Every refusal: ``detail`` for programs (a word, or the list of fields for a 422), ``message`` Chinese."""

    detail: str | list[dict[str, Any]]
    message: str
