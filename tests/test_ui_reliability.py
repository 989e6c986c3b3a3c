"""A visit survives a crash, in the real app under Xvfb: the kiosk process SIGKILLed right after the
platform's decision (before the licence printed), started again on the same data; the citizen starts
again, puts the same card on the reader, is recognised and gets the same application — and the licence
is printed then. The platform holds one application."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servicehelp import write_reference
from tests.uihelp import needs_display, run_script

pytestmark = [needs_display, pytest.mark.timeout(400)]


def test_killed_after_the_decision_restarted_the_citizen_gets_the_same_application_and_the_licence(
        tmp_path: Path) -> None:
    env = {"YZT_REFERENCE_DIR": str(write_reference(tmp_path / "ref")), "YZT_DISPATCH_SCALE": "0.01"}
    shots = tmp_path / "shots"
    first = subprocess.run([sys.executable, "-m", "screens.autopilot", "tests.uiscripts:crash_after_the_decision",
                            "--out", str(shots), "--simulate"], capture_output=True, text=True, timeout=240,
                           env={**os.environ, "YZT_DATA_DIR": str(tmp_path / "data"), **env})
    assert first.returncode == -signal.SIGKILL, (first.returncode, first.stdout[-2000:], first.stderr[-3000:])
    crashed = json.loads((shots / "crash.json").read_text(encoding="utf-8"))

    outcome = run_script("tests.uiscripts:restart_after_the_crash", tmp_path, "--simulate", env=env, timeout=240)
    r = outcome["result"]["restored"]
    assert r["application_id"] == crashed["application_id"] == r["decision_application_id"]
    assert r["decision"] == "approved" and r["kind"] == "approved" and r["uscc"]
    assert r["licence_printed"] is True and r["licences_spooled"] == 1  # printed now, once
    assert [x["kind"] for x in r["receipts"]] == ["result", "linked_items"] and all(x["printed"] for x in r["receipts"])
    assert set(r["journal_printed"]) == {"licence", "result", "linked_items"}
    assert r["new_visit_kept"] is False  # the second start left nothing of its own
    after = outcome["result"]["after"]
    assert after["outbox"]["pending"] == 0 and after["outbox"]["quarantined"] == 0
    assert after["journal"].get("answering", 0) == 0  # nothing half-done left behind
    assert ("recognised", f"{crashed['acceptance_no']} decided") in [tuple(e) for e in outcome["events"]]
    reprint = outcome["result"]["maintenance_reprint"]
    assert reprint["licences"] == 1 and "营业执照" in reprint["note"], reprint  # maintenance: by acceptance number
    with sqlite3.connect(tmp_path / "data" / "platform" / "platform.db") as conn:
        rows = conn.execute("SELECT application_id, decision FROM applications").fetchall()
    assert rows == [(crashed["application_id"], "approved")]  # one application, not two
