"""`yzt idcard read` / `yzt idcard simulate` as separate processes against the simulator's pty."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.idcard.samples import SAMPLE_CARDS
from devices.idcard.simulator import SamSimulator

pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parent.parent


def yzt(*args: str, timeout: float = 15) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.contract.cli", *args], cwd=ROOT, capture_output=True,
                          text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture()
def sim():
    s = SamSimulator()
    yield s
    s.close()


@pytest.mark.parametrize("key", ["zhang", "smith", "wong"])
def test_read_json_prints_the_card(sim, key):
    sim.place(key)
    result = yzt("idcard", "read", "--port", sim.port, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc == SAMPLE_CARDS[key].to_json_dict()
    assert {"card_type", "name", "sex", "nation", "birth", "address", "id_number", "authority", "valid_from",
            "valid_to", "photo_bytes"} <= set(doc)


def test_read_with_no_card_exits_2(sim):
    result = yzt("idcard", "read", "--port", sim.port, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no card" in result.stderr


def test_read_on_a_missing_port_exits_1_with_one_line():
    result = yzt("idcard", "read", "--port", "/dev/no-such-reader", "--timeout", "0.5")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_a_silent_reader_exits_1_within_its_timeout(sim):
    sim.place("zhang")
    sim.inject("no_answer", count=100)
    result = yzt("idcard", "read", "--port", sim.port, "--timeout", "0.3")
    assert result.returncode == 1 and "no answer" in result.stderr


def test_read_table_is_readable(sim):
    sim.place("chen")
    result = yzt("idcard", "read", "--port", sim.port, "--baud", "115200")
    assert result.returncode == 0, result.stderr
    assert "陈国强" in result.stdout and "长期" in result.stdout and "壮" in result.stdout


def test_read_over_socket_url(sim):
    sim.place("tanaka")
    url = sim.listen_tcp(0)
    result = yzt("idcard", "read", "--port", url, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name_en"] == "TANAKA, HIROSHI"


def test_simulate_serves_a_pty_until_interrupted():
    proc = subprocess.Popen([sys.executable, "-m", "service.contract.cli", "idcard", "simulate", "--card", "li"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = proc.stdout.readline()
        assert first.startswith("pty: /dev/"), first
        result = yzt("idcard", "read", "--port", first.split(": ", 1)[1].strip(), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["name"] == "李秀英"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
