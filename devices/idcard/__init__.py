"""The resident ID card reader (SAM serial protocol), its card model and its simulator.

* :func:`for_url` → :class:`IdCardReader` (``read_card() -> IdCard | None``) on any pyserial URL,
  or ``sim://[?card=NAME&tcp=PORT&quirk=1]`` for the real driver on a simulator's pty;
* :mod:`devices.idcard.card` — :class:`IdCard`, the text block both ways, the nation table;
* :mod:`devices.idcard.protocol` — frames and the streaming decoder;
* :mod:`devices.idcard.errors` — typed errors (``NoCard``, ``CardRemoved``, status words, frames);
* :mod:`devices.idcard.simulator` / :mod:`devices.idcard.samples` — the reader and sample people.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from devices.idcard.card import LONG_TERM, NATIONS, IdCard, build_text, parse_text
from devices.idcard.errors import CardRemoved, CardUnreadable, FrameError, IdCardError, NoCard, StatusError
from devices.idcard.reader import CardEvent, IdCardReader
from devices.idcard.samples import SAMPLE_CARDS

__all__ = ["LONG_TERM", "NATIONS", "CardEvent", "CardRemoved", "CardUnreadable", "FrameError", "IdCard",
           "IdCardError", "IdCardReader", "NoCard", "SAMPLE_CARDS", "StatusError", "build_text", "for_url",
           "parse_text"]

_OPTIONS = ("retries", "gap_s", "read_fingerprint", "wlt_library", "interactive_timeout_s",
            "remember_personal")


def for_url(url: str, name: str | None = None, required: bool = True, baud: int = 115200,
            timeout_s: float = 3.5, **options: Any) -> IdCardReader:
    """Build (not open) the reader at ``url``: a device path, any pyserial URL, or ``sim://``.

    ``sim://`` starts a :class:`~devices.idcard.simulator.SamSimulator` on a pty (kept at
    ``reader.simulator``); its query may say ``card=NAME`` (a sample card placed at start),
    ``tcp=PORT`` (also listen on 127.0.0.1), ``quirk=1`` (find misses a card already read) and
    ``pace=0`` (no baud-rate pacing), ``unplugged=1`` (the cable pulled from the start). Unknown options (from other device sections) are ignored.
    """
    url = str(url).strip()
    if not url:
        raise ValueError("ID card reader url is empty")
    kwargs = {k: options[k] for k in _OPTIONS if k in options}
    if url.startswith("sim://"):
        from devices.idcard.simulator import SamSimulator

        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        sim = SamSimulator(baud=int(baud), card=query.get("card") or None,
                           tcp_port=int(query["tcp"]) if "tcp" in query else None,
                           reread_quirk=query.get("quirk", "0") in ("1", "true", "yes"),
                           pace=query.get("pace", "1") not in ("0", "false", "no"))
        reader = IdCardReader(url, name=name, required=required, baud=baud, timeout_s=timeout_s,
                              port=lambda: sim.port, **kwargs)
        reader.simulator = sim
        reader._owns_simulator = True
        if query.get("unplugged", "0") in ("1", "true", "yes"):
            sim.unplug(hold=True)
        return reader
    return IdCardReader(url, name=name, required=required, baud=baud, timeout_s=timeout_s, **kwargs)
