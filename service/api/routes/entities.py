"""A company's later life: its record for the legal representative (prefill, reprint), the one-table
clearance before a deregistration, and objections during a deregistration's announcement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from service import lifecycle
from service.api.deps import answers, anyone, get_platform, signed_kiosk
from service.platform import Actor, Platform
from service.schemas import Clearance, IdNumber

router = APIRouter(tags=["entities"])
ERRORS = answers(401, 404, 409, 429)
Uscc = Annotated[str, Path(pattern=r"^[0-9A-Z]{18}$")]


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: IdNumber
    face_verification_id: str = Field(min_length=8, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")
    purpose: str = Field("change", pattern=r"^(change|reprint|deregistration|suspension|single)$")


@router.post("/api/v1/entities/{uscc}/record", responses=ERRORS)
def record(uscc: Uscc, body: RecordIn, actor: Actor = Depends(signed_kiosk),
           platform: Platform = Depends(get_platform)) -> Any:
    """The company's current record (people, scope, address, capital, history) and a fresh e-licence, for
    its legal representative after the platform's face check — what a change starts from and a reprint prints."""
    return lifecycle.record(platform, actor, uscc, body.id_number, body.face_verification_id, body.purpose)


@router.get("/api/v1/entities/{uscc}/clearance", response_model=Clearance, responses=ERRORS)
def clearance(uscc: Uscc, _actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Any:
    """企业退出"一张表": what each department still holds open, and whether simplified deregistration is possible."""
    return lifecycle.clearance(platform, uscc)


@router.post("/api/v1/announcements/{acceptance_no}/objection", status_code=204, response_class=Response,
             response_model=None, responses=ERRORS, tags=["progress"])
def objection(acceptance_no: Annotated[str, Path(pattern=r"^\d{18}$")], actor: Actor = Depends(anyone),
              platform: Platform = Depends(get_platform)) -> Response:
    """An objection to a deregistration during its announcement: a registration officer takes it over."""
    lifecycle.object_to(platform, acceptance_no, actor)
    return Response(status_code=204)
