"""What the routes depend on: the platform, a signed kiosk, a signed-in operator, rates.

Secure by default: a kiosk route without a valid signature is a 401. Only a platform started with
the development flag ``open_api`` (and then only on loopback) accepts unsigned writes, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from service.core.security import AuthError, SignedIn, remember_nonce, signed_in
from service.platform import Actor, Platform

SESSION_COOKIE = "yzt_session"


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents in OpenAPI, each in the platform's shape."""
    from service.contract.models import ApiError

    return {status: {"model": ApiError} for status in statuses}


def page_answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals of an HTML page, which come as JSON (a browser asking for HTML is sent to /signin)."""
    from service.contract.models import ApiError

    schema = ApiError.model_json_schema()
    return {status: {"description": "refused", "content": {"application/json": {"schema": schema}}}
            for status in statuses}


class Refused(Exception):
    """An answer other than success, in the platform's words: ``detail`` for programs, ``message`` Chinese."""

    def __init__(self, status: int, detail: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.message, self.headers = status, detail, message, headers


async def get_platform(request: Request) -> Platform:
    """(``async`` like every dependency here that does not block: FastAPI runs a plain function on
    its thread pool, a hop for each request.)"""
    platform: Platform = request.app.state.platform
    return platform


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _path_and_query(request: Request) -> str:
    """Exactly what the client sent (CONTRACT.md: PATH_AND_QUERY as sent)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    return raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def _limit(platform: Platform, who: str) -> None:
    wait = platform.limiter.allow(who)
    if wait:
        raise Refused(429, "rate limit", "请求过于频繁，请稍后再试。", {"Retry-After": str(max(1, round(wait)))})


async def _verified_kiosk(request: Request, platform: Platform, remember: bool) -> Actor:
    headers = request.headers
    address = client_address(request)
    claimed = headers.get("x-kiosk-id")
    if platform.settings.open_api and not headers.get("x-kiosk-signature"):
        who = f"kiosk:{(claimed or 'anonymous')[:60]}"
        _limit(platform, f"address:{address}")
        return Actor(who, address)
    nonce = headers.get("x-kiosk-nonce") or ""
    try:
        kiosk_id = platform.kiosk_keys.verify(claimed, headers.get("x-kiosk-time"), nonce,
                                              headers.get("x-kiosk-signature"), request.method,
                                              _path_and_query(request), await request.body())
        if remember:
            def spend() -> None:
                with platform.store.write_light() as connection:
                    remember_nonce(connection, kiosk_id, nonce)

            await run_in_threadpool(spend)  # a write waits for the lock: never on the event loop
    except AuthError as exc:
        _limit(platform, f"address:{address}")  # a stranger's tries count against its address
        raise not_authorised(exc) from None
    path_kiosk = request.path_params.get("kiosk_id")
    if path_kiosk and path_kiosk != kiosk_id:
        raise Refused(401, "a kiosk may only report for itself", "本终端未经授权，请联系运维人员。")
    _limit(platform, f"kiosk:{kiosk_id}")
    return Actor(f"kiosk:{kiosk_id}", address, nonce="" if remember else nonce)


def not_authorised(exc: AuthError) -> Refused:
    """The 401 of a refused signature or nonce, wherever it is found (the dependency, or the write that
    records the nonce)."""
    return Refused(401, exc.detail, "本终端未经授权或请求已失效，请联系运维人员。")


async def signed_kiosk(request: Request, platform: Platform = Depends(get_platform)) -> Actor:
    """The enrolled kiosk that signed this request (a fresh nonce, a time within 300 s, the exact body)."""
    return await _verified_kiosk(request, platform, remember=True)


async def signed_kiosk_nonce_in_write(request: Request, platform: Platform = Depends(get_platform)) -> Actor:
    """:func:`signed_kiosk` for a route whose one write transaction records the nonce itself (the
    ``Actor.nonce`` it carries): a replay is refused there, before anything is decided, and the request
    costs one transaction instead of two (:meth:`Platform.submit`)."""
    return await _verified_kiosk(request, platform, remember=False)


async def anyone(request: Request, platform: Platform = Depends(get_platform)) -> Actor:
    """A public read, limited per address."""
    address = client_address(request)
    _limit(platform, f"address:{address}")
    return Actor(f"public:{address}", address)


def operator(*roles: str) -> Callable[..., Coroutine[Any, Any, SignedIn]]:
    """A signed-in person with one of ``roles`` (admins may do everything). Writes must carry the
    session's CSRF token (``X-CSRF-Token`` header or ``csrf`` form field)."""

    async def check(request: Request, platform: Platform = Depends(get_platform)) -> SignedIn:
        token = request.cookies.get(SESSION_COOKIE)
        with platform.store.read() as s:
            who = signed_in(s, token, platform.keys.token_key)
        if who is None:
            raise Refused(401, "sign in required", "请先登录。", {"Location": "/signin"})
        if who.role not in roles and who.role != "admin":
            raise Refused(403, f"needs the role {' or '.join(roles)}", "您的账号无权进行此操作。")
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token")
            if sent is None and request.headers.get("content-type", "").startswith(
                    "application/x-www-form-urlencoded"):
                sent = str((await request.form()).get("csrf", ""))
            if sent != who.csrf:
                raise Refused(403, "CSRF token missing or wrong", "页面已过期，请刷新后重试。")
        return who

    return check


def account_actor(who: SignedIn, request: Request) -> Actor:
    return Actor(f"account:{who.username}", client_address(request))
