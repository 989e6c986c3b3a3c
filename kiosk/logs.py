"""Logging: a rotating JSON-lines file plus a console, every line passed through the redactor."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from pathlib import Path

from service.contract.privacy import mask_text


class MaskingFilter(logging.Filter):
    """Render the message once, mask personal data in it, and freeze it on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and any ``extra`` fields."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                doc[key] = mask_text(str(value)) if isinstance(value, str) else value
        if record.exc_text:
            doc["exc"] = record.exc_text
        return json.dumps(doc, ensure_ascii=False, default=str)


def setup_logging(
    level: str = "INFO",
    file: Path | None = None,
    max_bytes: int = 5_000_000,
    backups: int = 5,
    console: bool = True,
) -> None:
    """Configure the root logger once; later calls replace the handlers (tests call it freely)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        # ours from an earlier call, and any a library put there at import (python-escpos calls
        # basicConfig): the kiosk's logs go where its configuration says, masked, and nowhere else
        root.removeHandler(handler)
        if getattr(handler, "_yzt", False):
            handler.close()
    root.setLevel(level)
    masking = MaskingFilter()
    if console:
        ch = logging.StreamHandler(sys.stderr)
        ch.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
        ch.addFilter(masking)
        ch._yzt = True  # type: ignore[attr-defined]
        root.addHandler(ch)
    if file is None and not console:  # silence Python's last-resort stderr handler too
        null = logging.NullHandler()
        null._yzt = True  # type: ignore[attr-defined]
        root.addHandler(null)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        fh.setFormatter(JsonFormatter())
        fh.addFilter(masking)
        fh._yzt = True  # type: ignore[attr-defined]
        root.addHandler(fh)
