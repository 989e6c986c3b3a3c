"""What a decoded QR text means to the kiosk: our e-licence, a receipt's progress code, or neither.

:func:`parse` never raises: every input — a valid code, an expired or forged one, a web address,
3 KB of binary — comes back as one of the typed results below, each with a message for the
citizen (zh) and one for the log (en). Plain Python (no Kivy, no devices), so journeys, the CLI
and tests share it.

* :class:`LicencePayload` — our platform's signed e-licence (``YZTL1.…``), verified offline with the
  platform's public key (:func:`service.contract.elicence.verify`); expired or badly signed codes are refused.
* :class:`ProgressPayload` — the receipt's code: a link whose path ends ``/p/<acceptance number>``
  (any host; :func:`service.contract.acceptance.progress_link`), or the bare 18-digit number.
  An e-licence arrives as its verification link (``…/v/YZTL1.…``), which carries the signed payload.
* :class:`Refused` — anything else, with a stable ``reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.contract import acceptance
from service.contract.elicence import LicenceCode, LicenceCodeError, looks_like_licence, verify

MAX_TEXT = 4096  # characters; a version-40 code holds 2953 bytes, so more is not from a QR code

NOT_LICENCE_ZH = "这不是电子营业执照二维码，请在手机上打开电子营业执照后重新出示。"


@dataclass(frozen=True)
class Payload:
    """Base of the parse results."""

    kind: str  # "licence", "progress" or "refused"
    message_zh: str
    message_en: str

    @property
    def ok(self) -> bool:
        return self.kind != "refused"


@dataclass(frozen=True)
class LicencePayload(Payload):
    licence: LicenceCode


@dataclass(frozen=True)
class ProgressPayload(Payload):
    acceptance_no: str  # 18 digits, check digit verified


@dataclass(frozen=True)
class Refused(Payload):
    """Not usable. ``reason``: not_licence, empty, too_long, binary, paper_licence, progress_malformed,
    or a :class:`~service.contract.elicence.LicenceCodeError` reason (expired, bad_signature, unknown_key,
    malformed, no_key)."""

    reason: str


def _refused(reason: str, en: str, zh: str = NOT_LICENCE_ZH) -> Refused:
    return Refused(kind="refused", message_zh=zh, message_en=en, reason=reason)


def _progress(text: str) -> ProgressPayload | Refused | None:
    """A progress code, a malformed one, or None when ``text`` is not trying to be one."""
    number = acceptance.from_progress_link(text)
    if number is not None:
        return ProgressPayload(kind="progress", message_zh="已识别受理回执，正在查询办理进度。",
                               message_en=f"progress code of {number}", acceptance_no=number)
    if re.match(r"^https?://", text, re.IGNORECASE) and acceptance.PROGRESS_PATH in text:
        return _refused("progress_malformed", "progress link without a valid acceptance number",
                        "回执二维码不完整，请输入回执上的受理编号查询。")
    return None


def parse(text: str | bytes, public_key: object = None, now: float | None = None) -> Payload:
    """Classify a decoded QR text (see the module docstring); never raises."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return _refused("binary", "binary content (not UTF-8)")
    if not isinstance(text, str):
        return _refused("not_licence", f"not a text ({type(text).__name__})")
    if len(text) > MAX_TEXT:
        return _refused("too_long", f"text of {len(text)} characters")
    text = text.strip()
    if not text:
        return _refused("empty", "empty code")
    if any((ord(ch) < 0x20 and ch not in "\t\r\n") or 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) == 0x7F
           for ch in text):
        return _refused("binary", "binary content (control characters)")
    if looks_like_licence(text):
        try:
            licence = verify(text, public_key=public_key, now=now)  # type: ignore[arg-type]
        except LicenceCodeError as exc:
            return _refused(exc.reason, exc.message_en, exc.message_zh)
        except Exception as exc:  # noqa: BLE001 - a key or library surprise: refuse the code, keep the kiosk up
            return _refused("malformed", f"e-licence check failed: {type(exc).__name__}",
                            "电子营业执照二维码无法识别，请重新出示。")
        return LicencePayload(kind="licence", message_zh=f"已识别电子营业执照：{licence.name}",
                              message_en=f"e-licence of {licence.uscc}", licence=licence)
    progress = _progress(text)
    if progress is not None:
        return progress
    lowered = text.lower()
    if "gsxt.gov.cn" in lowered and "uniscid=" in lowered:
        return _refused("paper_licence", "the QR code of a paper business licence (proves no possession)",
                        "这是纸质营业执照上的二维码，请在手机上打开电子营业执照后出示。")
    if re.match(r"^[a-z][a-z0-9+.-]*://", lowered):
        return _refused("not_licence", "a web address, not an e-licence")
    return _refused("not_licence", "text that is not an e-licence")
