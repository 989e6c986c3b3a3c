"""`yzt doctor` run as a user runs it: a subprocess against the simulators and the embedded platform."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import config
from kiosk.diagnostics import device_table, heartbeat_status, run_checks
from kiosk.runtime import Runtime


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n{extra}', encoding="utf-8")
    return path


def _doctor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.contract.cli", "doctor", *args], capture_output=True, text=True,
                          timeout=120)


def test_all_simulators_healthy_exit_0(tmp_path):
    done = _doctor("--simulate", "--json", "--config", str(_config(tmp_path)))
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] is True
    checks = {c["check"]: c for c in doc["checks"]}
    for name in ("device:idcard", "device:camera", "device:qr_scanner", "device:receipt_printer",
                 "device:document_printer", "platform", "disk", "outbox"):
        assert checks[name]["ok"], checks[name]
    assert checks["device:idcard"]["details"]["sam_id"]  # external level: a real exchange with the SAM
    assert checks["platform"]["details"]["latency_ms"] >= 0
    assert abs(checks["platform"]["details"]["clock_offset_s"]) < 5
    assert len(checks["platform"]["details"]["key_fingerprint"]) == 16


def test_paper_out_and_reader_unplugged_exit_nonzero_each_named(tmp_path):
    cfg = _config(tmp_path, '[devices.idcard]\nurl = "sim://?unplugged=1"\n'
                            '[devices.receipt_printer]\nurl = "sim://?state=paper_out"\n')
    done = _doctor("--simulate", "--json", "--config", str(cfg))
    assert done.returncode == 1, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["ok"] is False
    failed = {c["check"]: c for c in doc["checks"] if not c["ok"]}
    assert set(failed) == {"device:idcard", "device:receipt_printer"}
    reader, printer = failed["device:idcard"], failed["device:receipt_printer"]
    assert reader["state"] == "offline" and reader["message"].startswith("ID card reader: not connected")
    assert reader["message_zh"].startswith("身份证读卡器")
    assert printer["state"] == "user_error" and "paper out" in printer["message"]
    assert printer["message_zh"].startswith("凭条打印机") and "纸" in printer["message_zh"]


def test_table_for_people_names_what_failed(tmp_path):
    cfg = _config(tmp_path, '[devices.receipt_printer]\nurl = "sim://?state=paper_out"\n')
    done = _doctor("--simulate", "--config", str(cfg))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith("FAIL") and "receipt printer: paper out" in line for line in lines)
    assert lines[-1] == "FAILED: device:receipt_printer"


def test_a_device_that_is_not_required_only_warns(tmp_path):
    cfg = _config(tmp_path, '[devices.receipt_printer]\nurl = "sim://?state=paper_out"\nrequired = false\n')
    done = _doctor("--simulate", "--config", str(cfg))
    assert done.returncode == 0, done.stdout
    assert any(line.startswith("warn") and "receipt_printer" in line for line in done.stdout.splitlines())


def test_platform_down_fails_with_a_clear_message(tmp_path):
    cfg = _config(tmp_path, '[platform]\nurl = "http://127.0.0.1:9"\ntimeout_s = 1\n')
    done = _doctor("--json", "--config", str(cfg))  # devices unconfigured without --simulate
    assert done.returncode == 1
    platform = next(c for c in json.loads(done.stdout)["checks"] if c["check"] == "platform")
    assert not platform["ok"] and platform["message"].startswith("platform link: unreachable at http://127.0.0.1:9")


def test_bad_config_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[devices.idcard]\nbaud = 'fast'\n", encoding="utf-8")
    done = _doctor("--config", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "baud" in done.stderr


@pytest.fixture()
def runtime(tmp_path):
    cfg = config.load(_config(tmp_path), simulate=True)
    rt = Runtime.build(cfg)
    yield rt
    rt.close()


def test_reader_plugged_back_in_passes_again(runtime):
    sim = runtime.devices["idcard"].simulator
    sim.unplug(hold=True)
    rows = {r.check: r for r in run_checks(runtime)}
    assert not rows["device:idcard"].ok
    sim.replug()
    runtime.devices["idcard"].close()  # what the maintenance screen's "restart device" does
    rows = {r.check: r for r in run_checks(runtime)}
    assert rows["device:idcard"].ok, rows["device:idcard"]


def test_device_table_and_heartbeat_carry_counters_and_nothing_personal(runtime):
    runtime.devices["idcard"].simulator.place("zhang")
    card = runtime.devices["idcard"].read_card()
    assert card is not None
    table = {row["kind"]: row for row in device_table(runtime)}
    assert table["idcard"]["counters"]["cards_read"] == 1
    assert table["idcard"]["identity"]  # the SAM ID, once the SAM has been asked
    status = heartbeat_status(runtime)
    assert status["devices"]["idcard"]["state"] == "online"
    text = json.dumps(status, ensure_ascii=False)
    assert card.id_number not in text and card.name not in text
