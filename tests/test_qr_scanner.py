"""The serial QR scanner: the real driver (pyserial) reading its simulator through a pty."""

from __future__ import annotations

import threading
import time

import pytest

from devices.base import DeviceState, HealthLevel
from devices.qr import QrCode, QrReader
from devices.qr.scanner import LineSplitter, QrScanner, ScannerSimulator, ScanRejected, check_line, for_url
from devices.registry import open_device
from tests.devicehelp import wait_for

UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


@pytest.fixture()
def scanner():
    dev = for_url("sim://", idle_s=0.3, reconnect_s=0.1, reconnect_max_s=0.3, interactive_timeout_s=3)
    dev.open()
    yield dev
    dev.close()
    dev.simulator.close()


def test_scans_arrive_as_typed_readings(scanner):
    assert scanner.state is DeviceState.ONLINE
    scanner.simulator.scan(f"YZTP1:{UUID}")
    code = scanner.read(timeout=3)
    assert isinstance(code, QrCode) and code.text == f"YZTP1:{UUID}" and code.decoder == "scanner"
    assert code.source == "qr_scanner" and code.position == () and code.rect() is None
    assert scanner.counters["scans"] == 1


@pytest.mark.parametrize("terminator", [b"\r", b"\n", b"\r\n"])
def test_every_terminator_ends_a_line(scanner, terminator):
    scanner.simulator.scan("电子营业执照", terminator=terminator)
    scanner.simulator.scan("second", terminator=terminator)
    assert scanner.read(3).text == "电子营业执照"
    assert scanner.read(3).text == "second"
    assert scanner.read(0.3) is None  # CR LF is one terminator, not an extra empty scan


def test_a_code_split_across_writes_is_reassembled(scanner):
    data = "营业执照-split".encode()
    scanner.simulator.send(data[:4])  # cuts a UTF-8 character in two
    time.sleep(0.1)
    scanner.simulator.send(data[4:] + b"\r\n")
    assert scanner.read(3).text == "营业执照-split"


def test_bad_lines_are_dropped_and_counted_never_raised(scanner):
    sim = scanner.simulator
    sim.send(b"\x02\x15\x00noise\x7f\r\n")  # line noise at a wrong baud rate
    sim.send(b"\xff\xfe\xc3(\r\n")  # not UTF-8
    sim.send(b"A" * 5000 + b"\r\n")  # longer than max_line
    sim.send(b"half a co")  # no terminator, then silence
    assert wait_for(lambda: scanner.counters["partial"] == 1)
    sim.scan("still works")
    assert scanner.read(3).text == "still works"
    c = scanner.counters
    assert (c["garbage"], c["undecodable"], c["overlong"], c["partial"], c["rejected"]) == (1, 1, 1, 1, 4)
    assert c["scans"] == 1 and scanner.state is DeviceState.ONLINE
    assert [r.reason for r in scanner.rejected] == ["garbage", "undecodable", "overlong", "partial"]
    assert all(r.message_zh and r.message_en for r in scanner.rejected)


def test_unplug_goes_offline_and_replug_reconnects(scanner):
    sim = scanner.simulator
    sim.unplug()
    assert wait_for(lambda: scanner.state is DeviceState.OFFLINE)
    report = scanner.health(HealthLevel.INTERNAL)
    assert not report.ok and report.state is DeviceState.OFFLINE and report.summary_zh
    sim.replug()  # a new pty: the driver finds the new port by itself
    assert wait_for(lambda: scanner.state is DeviceState.ONLINE)
    assert scanner.counters["reconnects"] == 1
    sim.scan("after replug")
    assert scanner.read(3).text == "after replug"


def test_health_levels(scanner):
    assert scanner.health(HealthLevel.INTERNAL).ok
    external = scanner.health(HealthLevel.EXTERNAL)
    assert external.ok and external.details["port"] == scanner.simulator.port
    threading.Timer(0.3, scanner.simulator.scan, args=("operator test",)).start()
    interactive = scanner.health(HealthLevel.INTERACTIVE)
    assert interactive.ok and interactive.details["qr"] == "operator test"


def test_interactive_health_without_a_scan_fails_clearly(scanner):
    scanner.interactive_timeout_s = 0.3
    report = scanner.health(HealthLevel.INTERACTIVE)
    assert not report.ok and "no scan" in report.summary_en and report.summary_zh


def test_a_port_that_does_not_exist_is_no_device_not_a_crash():
    dev = for_url("/dev/ttyNOPE9", reconnect_s=0.1)
    dev.open()  # does not raise: the kiosk starts; the thread keeps trying
    try:
        assert dev.state is DeviceState.NO_DEVICE
        assert not dev.health().ok
    finally:
        dev.close()
    assert dev.state is DeviceState.CLOSED


def test_built_through_the_registry_and_feeds_the_reader():
    dev = open_device("qr_scanner", "sim://", required=False, baud=9600, timeout_s=1.0)
    assert isinstance(dev, QrScanner) and dev.baud == 9600 and not dev.required
    got: list[QrCode] = []
    with dev, QrReader(scanner=dev, on_code=got.append, dedupe_s=5) as reader:
        for _ in range(3):
            dev.simulator.scan("same code")
        dev.simulator.scan("other code")
        assert wait_for(lambda: len(got) == 2 and reader.counters["duplicates"] == 2)
    assert [c.text for c in got] == ["same code", "other code"]
    dev.simulator.close()


# -- the line splitter on its own -----------------------------------------------------------------

def test_splitter_units():
    s = LineSplitter(max_line=10)
    assert s.feed(b"abc") == [] and s.pending == 3
    assert s.feed(b"def\r\n\r\nxyz\n") == ["abcdef", "xyz"]
    out = s.feed(b"0123456789ABC\nok\n")
    assert isinstance(out[0], ScanRejected) and out[0].reason == "overlong" and out[1] == "ok"
    s.feed(b"tail")
    partial = s.flush_partial()
    assert partial.reason == "partial" and partial.length == 4 and s.flush_partial() is None
    assert check_line(b"\xef\xbb\xbfBOM ok ") == "BOM ok"
    assert check_line(b"tab\tinside") == "tab\tinside"


def test_simulator_refuses_to_send_when_unplugged():
    sim = ScannerSimulator()
    sim.unplug()
    with pytest.raises(OSError):
        sim.scan("x")
