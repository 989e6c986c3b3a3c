"""The platform's ASGI application: routers, error handlers, security headers, the lifespan.

``create_app(platform)`` is used by ``yzt service`` (one app per worker, through uvicorn's factory
:func:`app_from_environment`), by the kiosk's embedded platform and by the tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import text

from service.api import errors
from service.api.routes import accounts, applications, fleet, identity, licences, pages, reference, review
from service.contract import VERSION
from service.contract.systemd import Notifier
from service.core.settings import Settings
from service.models import utcnow
from service.platform import Platform
from service.schemas import Health

log = logging.getLogger("service.main")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _systemd_watchdog() -> "asyncio.Task[None] | None":
    """Under systemd (``Type=notify``): READY now, then WATCHDOG from the event loop, so a wedged
    loop — not only a dead process — gets the service restarted."""
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
        platform.stop()

    app = FastAPI(title="银政通 platform", version=VERSION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="企业开办一件事：秒批、登记、电子营业执照、五个关联事项、进度查询；变更、歇业、注销。")
    app.state.platform = platform
    errors.install(app)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """A declared body over the limit is refused before it is read; every answer gets the security headers."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > platform.settings.max_body_bytes:
            response: Response = errors.error(413, "body too large", "提交的内容过大。")
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/api/v1/health", response_model=Health, tags=["platform"])
    def health() -> Health:
        with platform.store.read() as s:
            s.execute(text("SELECT 1"))
        return Health(status="ok", version=VERSION, database=platform.store.engine.dialect.name,
                      reference=platform.counts(), server_time=utcnow().isoformat(),
                      calendar_missing_years=platform.calendar.unknown_years(),
                      identity=platform.settings.identity)

    for router in (applications.router, identity.router, reference.router, licences.router, fleet.router,
                   review.router, accounts.router, pages.router):
        app.include_router(router)
    if platform.settings.dev_sms:
        from fastapi import APIRouter

        dev = APIRouter()
        identity.add_dev_routes(dev)
        app.include_router(dev)
    from service.api.routes import entities

    app.include_router(entities.router)
    return app


def app_from_environment() -> FastAPI:
    """The app for ``yzt service`` (uvicorn's factory, once per worker): settings from the environment
    (``yzt service`` has checked them and migrated the database before any worker starts)."""
    settings = Settings()
    return create_app(Platform(settings, migrate=False))
