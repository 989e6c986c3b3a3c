"""Identity proved to the platform: 三要素 + SMS, the face comparison; each answers a single-use
verification id that an application carries."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends

from service.api.deps import answers, Refused, get_platform, signed_kiosk
from service.api.errors import error
from service.platform import Actor, Platform
from service.schemas import FaceIn, FaceOut, SmsSend, SmsSent, SmsVerified, SmsVerify

router = APIRouter(tags=["identity"])
ERRORS = answers(400, 401, 404, 410, 422, 429, 503)


@router.post("/api/v1/sms/send", response_model=SmsSent, responses=ERRORS)
def sms_send(body: SmsSend, actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Any:
    """三要素 first: the phone must be registered to this name and ID number (422 ``PHONE_NOT_OWNER``)."""
    return {"sent": True, "ttl_s": platform.send_sms(actor, body.phone, body.id_number, body.name)}


@router.post("/api/v1/sms/verify", response_model=SmsVerified, responses=ERRORS)
def sms_verify(body: SmsVerify, actor: Actor = Depends(signed_kiosk),
               platform: Platform = Depends(get_platform)) -> Any:
    return {"verified": True, "verification_id": platform.verify_sms(actor, body.phone, body.code, body.id_number)}


@router.post("/api/v1/identity/face", response_model=FaceOut, responses=ERRORS, response_model_exclude_none=True)
def face(body: FaceIn, actor: Actor = Depends(signed_kiosk), platform: Platform = Depends(get_platform)) -> Any:
    """The live image against the photo on file (the province's 可信身份认证); the image is not kept."""
    try:
        image = base64.b64decode("".join(body.live_image_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(422, "live_image_b64 is not base64", "照片数据无法识别，请重新拍摄。") from None
    passed, score, token = platform.verify_face(actor, body.id_number, body.name, image)
    return {"passed": passed, "score": round(score, 4), "verification_id": token}


def add_dev_routes(router_: APIRouter) -> None:
    @router_.get("/api/v1/dev/sms/{phone}", tags=["development"], responses=answers(404))
    def dev_sms(phone: str, platform: Platform = Depends(get_platform)) -> Any:
        """DEVELOPMENT ONLY (``--dev-sms``): the last code sent to ``phone``."""
        code = platform.sms.dev_last.get(phone)
        return {"code": code} if code else error(404, "no code", "没有发送过验证码。")
