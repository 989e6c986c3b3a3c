"""Review (reviewers) and dead-lettered department items (operators)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import account_actor, answers, get_platform, page_answers, operator
from service.contract.labels import SERVICES
from service.contract.models import Decision
from service.core.security import SignedIn
from service.pages import review_page
from service.platform import Platform
from service.schemas import ReviewIn

router = APIRouter(tags=["review"])
STAFF = answers(401, 403, 404, 409)


@router.post("/api/v1/applications/{application_id}/review", response_model=Decision,
             response_model_exclude_none=True, responses=STAFF)
def review(application_id: uuid.UUID, body: ReviewIn, request: Request,
           who: SignedIn = Depends(operator("reviewer")), platform: Platform = Depends(get_platform)) -> Any:
    """A reviewer approves or rejects an application in manual review (recorded with their account)."""
    return platform.review(str(application_id), body.action, body.comment, account_actor(who, request))


@router.get("/review", response_class=HTMLResponse, tags=["pages"], responses=page_answers(401, 403))
def review_queue(who: SignedIn = Depends(operator("reviewer")), platform: Platform = Depends(get_platform)
                 ) -> HTMLResponse:
    return HTMLResponse(review_page(platform.review_queue(), who))


@router.post("/review/{application_id}", status_code=303, response_class=Response, response_model=None,
             include_in_schema=False)
def review_form(application_id: uuid.UUID, request: Request, action: Annotated[str, Form(pattern="^(approve|reject)$")],
                comment: Annotated[str, Form(max_length=1000)] = "", who: SignedIn = Depends(operator("reviewer")),
                platform: Platform = Depends(get_platform)) -> Response:
    platform.review(str(application_id), action, comment.strip(), account_actor(who, request))
    return Response(status_code=303, headers={"Location": "/review"})


@router.get("/api/v1/items/dead", responses=STAFF)
def dead_items(_who: SignedIn = Depends(operator("operator")), platform: Platform = Depends(get_platform)) -> Any:
    """Items whose department kept failing: an operator retries them."""
    return platform.dead_items()


@router.post("/api/v1/items/{application_id}/{service}/retry", status_code=204, response_class=Response,
             response_model=None, responses=STAFF)
def retry_dead(application_id: uuid.UUID, service: Annotated[str, Path(pattern="^(" + "|".join(SERVICES) + ")$")],
               request: Request, who: SignedIn = Depends(operator("operator")),
               platform: Platform = Depends(get_platform)) -> Response:
    platform.retry_item(str(application_id), service, account_actor(who, request))
    return Response(status_code=204)
