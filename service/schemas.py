"""The API's own request and answer models (the documents both products exchange are in
:mod:`service.contract.models`). Every text is bounded and free of control characters; every
collection has a maximum size, so no body can grow a table or a page without end."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.contract.models import SAFE, Reason, text

Short = Annotated[str, Field(max_length=40, pattern=SAFE)]
IdNumber = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z]+$")]
Phone = Annotated[str, Field(pattern=r"^1[3-9]\d{9}$", description="mainland mobile number")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    calendar_missing_years: list[int] = Field(default_factory=list,
                                              description="years whose holiday schedule is unknown (weekdays assumed)")
    identity: str = Field(description="`simulated`, `none` or the provider in use")


class SmsSend(_In):
    phone: Phone
    id_number: IdNumber
    name: str = text(60, ..., min_length=1)


class SmsSent(BaseModel):
    sent: bool
    ttl_s: int


class SmsVerify(_In):
    phone: Phone
    code: str = Field(pattern=r"^\d{6}$")
    id_number: IdNumber


class SmsVerified(BaseModel):
    verified: bool
    verification_id: str


class FaceIn(_In):
    id_number: IdNumber
    name: str = text(60, ..., min_length=1)
    live_image_b64: str = Field(min_length=16, max_length=700_000, pattern=r"^[A-Za-z0-9+/=\s]+$",
                                description="JPEG or PNG, base64; checked and not kept")


class FaceOut(BaseModel):
    passed: bool
    score: float
    verification_id: str | None = None


class CardReadIn(_In):
    id_number: IdNumber


class LookupIn(_In):
    id_number: IdNumber


class ReviewIn(_In):
    action: Literal["approve", "reject"]
    comment: str = text(1000)


class DeviceReport(BaseModel):
    model_config = ConfigDict(extra="ignore")
    state: Short = ""
    problem: str | None = text(300, None)
    problem_zh: str | None = text(300, None)
    last_error: str | None = text(300, None)
    counters: dict[Short, int] = Field(default_factory=dict, max_length=40)


class KioskReport(BaseModel):
    """What a heartbeat may carry: bounded in size and shape (unknown keys are dropped)."""

    model_config = ConfigDict(extra="ignore")
    health: Literal["ok", "degraded"] = "degraded"
    devices: dict[Short, DeviceReport] = Field(default_factory=dict, max_length=12)
    outbox_pending: int | None = Field(default=None, ge=0, le=10**6)
    outbox_quarantined: int | None = Field(default=None, ge=0, le=10**6)
    outbox_oldest_min: float | None = Field(default=None, ge=0, le=10**7)
    outbox_last_error: str | None = text(300, None)
    disk_free_mb: int | None = Field(default=None, ge=0, le=10**9)
    site_type: Literal["hall", "bank_branch"] | None = None


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    site: str = text(200)
    version: str = text(40)
    fleet_number: int | None = Field(default=None, ge=1, le=9999)
    status: KioskReport = Field(default_factory=KioskReport)


class HelpIn(_In):
    step: str = text(40)


class HelpOut(BaseModel):
    id: int


class RatingIn(_In):
    journey: Literal["open", "single", "progress", "change", "deregister", "suspend", "reprint", "guide"]
    level: int = Field(ge=1, le=5, description="1 非常不满意 … 5 非常满意")
    reasons: list[Short] = Field(default_factory=list, max_length=8)


class SignInIn(_In):
    username: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._@-]+$")
    password: str = Field(min_length=1, max_length=200)


class AddressOption(BaseModel):
    code: str
    label: str
    text: str | None = None
    negative: str | None = None


class ScopeOption(BaseModel):
    code: str
    text: str
    permit: str
    category: str


class LicenceCheck(BaseModel):
    valid: bool
    uscc: str | None = None
    name: str | None = None
    registered: bool = False
    status: str | None = Field(default=None, description="the company's status in the registry")
    current_name: str | None = Field(default=None, description="the name the registry holds now (a licence "
                                                               "issued before a change of name shows the old one)")
    reason: str | None = None
    message: str | None = None


class OpenMatterOut(BaseModel):
    service: str
    what: str
    see: str


class Clearance(BaseModel):
    """企业退出"一张表": what each department still holds open for a company."""

    uscc: str
    name: str
    status: str
    open_matters: list[OpenMatterOut]
    simplified_eligible: bool
    why_not: list[str]
