"""De-duplication and the decoding worker, driven by the real simulated camera."""

from __future__ import annotations

import threading
import time

from devices.camera import for_url
from devices.qr import Deduper, QrCode, QrReader

UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_deduper_passes_once_until_the_code_has_been_away():
    clock = FakeClock()
    d = Deduper(3.0, clock)
    assert d.accept("a") and not d.accept("a") and d.accept("b")
    for _ in range(10):  # held in front of the camera for 10 s: still once
        clock.now += 1.0
        assert not d.accept("a")
    clock.now += 3.5  # taken away for longer than the window, shown again
    assert d.accept("a")
    d.reset()
    assert d.accept("a")


def _code(text: str) -> QrCode:
    return QrCode(source="t", at=time.time(), text=text, decoder="test")


def test_queue_is_bounded_and_keeps_the_newest():
    reader = QrReader(queue_size=2, dedupe_s=100)
    for i in range(5):
        reader.submit(_code(f"c{i}"))
    assert [reader.get(0).text, reader.get(0).text] == ["c3", "c4"] and reader.get(0.01) is None
    assert reader.counters["dropped"] == 3


def test_a_failing_callback_does_not_stop_delivery():
    def boom(code):
        raise RuntimeError("consumer bug")

    reader = QrReader(on_code=boom)
    assert reader.submit(_code("x")) and reader.counters["callback_errors"] == 1
    assert reader.get(0).text == "x"


def test_reader_delivers_a_shown_code_once_from_the_camera_thread():
    camera = for_url("sim://", fps=30)
    got: list[tuple[QrCode, str]] = []
    arrived = threading.Event()

    def on_code(code: QrCode) -> None:
        got.append((code, threading.current_thread().name))
        arrived.set()

    with camera:
        reader = QrReader(camera, on_code=on_code, dedupe_s=30, rate_hz=20).start()
        try:
            time.sleep(0.3)
            assert got == []  # the empty hall
            camera.simulator.show_text(f"YZTP1:{UUID}")
            assert arrived.wait(5)
            frames_at_first = reader.counters["frames"]
            deadline = time.monotonic() + 5
            while reader.counters["frames"] < frames_at_first + 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert reader.counters["frames"] >= frames_at_first + 10  # kept decoding the same code…
            assert len(got) == 1 and reader.counters["duplicates"] >= 5  # …and delivered it once
            code, thread = got[0]
            assert code.text == f"YZTP1:{UUID}" and code.source == "camera" and thread == "qr-reader"
            assert reader.get(1).text == code.text and 0 < reader.median_decode_ms() < 200
        finally:
            reader.stop()
    camera.simulator.cleanup()


def test_reader_survives_the_camera_going_away():
    camera = for_url("sim://", fps=30, reconnect_s=0.1, reconnect_max_s=0.2)
    with camera:
        reader = QrReader(camera, dedupe_s=0.2).start()
        try:
            camera.simulator.unplug()
            deadline = time.monotonic() + 5
            while reader.counters["camera_offline"] == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert reader.counters["camera_offline"] > 0 and "offline" in reader.last_error
            camera.simulator.replug()
            camera.simulator.show_text("back again")
            assert reader.get(timeout=8).text == "back again"
        finally:
            reader.stop()
    camera.simulator.cleanup()
