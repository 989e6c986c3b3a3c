"""QR decoding on generated 1280×720 camera frames: pyzbar alone, zxing-cpp alone, OpenCV, and ours.

The frames come from :mod:`devices.qr.synth` (seeded, so every run sees the same sets): phones and
receipts at several scales, rotations and tilts, blurred, noisy, with glare, at low contrast,
dark-mode inverted, phone screens as they arrive at a kiosk (held at arm's length, blurred by
hand motion or focus, with moiré and glare), and frames holding no code. Phones carry the real
e-licence link (≈ 300–350 characters, QR version 13–14).

Two sets: the *tuning* set (:data:`~devices.qr.synth.TUNING_SEED`), the one the decoder's passes
were chosen on, and the *evaluation* set (:data:`~devices.qr.synth.EVALUATION_SEED`), frames never
looked at while tuning — its figures are the ones that count. For each decoder and set: the share of
frames whose code was read (exact text), per class and overall, the median and 95th-percentile
time per code frame and per empty frame (grayscale conversion included), and false reads (any
decoded text other than the one encoded, on any frame, empty ones included).

Goals: ours reads at least as many codes as the best single library, and more than each of
them on small and blurred phone codes; an empty frame costs at most 5 ms (median); no false read.

``python bench/bench_qr.py [--quick] [--tuning-only]`` prints the Markdown tables; ``yzt bench --only qr``
the figures.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, "") and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from devices.qr import synth
from devices.qr.decode import decode_frame, decode_opencv, decode_pyzbar, decode_zxing

DECODERS = {"pyzbar": decode_pyzbar, "zxing-cpp": decode_zxing, "opencv": decode_opencv, "ours": decode_frame}
SINGLE = ("pyzbar", "zxing-cpp")
EMPTY_GOAL_MS = 5.0
HARD = ("phone_small", "phone_blur", "small", "blur")  # where ours must beat each single library
SMALL_BINS = ((60, 75), (75, 90), (90, 110))  # phone_small by the code's width in pixels


def measure(quick: bool, seed: int = synth.EVALUATION_SEED) -> dict[str, Any]:
    """Decode every frame of the set ``seed`` with every decoder; the raw outcome per decoder and class."""
    per_class = 8 if quick else 30
    frames = synth.benchmark_set(per_class, seed=seed)
    warm = synth.make_frame("phone", 1).image
    for fn in DECODERS.values():  # first calls load libraries and models
        fn(warm)
    out: dict[str, Any] = {name: {"ok": {}, "ms": {}, "code_ms": [], "empty_ms": [], "false": 0, "small": {}}
                           for name in DECODERS}
    for frame in frames:
        for name, fn in DECODERS.items():
            started = time.perf_counter()
            codes = fn(frame.image)
            ms = (time.perf_counter() - started) * 1000
            r = out[name]
            r["ms"].setdefault(frame.kind, []).append(ms)
            r["false"] += sum(c.text != frame.text for c in codes)  # every text must be the encoded one
            if frame.text is None:
                r["empty_ms"].append(ms)
                ok = not codes
            else:
                r["code_ms"].append(ms)
                ok = any(c.text == frame.text for c in codes)
            r["ok"].setdefault(frame.kind, []).append(ok)
            if frame.kind == "phone_small" and frame.code_px is not None:
                r["small"].setdefault(_small_bin(frame.code_px), []).append(ok)
    out["_frames"] = len(frames)
    out["_per_class"] = per_class
    out["_seed"] = seed
    return out


def _small_bin(px: float) -> str:
    for lo, hi in SMALL_BINS:
        if px < hi:
            return f"{lo}–{hi} px"
    return f"{SMALL_BINS[-1][0]}–{SMALL_BINS[-1][1]} px"


def _rate(oks: list[bool]) -> float:
    return 100.0 * sum(oks) / len(oks) if oks else 0.0


def summary(raw: dict[str, Any]) -> dict[str, Any]:
    s = {}
    for name in DECODERS:
        r = raw[name]
        code_oks = [ok for kind, oks in r["ok"].items() if kind != "empty" for ok in oks]
        s[name] = {
            "classes": {kind: _rate(oks) for kind, oks in r["ok"].items()},
            "counts": {kind: (sum(oks), len(oks)) for kind, oks in r["ok"].items()},
            "class_ms": {kind: (statistics.median(ms), float(np.percentile(ms, 95))) for kind, ms in r["ms"].items()},
            "small": {b: (sum(oks), len(oks)) for b, oks in r["small"].items()},
            "all": _rate(code_oks),
            "median_ms": statistics.median(r["code_ms"]),
            "p95_ms": float(np.percentile(r["code_ms"], 95)),
            "empty_median_ms": statistics.median(r["empty_ms"]),
            "empty_p95_ms": float(np.percentile(r["empty_ms"], 95)),
            "false": r["false"],
        }
    return s


def run(quick: bool) -> list[dict[str, Any]]:
    """Figures for ``yzt bench``, each beside its baseline measured in the same run (evaluation set)."""
    s = summary(measure(quick, synth.EVALUATION_SEED))
    tuning = summary(measure(quick, synth.TUNING_SEED))
    best_name = max(SINGLE, key=lambda n: s[n]["all"])
    ours, pyz = s["ours"], s["pyzbar"]
    false_all = ours["false"] + tuning["ours"]["false"]
    rows: list[dict[str, Any]] = [
        {"metric": "decoded, all code frames (ours)", "value": round(ours["all"], 1), "unit": "%",
         "baseline_metric": f"best single ({best_name})", "baseline": round(s[best_name]["all"], 1),
         "goal": "≥ best single library", "met": ours["all"] >= s[best_name]["all"]},
        {"metric": "decoded, all code frames, tuning set (ours)", "value": round(tuning["ours"]["all"], 1),
         "unit": "%", "baseline_metric": f"best single ({best_name})",
         "baseline": round(tuning[best_name]["all"], 1), "goal": "", "met": None},
        {"metric": "median ms per code frame (ours)", "value": round(ours["median_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["median_ms"], 2), "goal": "≤ pyzbar",
         "met": ours["median_ms"] <= pyz["median_ms"]},
        {"metric": "p95 ms per code frame (ours)", "value": round(ours["p95_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["p95_ms"], 2), "goal": "", "met": None},
        {"metric": "median ms per empty frame (ours)", "value": round(ours["empty_median_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["empty_median_ms"], 2),
         "goal": f"≤ {EMPTY_GOAL_MS:g} ms", "met": ours["empty_median_ms"] <= EMPTY_GOAL_MS},
        {"metric": "p95 ms per empty frame (ours)", "value": round(ours["empty_p95_ms"], 2), "unit": "ms",
         "baseline_metric": "pyzbar", "baseline": round(pyz["empty_p95_ms"], 2), "goal": "", "met": None},
        {"metric": "false reads, both sets (ours)", "value": false_all, "unit": "",
         "baseline_metric": "pyzbar", "baseline": pyz["false"] + tuning["pyzbar"]["false"], "goal": "0",
         "met": false_all == 0},
    ]
    for name in ("zxing-cpp", "opencv"):
        rows.append({"metric": f"decoded, all code frames ({name})", "value": round(s[name]["all"], 1), "unit": "%",
                     "baseline_metric": "pyzbar", "baseline": round(pyz["all"], 1), "goal": "", "met": None})
    for kind in synth.CLASSES:
        if kind == "empty":
            continue
        best = max(s[n]["classes"][kind] for n in SINGLE)
        hard = kind in HARD
        rows.append({"metric": f"decoded {kind} (ours)", "value": round(ours["classes"][kind], 1), "unit": "%",
                     "baseline_metric": "best single library", "baseline": round(best, 1),
                     "goal": "> each single library" if hard else "",
                     "met": (ours["classes"][kind] > best or ours["classes"][kind] == 100.0) if hard else None})
    for row in rows:
        row["bench"] = "qr"
    return rows


def markdown(s: dict[str, Any], frames: int, per_class: int, seed: int, title: str) -> str:
    """The comparison as a Markdown table (what the README shows)."""
    names = list(DECODERS)
    head = (f"**{title}** — seed {seed}: {frames} frames, 1280×720, {per_class} per class; "
            "decoded = exact text read (empty: nothing read)")
    lines = [head, "",
             "| class | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for kind in synth.CLASSES:
        lines.append(f"| {kind} | " + " | ".join(f"{s[n]['classes'][kind]:.0f} %" for n in names) + " |")
    lines.append("| **all code frames** | " + " | ".join(f"**{s[n]['all']:.1f} %**" for n in names) + " |")
    lines.append("| median / p95 ms, code frame | "
                 + " | ".join(f"{s[n]['median_ms']:.1f} / {s[n]['p95_ms']:.1f}" for n in names) + " |")
    lines.append("| median / p95 ms, empty frame | "
                 + " | ".join(f"{s[n]['empty_median_ms']:.1f} / {s[n]['empty_p95_ms']:.1f}" for n in names) + " |")
    lines.append("| false reads (all frames) | " + " | ".join(str(s[n]["false"]) for n in names) + " |")
    bins = [f"{lo}–{hi} px" for lo, hi in SMALL_BINS]
    lines += ["", "phone_small by the code's width (read / frames): "
              + "; ".join(f"{n} " + ", ".join(f"{b} {s[n]['small'].get(b, (0, 0))[0]}/{s[n]['small'].get(b, (0, 0))[1]}"
                                                 for b in bins) for n in names)]
    lines += ["", "ours, ms per frame by class (median / p95): "
              + ", ".join(f"{kind} {s['ours']['class_ms'][kind][0]:.1f} / {s['ours']['class_ms'][kind][1]:.1f}"
                          for kind in synth.CLASSES)]
    return "\n".join(lines)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    seeds = [("Tuning set", synth.TUNING_SEED)]
    if "--tuning-only" not in sys.argv:
        seeds.append(("Evaluation set (never used for tuning)", synth.EVALUATION_SEED))
    for title, seed in seeds:
        raw = measure(quick, seed)
        print(markdown(summary(raw), raw["_frames"], raw["_per_class"], seed, title))
        print()
