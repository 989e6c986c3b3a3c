"""sd_notify against a real unix datagram socket standing in for systemd's, and the unit files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

import assets
from service.contract.systemd import Notifier

UNITS = assets.path("systemd")


@pytest.fixture()
def systemd_socket(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    yield path, sock
    sock.close()


def _received(sock: socket.socket, until: str, timeout: float = 30) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got.append(sock.recv(4096).decode())
        except socket.timeout:
            continue
        if any(until in m for m in got):
            break
    return got


def test_outside_systemd_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    n = Notifier()
    assert not n.enabled and n.ready() is False and n.feed() is False


def test_ready_status_and_watchdog(systemd_socket, monkeypatch):
    path, sock = systemd_socket
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    n = Notifier(str(path))
    assert n.watchdog_s == 2.0
    assert n.ready("kiosk ready")
    assert sock.recv(4096) == b"READY=1\nSTATUS=kiosk ready"
    assert n.feed() and sock.recv(4096) == b"WATCHDOG=1"
    assert n.feed() is False  # fed a moment ago: not again before a quarter period
    time.sleep(0.55)
    assert n.feed() and sock.recv(4096) == b"WATCHDOG=1"
    assert n.stopping() and sock.recv(4096) == b"STOPPING=1"


def test_watchdog_meant_for_another_process_is_not_fed(systemd_socket, monkeypatch):
    path, _ = systemd_socket
    monkeypatch.setenv("WATCHDOG_USEC", "2000000")
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert Notifier(str(path)).watchdog_s == 0.0
    assert Notifier(str(path), any_process=True).watchdog_s == 2.0


def test_abstract_socket_address():
    name = f"yzt-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    try:
        assert Notifier("@" + name).ready()
        assert sock.recv(4096) == b"READY=1"
    finally:
        sock.close()


def test_a_gone_systemd_is_not_fatal(tmp_path):
    assert Notifier(str(tmp_path / "nobody-listens.sock")).ready() is False


def test_yzt_service_tells_systemd_it_is_ready_and_feeds_the_watchdog(tmp_path, systemd_socket):
    path, sock = systemd_socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "1000000"}
    proc = subprocess.Popen([sys.executable, "-m", "service.contract.cli", "service", "--port", str(port), "--db",
                             f"sqlite:///{tmp_path / 'p.db'}", "--keys", str(tmp_path / "keys")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        got = _received(sock, "READY=1")
        assert any(m.startswith("READY=1") for m in got), got
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5).ok  # ready means serving
        assert "WATCHDOG=1" in _received(sock, "WATCHDOG=1", timeout=5)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("unit", ["yzt-kiosk.service", "yzt-service.service"])
def test_units_restart_on_failure_and_use_the_watchdog(unit):
    text = (UNITS / unit).read_text(encoding="utf-8")
    assert "Type=notify" in text and "Restart=on-failure" in text and "WatchdogSec=" in text
    if shutil.which("systemd-analyze"):
        done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(UNITS / unit)], capture_output=True,
                              text=True, timeout=60)
        # verify also says the ExecStart binaries are not installed on this machine: only the rest counts
        problems = [line for line in done.stderr.splitlines() if line.strip() and "is not executable" not in line]
        assert not problems, done.stderr
