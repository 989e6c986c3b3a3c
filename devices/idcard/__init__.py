"""The resident ID card reader (SAM serial protocol), its card model and its simulator.

* :func:`for_url` → :class:`IdCardReader` (``read_card() -> IdCard | None``) on any pyserial URL,
  or ``sim://[?card=NAME&tcp=PORT&quirk=1&pace=0&unplugged=1]`` for the real driver on a simulator's
  pty; :data:`OPTIONS` declares the reader's options and the simulator's URL options;
* :mod:`devices.idcard.card` — :class:`IdCard`, the text block both ways, the nation table;
* :mod:`devices.idcard.protocol` — frames and the streaming decoder;
* :mod:`devices.idcard.errors` — typed errors (``NoCard``, ``CardRemoved``, status words, frames);
* :mod:`devices.idcard.simulator` / :mod:`devices.idcard.samples` — the reader and sample people.
"""

from __future__ import annotations

from typing import Any

from devices.idcard.card import LONG_TERM, NATIONS, IdCard, build_text, parse_text
from devices.idcard.errors import CardRemoved, CardUnreadable, FrameError, IdCardError, NoCard, StatusError
from devices.idcard.reader import CardEvent, IdCardReader
from devices.idcard.samples import SAMPLE_CARDS
from devices.options import Declaration, Option, baud_option, between, interactive_option

__all__ = ["LONG_TERM", "NATIONS", "OPTIONS", "SAMPLE_CARDS", "CardEvent", "CardRemoved", "CardUnreadable",
           "FrameError", "IdCard", "IdCardError", "IdCardReader", "NoCard", "StatusError", "build_text", "for_url",
           "parse_text"]


def _sample_card(name: str) -> str | None:
    return None if name in SAMPLE_CARDS else f"must be a sample card: {', '.join(sorted(SAMPLE_CARDS))}"


OPTIONS = Declaration(
    kind="idcard", what="ID card reader", default_url="/dev/ttyUSB0",
    url_doc="the reader's serial port: a device path or any pyserial URL (`socket://`, `rfc2217://`, `spy://`), "
            "or `sim://` for the simulator",
    options=(
        baud_option("serial speed of the reader's line"),
        Option("timeout_s", float, 3.5, "longest wait for a card read's answer (shorter commands wait less)",
               between(0.05, 60)),
        Option("retries", int, 2, "times a damaged, cut or missing answer is asked for again", between(0, 10)),
        Option("read_fingerprint", bool, False, "also read the card's fingerprint block (command 30 10)"),
        Option("wlt_library", str, "", "the vendor's WLT photo decoder library (e.g. /opt/sdk/libwlt.so); "
               "empty = the photo stays WLT-encoded"),
        interactive_option("card read"),
        Option("gap_s", float, None, "silence inside an answer that means the rest is not coming "
               "(default: from the baud rate)", between(0.001, 5), config=False),
        Option("remember_personal", bool, True, "tell the log redactor the names and numbers read, so logs mask "
               "them", config=False),
    ),
    url_options={"sim": (
        Option("card", str, "", "a sample card on the reader from the start", _sample_card),
        Option("tcp", int, None, "also listen on 127.0.0.1:PORT for socket:// (0 = a free port)", between(0, 65535)),
        Option("quirk", bool, False, "find misses a card already read, as many readers do"),
        Option("pace", bool, True, "answers paced at the baud rate, as on the wire"),
        Option("unplugged", bool, False, "the cable pulled from the start"),
    )},
)


def for_url(url: str, name: str | None = None, required: bool = True, **options: Any) -> IdCardReader:
    """Build (not open) the reader at ``url``: a device path, any pyserial URL, or ``sim://``.

    ``sim://`` starts a :class:`~devices.idcard.simulator.SamSimulator` on a pty (kept at
    ``reader.simulator``). Its options, and the reader's, are declared in :data:`OPTIONS`; any
    other is refused (:class:`~devices.options.OptionError`).
    """
    url, opts, query = OPTIONS.arguments(url, options)
    if url.startswith("sim://"):
        from devices.idcard.simulator import SamSimulator

        sim = SamSimulator(baud=opts["baud"], card=query["card"] or None, tcp_port=query["tcp"],
                           reread_quirk=query["quirk"], pace=query["pace"])
        reader = IdCardReader(url, name=name, required=required, port=lambda: sim.port, **opts)
        reader.simulator = sim
        reader._owns_simulator = True
        if query["unplugged"]:
            sim.unplug(hold=True)
        return reader
    return IdCardReader(url, name=name, required=required, **opts)
