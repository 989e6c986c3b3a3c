"""`yzt receipt`: the sample receipt to a file and to a printer (exit 0 / 3 / 1), status, render."""

from __future__ import annotations

import subprocess
import sys

import pytest

from devices.printers.simulator import EscposSimulator, SimState, render_bytes
from service.contract.cli import main


@pytest.fixture
def sim():
    s = EscposSimulator(pty=False, tcp_port=0)
    yield s
    s.close()


def test_sample_out_writes_escpos_with_chinese_qr_and_cut(tmp_path, capsys):
    out = tmp_path / "sample.bin"
    assert main(["receipt", "sample", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\x1b@\x1c&")  # initialise, Chinese mode
    assert "受理回执".encode("gb18030") in data
    assert b"\x1d(k" in data and b"1Q0" in data  # native QR stored and printed
    assert data.rstrip(b"\x00").endswith(b"\x1dV")  # cut last
    [job] = render_bytes(data)
    assert job.cut and len(job.qr) == 1 and "受理回执" in job.texts
    assert "wrote" in capsys.readouterr().out


def test_sample_on_a_ready_printer_prints_and_exits_0(sim, capfd):
    assert main(["receipt", "sample", "--printer", sim.tcp_url, "--status-timeout", "0.3"]) == 0
    [job] = sim.wait_for_jobs(1)
    assert job.cut and "受理回执" in job.texts
    assert "printed" in capfd.readouterr().out


@pytest.mark.parametrize("state, word", [(SimState.PAPER_OUT, "paper_out"), (SimState.COVER_OPEN, "cover_open"),
                                         (SimState.OFFLINE, "offline"), (SimState.SILENT, "offline")])
def test_sample_on_a_printer_not_ready_exits_3_sends_nothing(sim, capfd, state, word):
    sim.set_state(state)
    assert main(["receipt", "sample", "--printer", sim.tcp_url, "--status-timeout", "0.3"]) == 3
    err = capfd.readouterr().err
    assert word in err and "nothing sent" in err
    assert sim.jobs == [] and sim.counters["received"] == 3 * sim.counters["status_queries"]


def test_sample_printer_that_is_not_there(capfd, tmp_path):
    assert main(["receipt", "sample", "--printer", str(tmp_path / "ttyNONE"), "--status-timeout", "0.1"]) == 3
    assert "offline" in capfd.readouterr().err
    assert main(["receipt", "sample", "--printer", "escpos+tcp://:9100"]) == 1


def test_sample_json_and_status(sim, capfd):
    assert main(["receipt", "status", "--printer", sim.tcp_url, "--json"]) == 0
    assert '"condition": "ready"' in capfd.readouterr().out
    sim.set_state(SimState.PAPER_NEAR_END)
    assert main(["receipt", "sample", "--printer", sim.tcp_url, "--json", "--kind", "linked_items"]) == 0
    out = capfd.readouterr().out
    assert '"outcome": "printed"' in out and "paper_near_end" in out
    sim.set_state(SimState.CUTTER_ERROR)
    assert main(["receipt", "status", "--printer", sim.tcp_url]) == 3


def test_render_a_file(tmp_path, capfd):
    src = tmp_path / "r.bin"
    assert main(["receipt", "sample", "--out", str(src), "--kind", "progress"]) == 0
    assert main(["receipt", "render", str(src), "--out", str(tmp_path / "png")]) == 0
    assert (tmp_path / "png" / "receipt-0001.png").exists()
    (tmp_path / "empty.bin").write_bytes(b"\x1b@")
    assert main(["receipt", "render", str(tmp_path / "empty.bin"), "--out", str(tmp_path / "x")]) == 1


def test_licence_sample(tmp_path):
    assert main(["receipt", "licence", "--out", str(tmp_path / "l.pdf"), "--size", "A3"]) == 0
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")


def test_the_installed_command_and_the_simulator(tmp_path):
    """`yzt receipt simulate` in its own process, printed to by `yzt receipt sample` in another."""
    yzt = [sys.executable, "-m", "service.contract.cli"]
    server = subprocess.Popen(yzt + ["receipt", "simulate", "--tcp", "0", "--no-pty", "--out", str(tmp_path),
                                     "--seconds", "20"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("tcp: escpos+tcp://127.0.0.1:"), line
        url = line.split()[1]
        done = subprocess.run(yzt + ["receipt", "sample", "--printer", url], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        for _ in range(50):
            if (tmp_path / "receipt-0001.png").exists():
                break
            import time
            time.sleep(0.1)
        assert (tmp_path / "receipt-0001.png").exists()
    finally:
        server.terminate()
        server.wait(10)
