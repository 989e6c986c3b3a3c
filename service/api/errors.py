"""Every answer that is not a success carries ``detail`` (for programs) and ``message`` (plain Chinese).

Validation failures are 422 with one readable message per field; a database that is momentarily
unavailable is a 503 the kiosk's client retries; nothing answers 500 to any input — an unexpected
error is logged (masked) and answered as a 503 in the platform's words.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.api.deps import Refused
from service.contract.models import error_fields
from service.identity import IdentityError
from service.platform import Conflict, NotFound, TooMany

log = logging.getLogger("service.api")

_HTTP_ZH = {404: "未找到。", 405: "不支持该操作。", 413: "提交的内容过大。"}


def error(status: int, detail: Any, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "message": message}, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out or "body"


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "") and \
        not request.url.path.startswith("/api/")


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        if exc.status == 401 and exc.headers and "Location" in exc.headers and _wants_html(request):
            return RedirectResponse("/signin?next=" + request.url.path, status_code=303)
        return error(exc.status, exc.detail, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = [{"loc": list(loc), "field": _field(tuple(loc)), "msg": msg, "type": kind}
                  for loc, msg, kind in error_fields(list(exc.errors()))]
        fields = "、".join(dict.fromkeys(e["field"] for e in errors[:5]))
        return error(422, errors, f"提交的内容不完整或格式有误：{fields}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # a body that is not even text: the same answer as any bad body
            return error(422, [{"loc": ["body"], "field": "body", "msg": str(exc.detail), "type": "body_unreadable"}],
                         "提交的内容无法识别，请重试。")
        return error(exc.status_code, str(exc.detail), _HTTP_ZH.get(exc.status_code, "请求有误。"),
                     getattr(exc, "headers", None))

    @app.exception_handler(OperationalError)
    async def _database(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", str(exc).splitlines()[0])
        return error(503, "database unavailable", "平台繁忙，请稍后重试。", {"Retry-After": "2"})

    @app.exception_handler(Conflict)
    async def _conflict(_request: Request, exc: Conflict) -> JSONResponse:
        return error(409, exc.detail, exc.message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        if _wants_html(request):
            from service.pages import message_page

            return HTMLResponse(message_page("未找到", exc.message), status_code=404)
        return error(404, "not found", exc.message)

    @app.exception_handler(TooMany)
    async def _too_many(_request: Request, exc: TooMany) -> JSONResponse:
        return error(429, "limit", exc.message, {"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(IdentityError)
    async def _identity(_request: Request, exc: IdentityError) -> JSONResponse:
        headers = {"Retry-After": "60"} if exc.status == 429 else None
        return error(exc.status, exc.reason, exc.message, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        from service.contract.privacy import mask_text

        log.error("unexpected error on %s %s: %s", request.method, request.url.path,
                  mask_text(f"{type(exc).__name__}: {exc}"), exc_info=False)
        return error(503, "unexpected error", "平台暂时无法处理，请稍后重试。", {"Retry-After": "5"})
