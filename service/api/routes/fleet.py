"""The fleet: heartbeats (each kiosk for itself), calls for staff (帮办), ratings (好差评), and the
pages and lists only signed-in operators see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import account_actor, answers, get_platform, page_answers, operator, signed_kiosk
from service.core.security import SignedIn
from service.pages import fleet_page
from service.platform import Actor, Platform
from service.schemas import HeartbeatIn, HelpIn, HelpOut, RatingIn

router = APIRouter(tags=["fleet"])
KIOSK = answers(401, 409, 413, 429)
KioskId = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9._-]+$")]


@router.post("/api/v1/kiosks/{kiosk_id}/heartbeat", status_code=204, response_class=Response, response_model=None,
             responses=KIOSK)
def heartbeat(kiosk_id: KioskId, body: Annotated[HeartbeatIn, Body()], _actor: Actor = Depends(signed_kiosk),
              platform: Platform = Depends(get_platform)) -> Response:
    platform.heartbeat(kiosk_id, body.site, body.version, body.status.model_dump(exclude_none=True), body.fleet_number)
    return Response(status_code=204)


@router.post("/api/v1/help", response_model=HelpOut, responses=KIOSK)
def call_staff(body: HelpIn, actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Any:
    """帮办: the citizen at this kiosk asks for the hall's staff (kiosk, time, step; nothing personal)."""
    return {"id": platform.help_request(actor.kiosk_id or "anonymous", body.step)}


@router.post("/api/v1/ratings", status_code=204, response_class=Response, response_model=None, responses=KIOSK)
def rate(body: RatingIn, actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Response:
    """好差评: one visit's rating, five levels and optional reasons (nothing personal)."""
    platform.rate(actor.kiosk_id or "anonymous", body.journey, body.level, list(body.reasons))
    return Response(status_code=204)


@router.get("/api/v1/kiosks", responses=answers(401, 403))
def kiosks(_who: SignedIn = Depends(operator("operator")), platform: Platform = Depends(get_platform)) -> Any:
    return platform.kiosks()


@router.get("/api/v1/help", responses=answers(401, 403))
def help_requests(_who: SignedIn = Depends(operator("operator")), platform: Platform = Depends(get_platform)) -> Any:
    return platform.help_requests()


@router.post("/api/v1/help/{request_id}/answer", status_code=204, response_class=Response, response_model=None,
             responses=answers(401, 403, 404))
@router.post("/fleet/help/{request_id}/answer", status_code=303, response_class=Response, response_model=None,
             include_in_schema=False)
def answer_help(request_id: int, request: Request, who: SignedIn = Depends(operator("operator")),
                platform: Platform = Depends(get_platform)) -> Response:
    platform.answer_help(request_id, account_actor(who, request))
    if request.url.path.startswith("/fleet/"):
        return Response(status_code=303, headers={"Location": "/fleet"})
    return Response(status_code=204)


@router.get("/fleet", response_class=HTMLResponse, tags=["pages"], responses=page_answers(401, 403))
def fleet(who: SignedIn = Depends(operator("operator")), platform: Platform = Depends(get_platform)) -> HTMLResponse:
    return HTMLResponse(fleet_page(platform.kiosks(), platform.help_requests(), who))
