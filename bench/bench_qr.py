"""QR decoding on generated 1280×720 camera frames: pyzbar alone, zxing-cpp alone, OpenCV, and ours.

The frames come from :mod:`devices.qr.synth` (seeded, so every run sees the same set): phones and
receipts at several scales, rotations and tilts, blurred, noisy, with glare, at low contrast,
dark-mode inverted, and frames holding no code. For each decoder: the share of frames whose code
was read (exact text), per class and overall, the median and 95th-percentile time per frame
(grayscale conversion included) on code frames and on empty ones, and false reads on empty frames.

Goals (issue #5): ours reads at least as many codes as the best single library, its median time is
no worse than pyzbar's, and an empty frame costs at most 5 ms.

``python bench/bench_qr.py [--quick]`` prints the Markdown table; ``yzt bench --only qr`` the figures.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, "") and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from devices.qr import synth  # noqa: E402
from devices.qr.decode import decode_frame, decode_opencv, decode_pyzbar, decode_zxing  # noqa: E402

DECODERS = {"pyzbar": decode_pyzbar, "zxing-cpp": decode_zxing, "opencv": decode_opencv, "ours": decode_frame}
SINGLE = ("pyzbar", "zxing-cpp")
EMPTY_GOAL_MS = 5.0


def measure(quick: bool) -> dict:
    """Decode every frame with every decoder; the raw outcome per decoder and class."""
    per_class = 8 if quick else 30
    frames = synth.benchmark_set(per_class)
    warm = synth.make_frame("phone", 1).image
    for fn in DECODERS.values():  # first calls load libraries and models
        fn(warm)
    out: dict = {name: {"ok": {}, "code_ms": [], "empty_ms": [], "false": 0} for name in DECODERS}
    for frame in frames:
        for name, fn in DECODERS.items():
            started = time.perf_counter()
            codes = fn(frame.image)
            ms = (time.perf_counter() - started) * 1000
            r = out[name]
            if frame.text is None:
                r["empty_ms"].append(ms)
                r["false"] += bool(codes)
                r["ok"].setdefault(frame.kind, []).append(not codes)
            else:
                r["code_ms"].append(ms)
                r["ok"].setdefault(frame.kind, []).append(any(c.text == frame.text for c in codes))
    out["_frames"] = len(frames)
    out["_per_class"] = per_class
    return out


def _rate(oks: list[bool]) -> float:
    return 100.0 * sum(oks) / len(oks) if oks else 0.0


def summary(raw: dict) -> dict:
    s = {}
    for name in DECODERS:
        r = raw[name]
        code_oks = [ok for kind, oks in r["ok"].items() if kind != "empty" for ok in oks]
        s[name] = {
            "classes": {kind: _rate(oks) for kind, oks in r["ok"].items()},
            "all": _rate(code_oks),
            "median_ms": statistics.median(r["code_ms"]),
            "p95_ms": float(np.percentile(r["code_ms"], 95)),
            "empty_median_ms": statistics.median(r["empty_ms"]),
            "empty_p95_ms": float(np.percentile(r["empty_ms"], 95)),
            "false": r["false"],
        }
    return s


def run(quick: bool) -> list[dict]:
    """Figures for ``yzt bench``, each beside its baseline measured in the same run."""
    s = summary(measure(quick))
    best_name = max(SINGLE, key=lambda n: s[n]["all"])
    ours, pyz = s["ours"], s["pyzbar"]
    rows = [
        {"metric": "decoded, all code frames (ours)", "value": round(ours["all"], 1), "unit": "%",
         "baseline_metric": f"best single ({best_name})", "baseline": round(s[best_name]["all"], 1),
         "goal": "≥ best single library", "met": ours["all"] >= s[best_name]["all"]},
        {"metric": "median ms per code frame (ours)", "value": round(ours["median_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["median_ms"], 2), "goal": "≤ pyzbar",
         "met": ours["median_ms"] <= pyz["median_ms"]},
        {"metric": "p95 ms per code frame (ours)", "value": round(ours["p95_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["p95_ms"], 2), "goal": "", "met": None},
        {"metric": "median ms per empty frame (ours)", "value": round(ours["empty_median_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["empty_median_ms"], 2),
         "goal": f"≤ {EMPTY_GOAL_MS:g} ms", "met": ours["empty_median_ms"] <= EMPTY_GOAL_MS},
        {"metric": "false reads on empty frames (ours)", "value": ours["false"], "unit": "",
         "baseline_metric": "pyzbar", "baseline": pyz["false"], "goal": "0", "met": ours["false"] == 0},
    ]
    for name in ("zxing-cpp", "opencv"):
        rows.append({"metric": f"decoded, all code frames ({name})", "value": round(s[name]["all"], 1), "unit": "%",
                     "baseline_metric": "pyzbar", "baseline": round(pyz["all"], 1), "goal": "", "met": None})
    for kind in synth.CLASSES:
        if kind == "empty":
            continue
        best = max(s[n]["classes"][kind] for n in SINGLE)
        rows.append({"metric": f"decoded {kind} (ours)", "value": round(ours["classes"][kind], 1), "unit": "%",
                     "baseline_metric": "best single library", "baseline": round(best, 1), "goal": "", "met": None})
    for row in rows:
        row["bench"] = "qr"
    return rows


def markdown(s: dict, frames: int, per_class: int) -> str:
    """The comparison as a Markdown table (what the README shows)."""
    names = list(DECODERS)
    lines = [f"{frames} frames, 1280×720, {per_class} per class (seeded); decoded = exact text read "
             "(empty: nothing read)", "",
             "| class | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for kind in synth.CLASSES:
        lines.append(f"| {kind} | " + " | ".join(f"{s[n]['classes'][kind]:.0f} %" for n in names) + " |")
    lines.append("| **all code frames** | " + " | ".join(f"**{s[n]['all']:.1f} %**" for n in names) + " |")
    lines.append("| median / p95 ms, code frame | "
                 + " | ".join(f"{s[n]['median_ms']:.1f} / {s[n]['p95_ms']:.1f}" for n in names) + " |")
    lines.append("| median / p95 ms, empty frame | "
                 + " | ".join(f"{s[n]['empty_median_ms']:.1f} / {s[n]['empty_p95_ms']:.1f}" for n in names) + " |")
    lines.append("| false reads on empty frames | " + " | ".join(str(s[n]["false"]) for n in names) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    raw = measure(quick)
    print(markdown(summary(raw), raw["_frames"], raw["_per_class"]))
