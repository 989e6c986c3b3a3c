"""Applications: submit (a signed kiosk), its full state (the kiosk that sent it), lookups by card,
retrying an item, and the public progress by acceptance number."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from service.api.deps import (answers, anyone, get_platform, not_authorised, signed_kiosk,
                              signed_kiosk_nonce_in_write)
from service.contract.labels import SERVICES
from service.contract.models import ApplicationIn, ApplicationOut, Decision, ProgressOut
from service.core.security import AuthError
from service.platform import Actor, NotFound, Platform
from service.schemas import CardReadIn, LookupIn

router = APIRouter(tags=["applications"])
KIOSK = answers(401, 409, 413, 429, 503)


@router.post("/api/v1/applications", response_model=Decision, responses=KIOSK, response_model_exclude_none=True)
async def submit(application: ApplicationIn, actor: Actor = Depends(signed_kiosk_nonce_in_write),
                 platform: Platform = Depends(get_platform)) -> Decision:
    """Decide an application. The same ``application_id`` again answers the same decision; with another
    body, 409. The kiosk that signs is the application's kiosk."""
    try:  # on the platform's decider threads, never the event loop
        return await asyncio.get_running_loop().run_in_executor(platform.deciders, platform.submit, application,
                                                                actor)
    except AuthError as exc:  # the nonce was used before: a replay
        raise not_authorised(exc) from None


@router.get("/api/v1/applications/{application_id}", response_model=ApplicationOut,
            responses=answers(401, 404, 409, 413, 429, 503), response_model_exclude_none=True)
def status(application_id: uuid.UUID, actor: Actor = Depends(signed_kiosk),
           platform: Platform = Depends(get_platform)) -> Any:
    found = platform.status(str(application_id))
    if found is None or (actor.kiosk_id and not platform.settings.open_api and
                         platform.application_kiosk(str(application_id)) != actor.kiosk_id):
        raise NotFound("未找到该申请，请核对受理编号。")
    return found


@router.post("/api/v1/identity/card-read", status_code=204, response_class=Response, response_model=None,
             responses=KIOSK, tags=["identity"])
def card_read(body: CardReadIn, actor: Actor = Depends(signed_kiosk),
              platform: Platform = Depends(get_platform)) -> Response:
    """This kiosk has just read this person's card (a lookup by their number may follow within 5 minutes)."""
    platform.card_read(actor, body.id_number)
    return Response(status_code=204)


@router.post("/api/v1/applications/lookup", response_model=list[ApplicationOut], response_model_exclude_none=True,
             responses=answers(401, 404, 409, 413, 429, 503))
def lookup(body: LookupIn, actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Any:
    """Applications naming one person, for the kiosk that has just read their card."""
    return platform.lookup(actor, body.id_number)


@router.post("/api/v1/applications/{application_id}/items/{service}/retry", status_code=204,
             responses=answers(401, 404, 409, 413, 429, 503), response_class=Response, response_model=None)
def retry(application_id: uuid.UUID, service: Annotated[str, Path(pattern="^(" + "|".join(SERVICES) + ")$")],
          actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Response:
    if not platform.settings.open_api and platform.application_kiosk(str(application_id)) not in (actor.kiosk_id,):
        raise NotFound("该申请没有这个事项。")
    platform.retry_item(str(application_id), service, actor)
    return Response(status_code=204)


@router.get("/api/v1/progress/{acceptance_no}", response_model=ProgressOut, response_model_exclude_none=True,
            responses=answers(404, 429), tags=["progress"])
def progress(acceptance_no: Annotated[str, Path(max_length=40)], _actor: Actor = Depends(anyone),
             platform: Platform = Depends(get_platform)) -> Any:
    """Anyone with the number: the proposed name, the decision, each item and when it is expected —
    nobody's name, ID number, phone or address, and no reason about a person."""
    found = platform.progress(acceptance_no)
    if found is None:
        raise NotFound("未找到该受理编号，请核对回执上的受理编号。")
    return found
