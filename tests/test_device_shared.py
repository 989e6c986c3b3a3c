"""The devices' shared machinery: listener lists, newest-wins queues, the reconnect loop — on their own
and through the real drivers (pyserial on the simulators' ptys)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from devices.base import Device, DeviceState, HealthLevel
from devices.delivery import Listeners, NewestQueue
from devices.reconnect import Backoff, keep_connected
from tests.devicehelp import wait_for

pytestmark = pytest.mark.timeout(30)


# -- listeners ------------------------------------------------------------------------------------------

def test_a_listener_that_raises_does_not_stop_the_next_one(caplog):
    counters: Counter[str] = Counter()
    failures: list[str] = []
    heard: list[tuple[str, int]] = []
    listeners: Listeners[int] = Listeners("lamp", counters, on_error=lambda fn, exc: failures.append(str(exc)))

    def first(event: int) -> None:
        heard.append(("first", event))

    def broken(event: int) -> None:
        raise RuntimeError(f"consumer bug on {event}")

    def last(event: int) -> None:
        heard.append(("last", event))

    for fn in (first, broken, last, first):  # the same listener twice is one listener
        listeners.add(fn)
    assert len(listeners) == 3 and broken in listeners
    assert listeners.emit(1) == 2 and listeners.emit(2) == 2
    assert heard == [("first", 1), ("last", 1), ("first", 2), ("last", 2)]
    assert counters["callback_errors"] == 2 and failures == ["consumer bug on 1", "consumer bug on 2"]
    assert any("lamp" in r.message and "consumer bug on 1" in r.message for r in caplog.records)
    listeners.remove(broken)
    listeners.remove(broken)  # removing twice is harmless
    assert listeners.emit(3) == 2 and counters["callback_errors"] == 2


def test_a_listener_raising_a_drop_error_is_removed():
    listeners: Listeners[bytes] = Listeners("sinks", drop_on=(OSError,))
    got: list[bytes] = []

    def closed(data: bytes) -> None:
        raise BrokenPipeError("connection gone")

    listeners.add(closed)
    listeners.add(got.append)
    assert listeners.emit(b"a") == 1 and closed not in listeners
    assert listeners.emit(b"b") == 1 and got == [b"a", b"b"]


def test_a_failing_card_listener_does_not_stop_the_polling_or_the_others():
    from devices.idcard import CardEvent, for_url

    reader = for_url("sim://", timeout_s=0.6)
    events: list[CardEvent] = []

    def broken(event: CardEvent) -> None:
        raise ValueError("screen not ready")

    reader.add_listener(broken)
    reader.add_listener(events.append)
    with reader:
        reader.start_polling(0.05)
        reader.simulator.place("zhang")
        assert wait_for(lambda: any(e.kind == "placed" for e in events))
        reader.simulator.remove()
        assert wait_for(lambda: any(e.kind == "removed" for e in events))
    assert reader.counters["callback_errors"] >= 2 and events[0].card.name == "张伟明"


def test_a_failing_scan_listener_does_not_stop_the_scanner():
    from devices.qr.scanner import for_url

    scanner = for_url("sim://", reconnect_s=0.1)
    got: list[str] = []

    def broken(code: object) -> None:
        raise RuntimeError("boom")

    scanner.add_listener(broken)
    scanner.add_listener(lambda code: got.append(code.text))
    with scanner:
        for text in ("one", "two"):
            scanner.simulator.scan(text)
        assert wait_for(lambda: got == ["one", "two"])
    assert scanner.counters["callback_errors"] == 2 and scanner.state is DeviceState.CLOSED
    scanner.simulator.close()


# -- newest-wins queues ---------------------------------------------------------------------------------

def test_newest_wins():
    q: NewestQueue[int] = NewestQueue(3)
    assert [q.put(i) for i in range(5)] == [None, None, None, 0, 1]
    assert q.dropped == 2 and len(q) == 3
    assert [q.get(0), q.get(0), q.get(0), q.get(0)] == [2, 3, 4, None]
    with pytest.raises(ValueError):
        NewestQueue(0)


def test_newest_queue_wakes_a_waiting_consumer_and_clears():
    q: NewestQueue[str] = NewestQueue(2)
    got: list[str | None] = []
    consumer = threading.Thread(target=lambda: got.append(q.get(5)))
    consumer.start()
    time.sleep(0.1)
    q.put("late")
    consumer.join(2)
    assert got == ["late"]
    started = time.monotonic()
    assert q.get(0.2) is None and time.monotonic() - started >= 0.19
    q.put("a"), q.put("b")
    assert q.clear() == 2 and q.get(0) is None


def test_the_scanner_keeps_the_newest_scans_when_nobody_reads():
    from devices.qr.scanner import for_url

    scanner = for_url("sim://")
    with scanner:
        for i in range(40):
            scanner.simulator.scan(f"code-{i:02d}")
        assert wait_for(lambda: scanner.counters["scans"] == 40)
        texts = [scanner.read(0).text for _ in range(32)]
        assert texts == [f"code-{i:02d}" for i in range(8, 40)] and scanner.read(0) is None
    scanner.simulator.close()


# -- reconnecting -----------------------------------------------------------------------------------------

def test_backoff_doubles_up_to_its_bound_and_resets():
    b = Backoff(0.1, 0.5)
    assert [b.next() for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    b.reset()
    assert b.next() == 0.1
    with pytest.raises(ValueError):
        Backoff(0, 1)


class Port(Device):
    """A device whose connection comes and goes as the test says (the loop under test is the real one)."""

    kind = "port"

    def __init__(self) -> None:
        super().__init__("test://port")
        self.present = threading.Event()
        self.lose = threading.Event()
        self.stop = threading.Event()
        self.attempts: list[float] = []
        self.ups = 0
        self.downs = 0

    def connect(self) -> str:
        self.attempts.append(time.monotonic())
        if not self.present.is_set():
            raise FileNotFoundError(2, "No such port")
        return "conn"

    def pump(self, conn: str) -> None:
        while not self.stop.is_set():
            if self.lose.is_set():
                self.lose.clear()
                self.present.clear()
                raise ConnectionResetError("cable pulled")
            time.sleep(0.01)

    def _open(self) -> None:
        pass

    def _close(self) -> None:
        pass

    def _check(self, level: HealthLevel):
        return True, "", "", {}


def test_keep_connected_reports_once_backs_off_and_reconnects():
    port = Port()
    thread = threading.Thread(target=keep_connected, daemon=True, kwargs={
        "device": port, "stop": port.stop, "connect": port.connect, "pump": port.pump, "release": lambda conn: None,
        "backoff": Backoff(0.05, 0.2), "on_up": lambda conn: setattr(port, "ups", port.ups + 1),
        "on_down": lambda conn: setattr(port, "downs", port.downs + 1)})
    thread.start()
    try:
        assert wait_for(lambda: len(port.attempts) >= 5)
        assert port.state is DeviceState.NO_DEVICE and port.counters["errors"] == 1  # recorded once a streak
        gaps = [b - a for a, b in zip(port.attempts, port.attempts[1:])]
        assert gaps[0] < 0.15 and max(gaps) < 0.4 and gaps[-1] >= 0.15  # doubling, bounded at 0.2 s
        port.present.set()
        assert wait_for(lambda: port.state is DeviceState.ONLINE) and port.ups == 1
        port.lose.set()
        assert wait_for(lambda: port.state is DeviceState.OFFLINE)  # seen before: offline, not "no device"
        assert port.counters["losses"] == 1 and "cable pulled" in port.last_error and port.downs == 1
        port.present.set()
        assert wait_for(lambda: port.state is DeviceState.ONLINE and port.counters["reconnects"] == 1)
    finally:
        port.stop.set()
        thread.join(2)
    assert not thread.is_alive() and port.downs == 2


def test_a_scanner_unplugged_and_plugged_back_reconnects_through_the_shared_loop():
    from devices.qr.scanner import for_url

    scanner = for_url("sim://", reconnect_s=0.05, reconnect_max_s=0.2)
    with scanner:
        assert scanner.state is DeviceState.ONLINE
        scanner.simulator.unplug()
        assert wait_for(lambda: scanner.state is DeviceState.OFFLINE)
        scanner.simulator.replug()
        assert wait_for(lambda: scanner.state is DeviceState.ONLINE and scanner.counters["reconnects"] == 1)
        scanner.simulator.scan("back again")
        assert scanner.read(3).text == "back again"
    scanner.simulator.close()
