"""E-licence verification: JSON for programs, and the page a phone opens from the licence's QR link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse

from service import registry
from service.api.deps import anyone, get_platform
from service.contract import elicence
from service.pages import licence_page
from service.platform import Actor, Platform
from service.schemas import LicenceCheck

router = APIRouter(tags=["licences"])
_Q = r"^[^\x00-\x1f\x7f]*$"


def check(platform: Platform, code: str) -> dict[str, Any]:
    """Never raises: a crafted code is "not valid" with the reason."""
    try:
        found = elicence.verify(code, platform.key.public_key())
    except elicence.LicenceCodeError as exc:
        return {"valid": False, "reason": exc.reason, "message": exc.message_zh}
    with platform.store.read() as s:
        entity = registry.entity_by_uscc(s, found.uscc)
    return {"valid": True, "uscc": found.uscc, "name": found.name, "registered": entity is not None,
            "status": entity.status if entity is not None else None,
            "current_name": entity.name if entity is not None else None}


@router.get("/api/v1/licences/verify", response_model=LicenceCheck, response_model_exclude_none=True)
def verify(code: Annotated[str, Query(max_length=2000, pattern=_Q)], _actor: Actor = Depends(anyone),
           platform: Platform = Depends(get_platform)) -> Any:
    return check(platform, code)


@router.get("/v/{code}", response_class=HTMLResponse, tags=["pages"], responses={404: {"content": {"text/html": {}}}})
def verify_page(code: Annotated[str, Path(max_length=2000)], _actor: Actor = Depends(anyone),
                platform: Platform = Depends(get_platform)) -> HTMLResponse:
    """What a phone shows after scanning the licence's QR code."""
    result = check(platform, code)
    return HTMLResponse(licence_page(result), status_code=200 if result["valid"] else 404)
