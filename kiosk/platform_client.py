"""The kiosk's client for the platform: signed requests with timeouts, retried only where safe.

Every request is signed with the kiosk's key over exactly the path, query and body that are sent
(CONTRACT.md "Who may call the platform"), with a fresh nonce and time on each attempt.
Connection errors and 5xx answers are retried with exponential backoff (a submission carries its
``application_id``, so a retry after a lost answer cannot create a second application).

What a refusal means decides what the outbox does with a document: 401, 403, 408 and 429 say
nothing about the document (the kiosk is not enrolled yet, its clock is off, the platform is
busy) and are :class:`PlatformUnavailable` — keep it and try again; 400, 404, 409, 413 and 422 are
about the document itself and are :class:`PlatformRefused` — it will never be taken as it is.
"""

from __future__ import annotations

import base64
import json as _json
import logging
import time
from typing import Any

import requests

from service.contract import VERSION as __version__
from kiosk.outbox import PermanentRejection
from service.contract.signing import sign_headers

log = logging.getLogger("kiosk.platform_client")


class PlatformError(Exception):
    """The platform could not be asked, or said no. ``message`` is Chinese for the screen."""

    def __init__(self, detail: str, message: str = "暂时无法连接业务平台，请稍后再试或到窗口办理。",
                 status: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.message, self.status = detail, message, status


class PlatformUnavailable(PlatformError):
    """Down, timed out, 5xx, or refused for a reason that is not the document's (401, 403, 408, 429):
    the outcome of a submission is unknown, and sending it again later is right."""

    def __init__(self, detail: str, message: str = "暂时无法连接业务平台，请稍后再试或到窗口办理。",
                 status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(detail, message, status)
        self.retry_after_s = retry_after_s


class PlatformRefused(PlatformError, PermanentRejection):
    """The request itself was refused (400, 404, 409, 413, 422): sending it again cannot help."""


NOT_ABOUT_THE_DOCUMENT = (401, 403, 408, 425, 429)


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
    def _call(self, method: str, path: str, retries: int | None = None, params: dict[str, Any] | None = None,
              json: Any = None) -> Any:
        body = b"" if json is None else _json.dumps(json, ensure_ascii=False).encode("utf-8")
        request = requests.Request(method, self.base_url + path, params=params, data=body or None,
                                   headers={"Content-Type": "application/json"} if json is not None else {})
        prepared = self.http.prepare_request(request)
        signed_path = prepared.path_url  # exactly the path and query as they go on the wire
        attempts = 1 + (self.retries if retries is None else retries)
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(8.0, self.backoff_s * 2 ** (attempt - 1)))
            if self.signing_key is not None:  # signed afresh each attempt: the time and nonce are part of it
                prepared.headers.update(sign_headers(self.signing_key, self.kiosk_id, method, signed_path, body))
            try:
                response = self.http.send(prepared, timeout=self.timeout)
            except requests.RequestException as exc:
                last = exc
                log.warning("platform %s %s: %s (attempt %d/%d)", method, path, type(exc).__name__, attempt + 1,
                            attempts)
                continue
            status = response.status_code
            if status >= 500:
                last = PlatformUnavailable(f"HTTP {status}", _message(response) or "业务平台繁忙，请稍后再试。", status)
                log.warning("platform %s %s: HTTP %d (attempt %d/%d)", method, path, status, attempt + 1, attempts)
                continue
            if status in NOT_ABOUT_THE_DOCUMENT:
                raise PlatformUnavailable(f"HTTP {status}: {_detail(response)}",
                                          _message(response) or "业务平台暂时不能受理，请稍后再试。", status,
                                          _retry_after(response))
            if status >= 400:
                raise PlatformRefused(f"HTTP {status}: {_detail(response)}",
                                      _message(response) or "提交的信息有误，请核对后重试。", status)
            if status == 204 or not response.content:
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
        """The full state of an application this kiosk submitted (None when the platform has none)."""
        try:
            return self._call("GET", f"/api/v1/applications/{application_id}")
        except PlatformRefused as exc:
            if exc.status in (404, 422):
                return None
            raise

    def progress(self, acceptance_no: str) -> dict[str, Any] | None:
        """The public progress of an acceptance number (nothing personal)."""
        try:
            return self._call("GET", f"/api/v1/progress/{acceptance_no}")
        except PlatformRefused as exc:
            if exc.status in (404, 422):
                return None
            raise

    def card_read(self, id_number: str) -> None:
        """Tell the platform this kiosk has just read this card (lookups by it may follow)."""
        self._call("POST", "/api/v1/identity/card-read", retries=1, json={"id_number": id_number})

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

    def send_sms_code(self, phone: str, id_number: str, name: str) -> dict[str, Any]:
        """三要素 then a code: PlatformRefused with status 422 and detail PHONE_NOT_OWNER when the phone
        is another person's; PlatformUnavailable(429) with the platform's wait message in a cooldown."""
        return self._call("POST", "/api/v1/sms/send", retries=0,
                          json={"phone": phone, "id_number": id_number, "name": name})

    def verify_sms_code(self, phone: str, code: str, id_number: str) -> str | None:
        """The verification id when the code is right; None when it is wrong (PlatformRefused for
        expired or never sent, PlatformUnavailable for too many tries)."""
        try:
            answer = self._call("POST", "/api/v1/sms/verify", retries=0,
                                json={"phone": phone, "code": code, "id_number": id_number})
        except PlatformRefused as exc:
            if exc.status == 400:
                return None
            raise
        return str(answer["verification_id"])

    def verify_face(self, id_number: str, name: str, image: bytes) -> dict[str, Any]:
        """The platform compares the live image with the photo on file: ``{"passed", "score", "verification_id"}``."""
        return self._call("POST", "/api/v1/identity/face", retries=1,
                          json={"id_number": id_number, "name": name,
                                "live_image_b64": base64.b64encode(image).decode("ascii")})

    def dev_sms_code(self, phone: str) -> str | None:
        """The code a demo platform sent (the simulated citizen's phone)."""
        try:
            answer = self._call("GET", f"/api/v1/dev/sms/{phone}", retries=0)
        except PlatformRefused:
            return None
        return answer.get("code") if isinstance(answer, dict) else None

    def verify_licence(self, code: str) -> dict[str, Any]:
        return self._call("GET", "/api/v1/licences/verify", params={"code": code})

    def retry_item(self, application_id: str, service: str) -> None:
        self._call("POST", f"/api/v1/applications/{application_id}/items/{service}/retry")

    def record(self, uscc: str, id_number: str, face_verification_id: str, purpose: str) -> dict[str, Any]:
        """A company's record for its legal representative (after the platform's face check)."""
        return self._call("POST", f"/api/v1/entities/{uscc}/record",
                          json={"id_number": id_number, "face_verification_id": face_verification_id,
                                "purpose": purpose})

    def clearance(self, uscc: str) -> dict[str, Any]:
        """企业退出"一张表": what each department still holds open for the company."""
        return self._call("GET", f"/api/v1/entities/{uscc}/clearance")

    def call_staff(self, step: str) -> int:
        return int(self._call("POST", "/api/v1/help", retries=1, json={"step": step})["id"])

    def rate(self, journey: str, level: int, reasons: list[str]) -> None:
        self._call("POST", "/api/v1/ratings", retries=1, json={"journey": journey, "level": level, "reasons": reasons})

    def heartbeat(self, site: str, status: dict[str, Any], fleet_number: int | None = None) -> None:
        self._call("POST", f"/api/v1/kiosks/{self.kiosk_id}/heartbeat", retries=0,
                   json={"site": site, "version": __version__, "fleet_number": fleet_number, "status": status})


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


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
