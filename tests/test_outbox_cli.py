"""Store-and-forward as a technician meets it, every part a real process: the platform (`yzt service`)
goes down while `yzt demo --headless --config FILE` is at the signing step — the demo exits 4 with the
application queued; `yzt outbox status --json` lists it (nothing personal); the platform comes back
without this kiosk enrolled — `yzt outbox flush` keeps it (exit 1, the 401 named); a kiosk left running
(`yzt outbox forward`) delivers it by itself once the key is enrolled, exactly once; the receipt's
progress page is live; SIGTERM stops the forwarder at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.reliability import PlatformProcess
from tests.servicehelp import write_reference

pytestmark = pytest.mark.timeout(400)
CLI = [sys.executable, "-m", "service.contract.cli"]


def yzt(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=env)


def status(config: Path) -> dict[str, Any]:
    done = yzt("outbox", "status", "--config", str(config), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_platform_down_at_submit_then_back_unenrolled_then_enrolled(tmp_path: Path) -> None:
    from devices.idcard.samples import SAMPLE_CARDS
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys

    platform = PlatformProcess(tmp_path / "platform", write_reference(tmp_path / "ref"))
    data = tmp_path / "kiosk"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nid = "YZT-HALL-0042"\ndata_dir = "{data}"\nvoice = false\nfullscreen = false\n'
                      f'[platform]\nurl = "{platform.url}"\ntimeout_s = 3\n'
                      + "".join(f'[devices.{kind}]\nurl = "sim://"\n' for kind in
                                ("idcard", "camera", "qr_scanner", "receipt_printer", "document_printer")),
                      encoding="utf-8")
    pem = public_pem(load_or_create_key(data / "kiosk.key"))
    keys = KioskKeys(platform.keys)
    keys.enrol("YZT-HALL-0042", pem)  # the operator enrolled this kiosk
    platform.start()
    try:
        # 1. the platform dies while the citizen signs: the demo exits 4, the application queued
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # headless: the demo makes its own screen
        out = tmp_path / "demo-output"
        demo = subprocess.Popen([*CLI, "demo", "--headless", "--config", str(config), "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 240
        while not (out.is_dir() and any("sign-1" in p.name for p in out.iterdir())):
            assert demo.poll() is None, demo.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the demo never reached the signing step"
            time.sleep(0.2)
        platform.kill()
        stdout, stderr = demo.communicate(timeout=180)
        assert demo.returncode == 4, stdout + stderr[-3000:]
        result = json.loads((out / "demo-result.json").read_text(encoding="utf-8"))
        assert result["decision"] == "queued" and result["application_id"] and result["acceptance_no"]
        assert [r["kind"] for r in result["result"]["receipts"]] == ["acceptance"]
        app_id, number = result["application_id"], result["acceptance_no"]

        # 2. the technician looks: it is listed, with nothing personal
        listed = status(config)
        assert [(p["application_id"], p["acceptance_no"]) for p in listed["pending"]] == [(app_id, number)]
        assert listed["pending"][0]["attempts"] >= 1 and listed["quarantined"] == 0
        text = json.dumps(listed, ensure_ascii=False)
        for c in SAMPLE_CARDS.values():
            assert c.name not in text and c.id_number not in text
        assert "13800138000" not in text

        # 3. the platform is back, but without this kiosk's key: flush keeps it (exit 1)
        (platform.keys / "YZT-HALL-0042.pub.pem").unlink()
        platform.start()
        flushed = yzt("outbox", "flush", "--config", str(config))
        assert flushed.returncode == 1, flushed.stdout + flushed.stderr
        assert "1 still waiting" in flushed.stdout and "401" in flushed.stdout
        [kept] = status(config)["pending"]
        assert kept["application_id"] == app_id and "401" in kept["last_error"]

        # 4. a kiosk left running delivers it by itself as soon as the key is enrolled
        forward = subprocess.Popen([*CLI, "outbox", "forward", "--config", str(config)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(2)
            keys.enrol("YZT-HALL-0042", pem)
            deadline = time.monotonic() + 90
            while status(config)["pending"]:
                assert forward.poll() is None, forward.communicate()[1][-2000:]
                assert time.monotonic() < deadline, "the forwarder did not deliver it"
                time.sleep(1)
            started = time.monotonic()
            forward.send_signal(signal.SIGTERM)
            forward.wait(10)
            assert forward.returncode == 0 and time.monotonic() - started < 5
        finally:
            if forward.poll() is None:
                forward.kill()

        # exactly once at the platform, and the receipt's progress page is live
        from sqlalchemy import create_engine, select

        from service.models import Application

        engine = create_engine(platform.database_url())
        with engine.connect() as conn:
            rows = conn.execute(select(Application.application_id, Application.decision, Application.acceptance_no)
                                .where(Application.kiosk_id == "YZT-HALL-0042")).all()
        engine.dispose()
        assert [(r.application_id, r.acceptance_no) for r in rows] == [(app_id, number)]
        progress = requests.get(f"{platform.url}/api/v1/progress/{number}", timeout=10)
        assert progress.status_code == 200 and progress.json()["decision"] == rows[0].decision
        again = yzt("outbox", "flush", "--config", str(config))
        assert again.returncode == 0 and "delivered 0, 0 still waiting" in again.stdout
    finally:
        platform.stop()
