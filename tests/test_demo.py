"""`yzt demo` headless: the real app under Xvfb walks journey 1 (approved, licence and receipts
printed) and journey 3 (progress by receipt QR and by card), against the platform on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servicehelp import write_reference

pytestmark = pytest.mark.timeout(300)


def test_demo_walks_registration_and_progress_and_exits_0(tmp_path: Path) -> None:
    env = {**os.environ, "YZT_DATA_DIR": str(tmp_path / "data"), "YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref"))}
    env.pop("DISPLAY", None)  # headless: the demo starts its own Xvfb
    out = tmp_path / "demo-output"
    done = subprocess.run([sys.executable, "-m", "service.contract.cli", "demo", "--out", str(out)], capture_output=True,
                          text=True, timeout=280, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "approved" in done.stdout
    result = json.loads((out / "demo-result.json").read_text(encoding="utf-8"))["result"]
    assert result["decision"] == "approved" and result["approved_and_printed"] is True
    assert set(result["progress_items"]) == {"seal", "tax", "social_insurance", "housing_fund", "bank_account"}
    names = {p.name for p in out.iterdir()}
    assert "licence.pdf" in names and (out / "licence.pdf").read_bytes().startswith(b"%PDF")
    assert {"receipt-1.png", "receipt-2.png", "receipt-3.png"} <= names
    shots = sorted(n for n in names if n.endswith(".png") and not n.startswith("receipt"))
    for step in ("entity-type", "put-your-card", "phone-and-code", "face", "name-checked", "address-0", "scope",
                 "capital", "shareholders", "officers", "linked-items", "check-your-answers", "sign-1", "result",
                 "progress-by-receipt", "progress-by-card",
                 # issue 19: the law's steps in Chinese, English and large type
                 "name-taken", "name-taken-en", "name-taken-large", "contributions", "contributions-en",
                 "contributions-large", "officers-en", "officers-large"):
        assert any(step in n for n in shots), step
    # then the company's later life: each journey photographed, each decided
    life = result["lifecycle"]
    assert life["change"]["decision"] == "approved" and life["change"]["uscc"] == result["uscc"]
    assert life["reprint"] and all(life["reprint"].values()) and life["suspension"] == life["resumed"] == "approved"
    assert life["deregistration"]["decision"] in ("approved", "manual_review")
    for step in ("change-company", "change-what", "change-name-new", "change-sign-card", "change-result",
                 "reprint-copies", "reprint-printed", "suspend-period", "suspend-result", "resume-suspended",
                 "resume-result", "dereg-one-table", "dereg-procedure", "dereg-result"):
        assert any(step in n for n in shots), step
