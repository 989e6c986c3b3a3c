"""A clean stop, as systemd does it: the kiosk unit's ExecStart run for real, its KillSignal sent to the
process, and the kiosk gone within 5 s (the unit kills what is left after TimeoutStopSec) — having said
STOPPING=1, stopped forwarding, finished its writes and closed its devices."""

from __future__ import annotations

import configparser
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import assets
from kiosk.journal import Journal
from service.contract.vault import Vault
from tests.uihelp import needs_display

UNIT = assets.path("systemd") / "yzt-kiosk.service"
STOP_WITHIN_S = 5.0


def unit_service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser["Service"]


def test_the_unit_stops_with_sigterm_and_a_timeout_above_the_kiosks_own() -> None:
    service = unit_service()
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert float(service["TimeoutStopSec"]) > STOP_WITHIN_S  # systemd's kill is the backstop, never the way out


def test_a_write_in_flight_is_finished_by_close(tmp_path: Path) -> None:
    from kiosk.journeys.registration import RegistrationJourney

    journal = Journal(tmp_path / "j.db", Vault(tmp_path / "k"), b"x" * 32)
    journey = RegistrationJourney()
    journey.choose_entity_type("llc")
    journal.save(journey)  # queued: the caller does not wait
    journal.close()  # SIGTERM's path: what was queued is committed first
    again = Journal(tmp_path / "j.db", Vault(tmp_path / "k"), b"x" * 32)
    assert again.get(journey.draft.application_id).snapshot["draft"]["entity_type"] == "llc"
    again.close()


@needs_display
@pytest.mark.timeout(120)
def test_sigterm_stops_the_running_kiosk_within_5_s(tmp_path: Path) -> None:
    service = unit_service()
    exec_start = shlex.split(service["ExecStart"])
    assert Path(exec_start[0]).name == "yzt" and exec_start[1] == "kiosk"
    notify = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.settimeout(0.2)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\nvoice = false\n', encoding="utf-8")
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "YZT_DATA_DIR": str(tmp_path / "data")}
    for line in service.get("Environment", "").splitlines() or []:
        key, _, value = line.partition("=")
        if key and key not in ("DISPLAY", "YZT_DATA_DIR"):
            env[key] = value
    # the unit's command, with this test's config, on the simulators, in a window on this display
    cmd = [sys.executable, "-m", "service.contract.cli", *exec_start[1:2], "--config", str(config), "--simulate",
           "--windowed"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    got: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while not any(m.startswith("READY=1") for m in got) and time.monotonic() < deadline:
            try:
                got.append(sock.recv(4096).decode())
            except socket.timeout:
                assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
        assert any(m.startswith("READY=1") for m in got), got
        log = tmp_path / "data" / "logs" / "kiosk.log"
        while "identity provider in use" not in (log.read_text(encoding="utf-8") if log.exists() else ""):
            assert time.monotonic() < deadline, "the embedded platform did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # in service: the forwarder, the heartbeat and the embedded platform running
        started = time.monotonic()
        proc.send_signal(getattr(signal, service.get("KillSignal", "SIGTERM")))
        code = proc.wait(timeout=float(service["TimeoutStopSec"]))
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    while True:
        try:
            got.append(sock.recv(4096).decode())
        except (socket.timeout, BlockingIOError):
            break
    sock.close()
    assert code == 0, proc.stderr.read().decode()[-3000:] if proc.stderr else code
    print(f"stopped in {took:.2f} s")
    assert took < STOP_WITHIN_S, f"took {took:.1f} s to stop"
    assert any("STOPPING=1" in m for m in got), got
    log = (tmp_path / "data" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "SIGTERM: stopping" in log and "outbox forwarder stopped" in log and "devices closed: " in log
    for db in ("outbox.db", "journal.db"):
        path = tmp_path / "data" / db
        if path.exists():
            with sqlite3.connect(path) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
