"""Signing in and out (people who run the platform), and the audit log (administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from service.api.deps import (SESSION_COOKIE, Refused, account_actor, answers, client_address, get_platform, operator,
                              page_answers)
from service.core.security import SignedIn, SignInRefused, sign_in, sign_out
from service.pages import audit_page, signin_page
from service.platform import Actor, Platform
from service.schemas import SignInIn

router = APIRouter(tags=["accounts"])


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/fleet"


def _sign_in(request: Request, platform: Platform, username: str, password: str) -> tuple[str, SignedIn]:
    s_ = platform.settings
    actor = Actor(f"account:{username[:60]}", client_address(request))
    refused: SignInRefused | None = None
    with platform.store.write() as s:  # a failure is counted (and audited) even though it is refused
        try:
            token, who = sign_in(s, username, password, platform.keys.token_key, s_.session_ttl_s,
                                 s_.max_sign_in_failures, s_.sign_in_lock_s)
            platform.audit(s, actor, "account.sign_in", username[:60])
        except SignInRefused as exc:
            refused = exc
            platform.audit(s, actor, "account.sign_in_refused", username[:60], why=exc.detail)
    if refused is not None:
        message = "登录失败次数过多，账号已暂时锁定，请稍后再试。" if refused.locked_until else "用户名或密码不正确。"
        raise Refused(401, refused.detail, message)
    return token, who


def _cookie(response: Response, token: str, request: Request, ttl_s: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=ttl_s, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


@router.get("/signin", response_class=HTMLResponse, tags=["pages"])
def signin_form(next: Annotated[str, Query(max_length=200)] = "/fleet") -> HTMLResponse:
    return HTMLResponse(signin_page(_safe_next(next)))


@router.post("/signin", response_class=Response, response_model=None, include_in_schema=False)
def signin_submit(request: Request, username: Annotated[str, Form(max_length=60)],
                  password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form(max_length=200)] = "/fleet",
                  platform: Platform = Depends(get_platform)) -> Response:
    try:
        token, _who = _sign_in(request, platform, username, password)
    except Refused as exc:
        return HTMLResponse(signin_page(_safe_next(next), exc.message), status_code=401)
    response = Response(status_code=303, headers={"Location": _safe_next(next)})
    _cookie(response, token, request, platform.settings.session_ttl_s)
    return response


@router.post("/api/v1/session", responses=answers(401))
def session_create(body: SignInIn, request: Request, platform: Platform = Depends(get_platform)) -> Any:
    """Sign in from a program: the session cookie, and the CSRF token its writes must carry."""
    token, who = _sign_in(request, platform, body.username, body.password)
    response = JSONResponse({"username": who.username, "role": who.role, "csrf": who.csrf})
    _cookie(response, token, request, platform.settings.session_ttl_s)
    return response


@router.post("/signout", response_class=Response, response_model=None, tags=["pages"],
             responses=page_answers(401, 403))
def signout(request: Request, who: SignedIn = Depends(operator("reviewer", "operator")),
            platform: Platform = Depends(get_platform)) -> Response:
    with platform.store.write() as s:
        sign_out(s, request.cookies.get(SESSION_COOKIE), platform.keys.token_key)
        platform.audit(s, account_actor(who, request), "account.sign_out", who.username)
    response = Response(status_code=303, headers={"Location": "/signin"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/audit", responses=answers(401, 403))
def audit(limit: Annotated[int, Query(ge=1, le=1000)] = 200,
          action: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_.]*$")] = None,
          _who: SignedIn = Depends(operator("admin")), platform: Platform = Depends(get_platform)) -> Any:
    return platform.audit_log(limit, action)


@router.get("/audit", response_class=HTMLResponse, tags=["pages"], responses=page_answers(401, 403))
def audit_html(action: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_.]*$")] = None,
               who: SignedIn = Depends(operator("admin")), platform: Platform = Depends(get_platform)) -> HTMLResponse:
    return HTMLResponse(audit_page(platform.audit_log(300, action), who))
