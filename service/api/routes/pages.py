"""The public pages: progress by acceptance number (what the receipt's QR opens) and the stylesheet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, Response

from service.api.deps import anyone, get_platform
from service.pages import STYLE, progress_page
from service.platform import Actor, Platform

router = APIRouter(tags=["pages"])


@router.get("/p/{acceptance_no}", response_class=HTMLResponse, responses={404: {"content": {"text/html": {}}}})
@router.get("/progress/{acceptance_no}", response_class=HTMLResponse, include_in_schema=False)
def progress(acceptance_no: Annotated[str, Path(max_length=40)], _actor: Actor = Depends(anyone),
             platform: Platform = Depends(get_platform)) -> HTMLResponse:
    found = platform.progress(acceptance_no)
    return HTMLResponse(progress_page(found), status_code=200 if found else 404)


@router.get("/static/site.css", include_in_schema=False)
def stylesheet() -> Response:
    return Response(STYLE, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})
