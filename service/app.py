"""The platform's HTTP API (CONTRACT.md), a thin layer over :class:`service.platform.Platform`.

Every answer that is not a success carries ``detail`` (for programs) and ``message`` (plain
Chinese for the citizen). Validation failures are 422 with one readable message per field;
a database that is momentarily unavailable is a 503 the kiosk's client retries.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from contextlib import asynccontextmanager
from typing import Annotated, Any, AsyncIterator

from fastapi import Body, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kiosk import __version__, elicence
from service import registry
from service.db import utcnow
from service.pages import fleet_page, progress_page
from service.platform import Conflict, Platform
from service.schemas import (SERVICES, ApiError, ApplicationIn, ApplicationOut, Decision, Health, HeartbeatIn,
                             NameCheck, ReviewIn, SmsSend, SmsVerify)
from service.auth import AuthError
from service.sms import SmsError

log = logging.getLogger("service.app")

_Q = r"^[^\x00-\x1f\x7f]*$"  # query texts: no control characters


_HTTP_ZH = {404: "未找到。", 405: "不支持该操作。", 413: "提交的内容过大。"}


def _error(status: int, detail: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "message": message})


def _field(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out or "body"


E = {404: {"model": ApiError}, 409: {"model": ApiError}, 503: {"model": ApiError}}
GUARDED = {401: {"model": ApiError}, 413: {"model": ApiError}, 429: {"model": ApiError}}


class Refused(Exception):
    def __init__(self, status: int, detail: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.message, self.headers = status, detail, message, headers


class Lookup(BaseModel):
    id_number: str = Field(min_length=1, max_length=40, pattern=_Q)


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
    reason: str | None = None
    message: str | None = None


class SmsSent(BaseModel):
    sent: bool
    ttl_s: int


class SmsVerified(BaseModel):
    verified: bool


def _systemd_watchdog() -> "asyncio.Task[None] | None":
    """Under systemd (``Type=notify``): READY now, then WATCHDOG from the event loop, so a wedged
    loop — not only a dead process — gets the service restarted."""
    from kiosk.watchdog import Notifier

    notifier = Notifier(any_process=True)
    if not notifier.enabled:
        return None
    notifier.ready("serving")
    if not notifier.watchdog_s:
        return None

    async def feed() -> None:
        while True:
            notifier.feed()
            await asyncio.sleep(notifier.watchdog_s / 4)

    return asyncio.get_running_loop().create_task(feed())


def create_app(platform: Platform, run_dispatcher: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_dispatcher:
            platform.start()
        feeder = _systemd_watchdog()
        yield
        if feeder is not None:
            feeder.cancel()

    app = FastAPI(title="银政通 platform", version=__version__, lifespan=lifespan,
                  max_body_size=platform.settings.max_body_bytes * 4,  # the backstop for chunked bodies
                  description="企业开办一件事：秒批、登记、电子营业执照、五个关联事项、进度查询。")
    app.state.platform = platform

    @app.middleware("http")
    async def _size(request: Request, call_next: Any) -> Any:
        """A declared body over the limit is refused before it is read, in the platform's own words
        (a chunked body without a length is still stopped by FastAPI's own limit)."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > platform.settings.max_body_bytes:
            return _error(413, "body too large", "提交的内容过大。")
        return await call_next(request)

    async def guard(request: Request) -> None:
        """Kiosk-facing writes: a signed, enrolled kiosk (when keys are configured) within its rate."""
        who = request.client.host if request.client else "-"
        if platform.kiosk_keys is not None:
            try:
                who = platform.kiosk_keys.verify(
                    request.headers.get("x-kiosk-id"), request.headers.get("x-kiosk-time"),
                    request.headers.get("x-kiosk-signature"), request.method, request.url.path,
                    await request.body())
            except AuthError as exc:
                log.warning("refused %s %s: %s", request.method, request.url.path, exc.detail)
                raise Refused(401, exc.detail, "本终端未经授权，请联系运维人员。") from None
            claimed = request.path_params.get("kiosk_id")
            if claimed and claimed != who:
                raise Refused(401, "a kiosk may only report for itself", "本终端未经授权，请联系运维人员。")
        elif request.headers.get("x-kiosk-id"):
            who = "kiosk:" + request.headers["x-kiosk-id"][:80]
        wait = platform.limiter.allow(who)
        if wait:
            raise Refused(429, "rate limit", "请求过于频繁，请稍后再试。", {"Retry-After": str(max(1, round(wait)))})

    @app.exception_handler(Refused)
    async def _refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"detail": exc.detail, "message": exc.message},
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            loc = tuple(e.get("loc", ()))
            errors.append({"loc": list(loc), "field": _field(loc), "msg": str(e.get("msg", "")),
                           "type": str(e.get("type", ""))})
        fields = "、".join(dict.fromkeys(e["field"] for e in errors[:5]))
        return JSONResponse(status_code=422, content={"detail": errors,
                                                      "message": f"提交的内容不完整或格式有误：{fields}"})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that is not even text: the same answer as any bad body
            return JSONResponse(status_code=422, content={
                "detail": [{"loc": ["body"], "field": "body", "msg": str(exc.detail), "type": "body_unreadable"}],
                "message": "提交的内容无法识别，请重试。"})
        return JSONResponse(status_code=exc.status_code, content={"detail": str(exc.detail),
                                                                  "message": _HTTP_ZH.get(exc.status_code, "请求有误。")},
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _database(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", str(exc).splitlines()[0])
        return _error(503, "database unavailable", "平台繁忙，请稍后重试。")

    @app.exception_handler(Conflict)
    async def _conflict(_request: Request, exc: Conflict) -> JSONResponse:
        return _error(409, "conflict", exc.message)

    @app.get("/api/v1/health", response_model=Health, tags=["platform"])
    def health() -> dict[str, Any]:
        with platform.store.read() as s:
            s.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": platform.store.engine.dialect.name,
                "reference": platform.counts(), "server_time": utcnow().isoformat()}

    @app.post("/api/v1/applications", response_model=Decision, responses={**E, **GUARDED},
              response_model_exclude_none=True, tags=["applications"], dependencies=[Depends(guard)])
    def submit(application: ApplicationIn) -> Decision:
        return platform.submit(application)

    @app.get("/api/v1/applications/{application_id}", response_model=ApplicationOut, responses=E,
             response_model_exclude_none=True,
             tags=["applications"])
    def status(application_id: uuid.UUID) -> Any:
        found = platform.status(str(application_id))
        if found is None:
            return _error(404, "not found", "未找到该申请，请核对申请编号。")
        return found

    @app.post("/api/v1/applications/lookup", response_model=list[ApplicationOut], response_model_exclude_none=True,
              tags=["applications"], responses=GUARDED, dependencies=[Depends(guard)])
    def lookup(body: Lookup) -> Any:
        """Applications of one person (applicant or legal representative), found by ID number."""
        return platform.lookup(body.id_number)

    @app.post("/api/v1/applications/{application_id}/review", response_model=Decision, response_model_exclude_none=True,
              responses={**E, 403: {"model": ApiError}}, tags=["review"])
    def review(application_id: uuid.UUID, body: ReviewIn,
               x_reviewer_token: Annotated[str | None, Header(max_length=200)] = None) -> Any:
        if not x_reviewer_token or not hmac.compare_digest(x_reviewer_token.encode(), platform.reviewer_token.encode()):
            return _error(403, "reviewer token required", "仅审核人员可以操作。")
        try:
            return platform.review(str(application_id), body)
        except KeyError:
            return _error(404, "not found", "未找到该申请。")

    @app.post("/api/v1/applications/{application_id}/items/{service}/retry", status_code=204,
              responses={**E, **GUARDED}, dependencies=[Depends(guard)],
              tags=["applications"], response_class=Response, response_model=None)
    def retry(application_id: uuid.UUID, service: Annotated[str, Path(pattern="^(" + "|".join(SERVICES) + ")$")]) -> Any:
        try:
            platform.retry_item(str(application_id), service)
        except KeyError:
            return _error(404, "not found", "该申请没有这个事项。")
        return Response(status_code=204)

    @app.get("/api/v1/names/check", response_model=NameCheck, tags=["names"])
    def check_name(region: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                   trade_name: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                   industry: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                   form: Annotated[str, Query(max_length=60, pattern=_Q)] = "") -> Any:
        return platform.check_name(region.strip(), trade_name.strip(), industry.strip(), form.strip())

    @app.get("/api/v1/addresses", response_model=list[AddressOption], tags=["reference"])
    def addresses(level: Annotated[int, Query(ge=0, le=2)] = 0,
                  parent: Annotated[str | None, Query(max_length=120, pattern=_Q)] = None) -> Any:
        """The picker: districts (0), streets of a district (1), buildings and units of a street (2)."""
        return platform.ref.address_options(level, parent)

    @app.get("/api/v1/addresses/search", response_model=list[AddressOption], tags=["reference"])
    def search_addresses(q: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                         division: Annotated[str | None, Query(max_length=6, pattern=_Q)] = None,
                         limit: Annotated[int, Query(ge=1, le=200)] = 40) -> Any:
        """By Chinese text or pinyin initials (``dfel`` finds 东风二路)."""
        return platform.ref.search_addresses(q, division, limit)

    @app.get("/api/v1/scopes/search", response_model=list[ScopeOption], tags=["reference"])
    def search_scopes(q: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                      limit: Annotated[int, Query(ge=1, le=200)] = 40) -> Any:
        return platform.ref.search_scopes(q, limit)

    @app.post("/api/v1/sms/send", response_model=SmsSent, responses=GUARDED, tags=["identity"],
              dependencies=[Depends(guard)])
    def sms_send(body: SmsSend) -> Any:
        try:
            return {"sent": True, "ttl_s": platform.send_sms(body.phone)}
        except SmsError as exc:
            return _error(exc.status, exc.reason, exc.message)

    @app.post("/api/v1/sms/verify", response_model=SmsVerified, dependencies=[Depends(guard)],
              responses={400: {"model": ApiError}, 404: {"model": ApiError}, 410: {"model": ApiError}, **GUARDED},
              tags=["identity"])
    def sms_verify(body: SmsVerify) -> Any:
        try:
            platform.verify_sms(body.phone, body.code)
        except SmsError as exc:
            return _error(exc.status, exc.reason, exc.message)
        return {"verified": True}

    if platform.settings.dev_sms:
        @app.get("/api/v1/dev/sms/{phone}", tags=["development"], responses={404: {"model": ApiError}})
        def dev_sms(phone: str) -> Any:
            """The last code sent to ``phone`` (only on a demo or test platform)."""
            code = platform.sms.dev_last.get(phone)
            return {"code": code} if code else _error(404, "no code", "没有发送过验证码。")

    @app.post("/api/v1/kiosks/{kiosk_id}/heartbeat", status_code=204, tags=["fleet"], response_class=Response,
              response_model=None, responses=GUARDED, dependencies=[Depends(guard)])
    def heartbeat(kiosk_id: Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9._-]+$")],
                  body: Annotated[HeartbeatIn, Body()]) -> Response:
        platform.heartbeat(kiosk_id, body.site, body.version, body.status)
        return Response(status_code=204)

    @app.get("/api/v1/kiosks", tags=["fleet"])
    def kiosks() -> list[dict[str, Any]]:
        return platform.kiosks()

    @app.get("/api/v1/licences/verify", response_model=LicenceCheck, tags=["licences"])
    def verify_licence(code: Annotated[str, Query(max_length=2000, pattern=_Q)]) -> Any:
        try:
            found = elicence.verify(code, platform.key.public_key())
        except elicence.LicenceCodeError as exc:
            return {"valid": False, "reason": exc.reason, "message": exc.message_zh}
        with platform.store.read() as s:
            registered = registry.entity_by_uscc(s, found.uscc) is not None
        return {"valid": True, "uscc": found.uscc, "name": found.name, "registered": registered}

    @app.get("/progress/{application_id}", response_class=HTMLResponse, tags=["pages"],
             responses={404: {"content": {"text/html": {}}}})
    def progress(application_id: str) -> HTMLResponse:
        """What the receipt's QR code opens on a phone."""
        try:
            found = platform.status(str(uuid.UUID(application_id)))
        except ValueError:
            found = None
        return HTMLResponse(progress_page(found), status_code=200 if found else 404)

    @app.get("/fleet", response_class=HTMLResponse, tags=["pages"])
    def fleet() -> HTMLResponse:
        return HTMLResponse(fleet_page(platform.kiosks()))

    return app
