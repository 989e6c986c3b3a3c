"""The kiosk's client for the platform: requests with timeouts, and retries only where they are safe.

Connection errors and 5xx answers are retried with exponential backoff (a submission carries its
``application_id``, so a retry after a lost answer cannot create a second application); 4xx
answers are not retried: they carry the platform's Chinese ``message`` for the citizen.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from kiosk import __version__
from kiosk.outbox import PermanentRejection
from service.auth import sign_headers

log = logging.getLogger("service.client")


class PlatformError(Exception):
    """The platform could not be asked, or said no. ``message`` is Chinese for the screen."""

    def __init__(self, detail: str, message: str = "暂时无法连接业务平台，请稍后再试或到窗口办理。",
                 status: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.message, self.status = detail, message, status


class PlatformUnavailable(PlatformError):
    """Down, timed out, or 5xx after the retries: the outcome of a submission is unknown."""


class PlatformRefused(PlatformError, PermanentRejection):
    """A 4xx: the request itself was refused; sending it again cannot help."""


class PlatformClient:
    def __init__(self, base_url: str, timeout: float = 10.0, kiosk_id: str = "", retries: int = 3,
                 backoff_s: float = 0.5, session: requests.Session | None = None, signing_key: Any = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.signing_key = signing_key  # this kiosk's Ed25519 key: every request is signed with it
        self.timeout = timeout
        self.kiosk_id = kiosk_id
        self.retries = retries
        self.backoff_s = backoff_s
        self.http = session or requests.Session()
        self.http.headers.update({"User-Agent": f"yzt-kiosk/{__version__}", "X-Kiosk-Id": kiosk_id or "-"})

    # -- transport ---------------------------------------------------------------------------
    def _call(self, method: str, path: str, retries: int | None = None, **kwargs: Any) -> Any:
        url = self.base_url + path
        body = b""
        if self.signing_key is not None and "json" in kwargs:  # sign exactly the bytes that are sent
            body = json.dumps(kwargs.pop("json"), ensure_ascii=False).encode("utf-8")
            kwargs["data"] = body
            kwargs["headers"] = {"Content-Type": "application/json"}
        signed_path = urlsplit(url).path if self.signing_key is not None else None
        attempts = 1 + (self.retries if retries is None else retries)
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(8.0, self.backoff_s * 2 ** (attempt - 1)))
            if signed_path is not None:  # signed afresh each attempt: the time is part of it
                kwargs["headers"] = {**kwargs.get("headers", {}),
                                     **sign_headers(self.signing_key, self.kiosk_id, method, signed_path, body)}
            try:
                response = self.http.request(method, url, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                last = exc
                log.warning("platform %s %s: %s (attempt %d/%d)", method, path, type(exc).__name__, attempt + 1,
                            attempts)
                continue
            if response.status_code >= 500:
                last = PlatformUnavailable(f"HTTP {response.status_code}", _message(response) or
                                           "业务平台繁忙，请稍后再试。", response.status_code)
                log.warning("platform %s %s: HTTP %d (attempt %d/%d)", method, path, response.status_code,
                            attempt + 1, attempts)
                continue
            if response.status_code >= 400:
                raise PlatformRefused(f"HTTP {response.status_code}: {_detail(response)}",
                                      _message(response) or "提交的信息有误，请核对后重试。", response.status_code)
            if response.status_code == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                last = PlatformUnavailable("answer is not JSON")
                continue
        if isinstance(last, PlatformUnavailable):
            raise last
        raise PlatformUnavailable(f"{type(last).__name__}: {last}" if last else "no answer")

    # -- the platform's API -------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._call("GET", "/api/v1/health", retries=0)

    def submit(self, application: dict[str, Any]) -> dict[str, Any]:
        """POST the application; the same ``application_id`` always answers the same decision."""
        return self._call("POST", "/api/v1/applications", json=application)

    def status(self, application_id: str) -> dict[str, Any] | None:
        try:
            return self._call("GET", f"/api/v1/applications/{application_id}")
        except PlatformRefused as exc:
            if exc.status in (404, 422):
                return None
            raise

    def lookup(self, id_number: str) -> list[dict[str, Any]]:
        return self._call("POST", "/api/v1/applications/lookup", json={"id_number": id_number})

    def check_name(self, region: str, trade_name: str, industry: str, form: str) -> dict[str, Any]:
        return self._call("GET", "/api/v1/names/check", retries=1,
                          params={"region": region, "trade_name": trade_name, "industry": industry, "form": form})

    def address_options(self, level: int, parent: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"level": level}
        if parent:
            params["parent"] = parent
        return self._call("GET", "/api/v1/addresses", params=params)

    def search_addresses(self, query: str, division: str | None = None, limit: int = 40) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"q": query, "limit": limit}
        if division:
            params["division"] = division
        return self._call("GET", "/api/v1/addresses/search", params=params)

    def search_scopes(self, query: str, limit: int = 40) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v1/scopes/search", params={"q": query, "limit": limit})

    def send_sms_code(self, phone: str) -> dict[str, Any]:
        return self._call("POST", "/api/v1/sms/send", retries=0, json={"phone": phone})

    def verify_sms_code(self, phone: str, code: str) -> bool:
        """True when the code is right; False when it is wrong (PlatformRefused for expired, too many tries)."""
        try:
            self._call("POST", "/api/v1/sms/verify", retries=0, json={"phone": phone, "code": code})
        except PlatformRefused as exc:
            if exc.status == 400:
                return False
            raise
        return True

    def dev_sms_code(self, phone: str) -> str | None:
        """The code a demo platform sent (the simulated citizen's phone)."""
        try:
            return self._call("GET", f"/api/v1/dev/sms/{phone}", retries=0).get("code")
        except PlatformRefused:
            return None

    def verify_licence(self, code: str) -> dict[str, Any]:
        return self._call("GET", "/api/v1/licences/verify", params={"code": code})

    def retry_item(self, application_id: str, service: str) -> None:
        self._call("POST", f"/api/v1/applications/{application_id}/items/{service}/retry")

    def heartbeat(self, site: str, status: dict[str, Any]) -> None:
        self._call("POST", f"/api/v1/kiosks/{self.kiosk_id}/heartbeat", retries=0,
                   json={"site": site, "version": __version__, "status": status})


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", ""))[:300] if isinstance(body, dict) else str(body)[:200]
