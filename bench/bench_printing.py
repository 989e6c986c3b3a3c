"""Printing: licence PDF render time and size, receipt ESC/POS build time and size, and the status
check, each beside a baseline measured in the same run.

* licence A4/A3 render (reportlab, embedded CJK TrueType subset, vector QR) — baseline: reportlab
  rendering a one-line PDF in the same embedded font (the fixed cost of any PDF here);
* licence size — baseline: that one-line PDF;
* receipt ESC/POS build (blocks → bytes) — baseline: the serial wire time of those bytes at 115200 baud;
* receipt bytes (GB18030 text, native QR) — baseline: the same receipt sent as a raster image
  (the alternative when a printer has no Chinese font), with its wire time;
* status check DLE EOT 1–4 over a pty to the simulator — baseline: python-escpos's own
  ``is_online()`` + ``paper_status()`` on the same port (each read waits its full timeout).

``python bench/bench_printing.py [--quick]`` prints the figures; ``yzt bench --only printing`` too.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, "") and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.contract import elicence  # noqa: E402
from kiosk.documents import acceptance_receipt, licence_from, licence_pdf  # noqa: E402
from kiosk.documents.fonts import FONT_NAME, register_cjk_font  # noqa: E402
from kiosk.documents.samples import (SAMPLE_USCC, sample_application, sample_decision,  # noqa: E402
                                     sample_kiosk)

BAUD = 115200
RENDER_GOAL_MS = 200.0
SIZE_GOAL_KB = 150.0
BUILD_GOAL_MS = 10.0
STATUS_GOAL_MS = 50.0


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm: font loading, imports
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), out


def _one_line_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    register_cjk_font()
    out = io.BytesIO()
    c = Canvas(out, initialFontName=FONT_NAME)
    c.setFont(FONT_NAME, 12)
    c.drawString(72, 720, "营业执照")
    c.showPage()
    c.save()
    return out.getvalue()


def _raster_receipt_bytes(data: bytes) -> bytes:
    """The same receipt as the simulator rendered it, sent as one raster image (GS v 0)."""
    from escpos.printer import Dummy

    from devices.printers.simulator import DOTS, MARGIN, render_bytes

    [job] = render_bytes(data)
    page = job.image().convert("1")
    p = Dummy(profile="TM-T20II")  # 80 mm, 576 dots: the simulated head
    p.image(page.crop((MARGIN, 0, MARGIN + DOTS, page.height)), impl="bitImageRaster")
    p.cut()
    return p.output


def _status_figures(repeat: int) -> tuple[float, float]:
    from escpos.printer import Serial as EscposSerial

    from devices.printers.receipt import for_url
    from devices.printers.simulator import EscposSimulator

    sim = EscposSimulator()
    try:
        printer = for_url(sim.port, status_timeout_s=0.5, settle_s=0)
        printer.open()
        ours, _ = _median_ms(printer.status, repeat)
        printer.close()
        theirs_printer = EscposSerial(devfile=sim.port, baudrate=BAUD, timeout=0.5, dsrdtr=False)
        theirs_printer.open()
        theirs, _ = _median_ms(lambda: (theirs_printer.is_online(), theirs_printer.paper_status()),
                               max(2, repeat // 4))
        theirs_printer.close()
    finally:
        sim.close()
    return ours, theirs


def run(quick: bool = False) -> list[dict]:
    repeat = 5 if quick else 20
    key = elicence.Ed25519PrivateKey.generate()
    app = sample_application()
    licence = licence_from(app, sample_decision(elicence.sign(key, SAMPLE_USCC, app["name"]["full"])))
    base_ms, base_pdf = _median_ms(_one_line_pdf, repeat)
    a4_ms, a4 = _median_ms(lambda: licence_pdf(licence, "A4"), repeat)
    a3_ms, a3 = _median_ms(lambda: licence_pdf(licence, "A3"), repeat)

    from devices.printers.encode import encode_receipt

    receipt = acceptance_receipt(app, sample_decision(), sample_kiosk())
    build_ms, data = _median_ms(lambda: encode_receipt(receipt), repeat * 10)
    wire_ms = len(data) * 10 / BAUD * 1000
    raster = _raster_receipt_bytes(data)
    status_ms, escpos_ms = _status_figures(repeat)
    rows = [
        {"metric": "licence A4 PDF render (median)", "value": round(a4_ms, 1), "unit": "ms",
         "baseline_metric": "one-line PDF, same font", "baseline": round(base_ms, 1),
         "goal": f"≤ {RENDER_GOAL_MS:g} ms", "met": a4_ms <= RENDER_GOAL_MS},
        {"metric": "licence A3 PDF render (median)", "value": round(a3_ms, 1), "unit": "ms",
         "baseline_metric": "one-line PDF, same font", "baseline": round(base_ms, 1),
         "goal": f"≤ {RENDER_GOAL_MS:g} ms", "met": a3_ms <= RENDER_GOAL_MS},
        {"metric": "licence A4 PDF size", "value": round(len(a4) / 1024, 1), "unit": "KB",
         "baseline_metric": "one-line PDF, same font", "baseline": round(len(base_pdf) / 1024, 1),
         "goal": f"≤ {SIZE_GOAL_KB:g} KB", "met": len(a4) / 1024 <= SIZE_GOAL_KB},
        {"metric": "licence A3 PDF size", "value": round(len(a3) / 1024, 1), "unit": "KB",
         "baseline_metric": "one-line PDF, same font", "baseline": round(len(base_pdf) / 1024, 1),
         "goal": f"≤ {SIZE_GOAL_KB:g} KB", "met": len(a3) / 1024 <= SIZE_GOAL_KB},
        {"metric": "receipt ESC/POS build (median)", "value": round(build_ms, 2), "unit": "ms",
         "baseline_metric": f"its wire time at {BAUD} baud", "baseline": round(wire_ms, 1),
         "goal": f"≤ {BUILD_GOAL_MS:g} ms", "met": build_ms <= BUILD_GOAL_MS},
        {"metric": "receipt bytes (GB18030 text + native QR)", "value": len(data), "unit": "B",
         "baseline_metric": "same receipt as a raster image", "baseline": len(raster), "goal": "< raster",
         "met": len(data) < len(raster)},
        {"metric": f"receipt wire time at {BAUD} baud", "value": round(wire_ms, 1), "unit": "ms",
         "baseline_metric": "raster image wire time", "baseline": round(len(raster) * 10 / BAUD * 1000, 1),
         "goal": "", "met": None},
        {"metric": "status check DLE EOT 1-4 over pty (median)", "value": round(status_ms, 2), "unit": "ms",
         "baseline_metric": "python-escpos is_online+paper_status", "baseline": round(escpos_ms, 1),
         "goal": f"≤ {STATUS_GOAL_MS:g} ms", "met": status_ms <= STATUS_GOAL_MS},
    ]
    for row in rows:
        row["bench"] = "printing"
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        print(f"{row['metric']:<46} {row['value']:>10} {row['unit']:<3} | {row['baseline_metric']}: "
              f"{row['baseline']} | goal {row['goal']} {met}")
