"""ID card read time against the SAM simulator, beside the wire time of the same bytes.

The driver is the real one (pyserial on a pty, and on ``socket://``); the simulator paces every
byte at the baud rate, so the wire time — bytes × 10 / baud for find + select + read, commands
and answers — is the physical floor. The figure is the time from "card placed" to a parsed
:class:`~devices.idcard.IdCard`; goal ≤ 1.2 × wire time. (A real card adds its own RF time,
typically several hundred ms, which no driver can shorten.)

``python bench/bench_idcard.py [--quick]`` prints the rows; ``yzt bench --only idcard`` the table.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, "") and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devices.idcard import IdCardReader, for_url  # noqa: E402
from devices.idcard.card import build_text, parse_text  # noqa: E402
from devices.idcard.protocol import FrameDecoder, answer, command  # noqa: E402
from devices.idcard.samples import SAMPLE_CARDS  # noqa: E402
from devices.idcard.simulator import SamSimulator  # noqa: E402

BAUD = 115200
GOAL_RATIO = 1.2


def wire_bytes(fingerprint: bool = False) -> int:
    """Bytes on the line for find + select + read, both directions."""
    card = SAMPLE_CARDS["zhang"]
    read_answer = 1295 + (2 + len(card.fingerprint or b"")) * fingerprint
    commands = 3 * len(command("find").encode())
    find_select = len(answer(0x9F, bytes(4)).encode()) + len(answer(0x90, bytes(8)).encode())
    return commands + find_select + read_answer


def _time_reads(reader: IdCardReader, sim: SamSimulator, n: int) -> list[float]:
    """Place a card, read it; ``n`` times (the first, warming up, not counted). The card is 张伟明's,
    which carries a 1024-byte fingerprint block (read only with 30/10)."""
    out = []
    for i in range(n + 1):
        sim.remove()
        sim.place("zhang")
        started = time.perf_counter()
        card = reader.read_card()
        elapsed = time.perf_counter() - started
        if card is None:
            raise RuntimeError("the simulator's card was not read")
        if i:
            out.append(elapsed * 1000)
    return out


def _time_no_card(reader: IdCardReader, sim: SamSimulator, n: int) -> list[float]:
    sim.remove()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        assert reader.read_card() is None
        out.append((time.perf_counter() - started) * 1000)
    return out


def _cpu_parse_us(n: int) -> float:
    card = SAMPLE_CARDS["zhang"]
    frame = answer(0x90, b"\x01\x00\x04\x00" + build_text(card) + card.photo).encode()
    started = time.perf_counter()
    for _ in range(n):
        ans = FrameDecoder().feed(frame)[0]
        parse_text(ans.data[4:260], ans.data[260:])
    return (time.perf_counter() - started) / n * 1e6


def measure(quick: bool) -> dict:
    n = 10 if quick else 40
    out: dict = {"n": n}
    reader = for_url("sim://", baud=BAUD)
    with reader:
        out["pty"] = _time_reads(reader, reader.simulator, n)
        out["no_card"] = _time_no_card(reader, reader.simulator, n)
        reader.read_fingerprint = True
        out["pty_fp"] = _time_reads(reader, reader.simulator, max(5, n // 2))
    sim = SamSimulator(baud=BAUD, tcp_port=0)
    try:
        with IdCardReader(sim.tcp_url, baud=BAUD) as tcp_reader:
            out["tcp"] = _time_reads(tcp_reader, sim, n)
    finally:
        sim.close()
    out["cpu_us"] = _cpu_parse_us(200 if quick else 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run(quick: bool) -> list[dict]:
    """Figures for ``yzt bench``: read time beside the wire time of the same bytes."""
    m = measure(quick)
    wire_ms = wire_bytes() * 10 / BAUD * 1000
    wire_fp_ms = wire_bytes(fingerprint=True) * 10 / BAUD * 1000
    no_card_wire_ms = 2 * (10 + 11) * 10 / BAUD * 1000  # find → 80, select → 81, no data
    med = statistics.median(m["pty"])
    tcp = statistics.median(m["tcp"])
    fp = statistics.median(m["pty_fp"])
    goal = f"≤ {GOAL_RATIO:g} × wire"
    rows = [
        {"metric": f"card placed → IdCard, pty {BAUD} (median of {m['n']})", "value": round(med, 1),
         "unit": "ms",
         "baseline_metric": f"wire time ({wire_bytes()} B)", "baseline": round(wire_ms, 1), "goal": goal,
         "met": med <= GOAL_RATIO * wire_ms},
        {"metric": f"card placed → IdCard, pty {BAUD} (p95)", "value": round(_p95(m["pty"]), 1), "unit": "ms",
         "baseline_metric": "wire time", "baseline": round(wire_ms, 1), "goal": "", "met": None},
        {"metric": "card placed → IdCard, socket:// (median)", "value": round(tcp, 1), "unit": "ms",
         "baseline_metric": "wire time", "baseline": round(wire_ms, 1), "goal": goal,
         "met": tcp <= GOAL_RATIO * wire_ms},
        {"metric": "read with fingerprint 30/10 (median)", "value": round(fp, 1), "unit": "ms",
         "baseline_metric": f"wire time ({wire_bytes(True)} B)", "baseline": round(wire_fp_ms, 1),
         "goal": goal,
         "met": fp <= GOAL_RATIO * wire_fp_ms},
        {"metric": "no card: find + select (median)", "value": round(statistics.median(m["no_card"]), 2),
         "unit": "ms", "baseline_metric": "wire time", "baseline": round(no_card_wire_ms, 2), "goal": "",
         "met": None},
        {"metric": "decode + parse one read answer (CPU)", "value": round(m["cpu_us"], 1), "unit": "µs",
         "baseline_metric": "wire time (ms)", "baseline": round(wire_ms, 1), "goal": "", "met": None},
    ]
    for row in rows:
        row["bench"] = "idcard"
    return rows


MET = {None: "", True: "met", False: "NOT met"}

if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(f"{row['metric']:<52} {row['value']:>8} {row['unit']:<3} | {row['baseline_metric']} "
              f"{row['baseline']} | {row['goal']} {MET[row['met']]}")
