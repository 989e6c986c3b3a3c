"""The real driver (pyserial on a pty, or socket://) against the SAM simulator: cards and faults."""

from __future__ import annotations

import queue
import time

import pytest

from devices.base import DeviceOffline, DeviceState, DeviceTimeout, HealthLevel
from devices.idcard import CardEvent, IdCard, IdCardReader, for_url
from devices.idcard.errors import (AuthenticationFailed, CardRemoved, ChecksumMismatch, FrameError, SamFault,
                                   TruncatedFrame)
from devices.idcard.samples import SAMPLE_CARDS
from devices.idcard.simulator import SamSimulator
from devices.registry import open_device

pytestmark = pytest.mark.timeout(20)


@pytest.fixture()
def reader():
    dev = for_url("sim://", timeout_s=0.6, retries=2)
    dev.open()
    yield dev
    dev.close()


@pytest.mark.parametrize("key", ["zhang", "li", "chen", "smith", "tanaka", "wong", "minor", "expired"])
def test_every_card_type_reads_through_the_real_driver(reader, key):
    reader.simulator.place(key)
    card = reader.read_card()
    expected = SAMPLE_CARDS[key]
    assert isinstance(card, IdCard) and card.source == "idcard"
    assert card.to_json_dict() == expected.to_json_dict()
    assert card.photo == expected.photo and card.fingerprint is None  # plain read: no fingerprint
    assert reader.counters["cards_read"] == 1 and reader.state is DeviceState.ONLINE


def test_no_card_is_none_not_an_error(reader):
    assert reader.read_card() is None
    assert reader.state is DeviceState.ONLINE and reader.counters["read_errors"] == 0
    assert reader.counters["no_card"] == 1


def test_cards_change_at_runtime(reader):
    sim = reader.simulator
    sim.place("zhang")
    assert reader.read_card().name == "张伟明"
    sim.remove()
    assert reader.read_card() is None
    sim.place(SAMPLE_CARDS["li"])
    assert reader.read_card().name == "李秀英"


def test_fingerprint_read(reader):
    reader.read_fingerprint = True
    reader.simulator.place("zhang")
    card = reader.read_card()
    assert card.fingerprint == SAMPLE_CARDS["zhang"].fingerprint and len(card.fingerprint) == 1024
    reader.simulator.place("chen")
    assert reader.read_card().fingerprint is None  # this card carries none (length 0)


def test_card_already_read_that_stops_answering_find_is_still_read():
    dev = for_url("sim://?card=li&quirk=1", timeout_s=0.6)
    with dev:
        assert dev.read_card().name == "李秀英"
        assert dev.find_card() is False  # as on real readers until the card is lifted
        assert dev.read_card().name == "李秀英"  # select still reaches it
        assert dev.card_present()


@pytest.mark.parametrize("fault, params", [
    ("corrupt_checksum", {}),
    ("truncated", {"on": "read"}),
    ("truncated", {"on": "find"}),
    ("garbage", {}),
    ("garbage", {"on": "read", "size": 300}),
    ("garbage_after", {"on": "find"}),
    ("no_answer", {"on": "select"}),
    ("slow", {"on": "read", "delay_s": 0.3}),
    ("no_card", {"on": "read"}),
])
def test_reader_recovers_from_a_transient_fault(reader, fault, params):
    reader.simulator.place("zhang")
    reader.simulator.inject(fault, **params)
    card = reader.read_card()
    assert card is not None and card.name == "张伟明"
    assert not reader.simulator.pending_faults
    assert reader.state is DeviceState.ONLINE
    if fault in ("corrupt_checksum", "truncated", "no_answer"):
        assert reader.counters["retries"] >= 1
    if fault == "garbage":
        assert reader.counters["resyncs"] >= 1


def test_persistent_checksum_errors_give_a_typed_error_after_bounded_retries(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("corrupt_checksum", count=10, on="read")
    with pytest.raises(ChecksumMismatch) as info:
        reader.read_card()
    assert isinstance(info.value, FrameError) and info.value.message_zh
    assert reader.counters["retries"] == 2 and reader.counters["read_errors"] == 1
    assert reader.state is DeviceState.HARDWARE_ERROR
    reader.simulator.clear_faults()
    assert reader.read_card() is not None and reader.state is DeviceState.ONLINE


def test_persistent_truncation_is_a_truncated_frame_error(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("truncated", count=10, on="read")
    started = time.monotonic()
    with pytest.raises(TruncatedFrame):
        reader.read_card()
    assert time.monotonic() - started < 3 * 0.6 + 1  # bounded: the inter-byte gap, not the full timeout


def test_a_card_slower_than_the_timeout_is_a_timeout_within_bounds(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("slow", count=10, on="read", delay_s=8.0)
    started = time.monotonic()
    with pytest.raises(DeviceTimeout) as info:
        reader.read_card()
    elapsed = time.monotonic() - started
    per_attempt = 0.6 + reader.wire_time(1305) + 0.05
    assert elapsed < 3 * per_attempt + 1.0, elapsed
    assert "no answer" in info.value.message_en and info.value.message_zh
    assert reader.state is DeviceState.OFFLINE  # a timeout is "unknown", reported as not answering
    reader.simulator.clear_faults()  # the queued reads are answered late, all at once
    assert reader.read_card().name == "张伟明"  # stale answers are dropped, not taken for the find's


def test_a_late_answer_within_the_retries_is_used(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("slow", on="read", delay_s=0.9)
    assert reader.read_card().name == "张伟明"
    assert reader.counters["retries"] >= 1


def test_card_removed_mid_read_is_a_user_error(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("removed_mid_read")
    with pytest.raises(CardRemoved) as info:
        reader.read_card()
    assert reader.state is DeviceState.USER_ERROR and "移开" in info.value.message_zh
    reader.simulator.place("zhang")
    assert reader.read_card() is not None and reader.state is DeviceState.ONLINE


def test_status_words_become_typed_errors(reader):
    reader.simulator.place("zhang")
    reader.simulator.inject("status", on="read", sw3=0x32)
    with pytest.raises(AuthenticationFailed) as info:
        reader.read_card()
    assert info.value.sw3 == 0x32 and info.value.message_zh
    reader.simulator.inject("status", on="sam_status", sw3=0x60)
    report = reader.health(HealthLevel.EXTERNAL)
    assert not report.ok and reader.state is DeviceState.HARDWARE_ERROR
    with pytest.raises(SamFault):
        reader.simulator.inject("status", on="sam_status", sw3=0x66)
        reader.sam_status()


def test_unplugged_mid_frame_goes_offline_then_reconnects(reader):
    sim = reader.simulator
    sim.place("zhang")
    sim.inject("unplug", on="read")
    with pytest.raises(DeviceOffline):
        reader.read_card()
    assert reader.state is DeviceState.OFFLINE
    with pytest.raises(DeviceOffline):  # still unplugged: a fast, typed failure
        reader.read_card()
    assert not reader.health(HealthLevel.INTERNAL).ok
    sim.replug()
    card = reader.read_card()
    assert card is not None and reader.state is DeviceState.ONLINE and reader.counters["reconnects"] == 1


def test_health_levels(reader):
    assert reader.health(HealthLevel.INTERNAL).ok
    ext = reader.health(HealthLevel.EXTERNAL)
    assert ext.ok and reader.info["sam_id"] == "05.01-20231108-0000441702-1234567890"
    assert ext.details["sam_id"] == reader.info["sam_id"]
    reader.interactive_timeout_s = 0.5
    assert not reader.health(HealthLevel.INTERACTIVE).ok
    reader.simulator.place("wong")
    inter = reader.health(HealthLevel.INTERACTIVE)
    assert inter.ok and inter.details["name"] == "黄**"
    assert "黄嘉欣" not in str(inter.to_dict())


def test_appended_address_and_reset(reader):
    sim = reader.simulator
    sim.place("zhang")
    assert reader.read_card() is not None
    assert reader.read_appended_address() is None
    sim.place("zhang", appended_address="广东省阳江市江城区新港路5号")
    reader.read_card()
    assert reader.read_appended_address() == "广东省阳江市江城区新港路5号"
    reader.reset_sam()


def test_polling_reports_placed_and_removed(reader):
    events: queue.Queue[CardEvent] = queue.Queue()
    reader.add_listener(events.put)
    reader.start_polling(interval_s=0.05)
    try:
        reader.simulator.place("li")
        ev = events.get(timeout=3)
        assert ev.kind == "placed" and ev.card.name == "李秀英"
        reader.simulator.remove()
        assert events.get(timeout=3).kind == "removed"
        reader.simulator.place("chen")
        ev = events.get(timeout=3)
        assert ev.kind == "placed" and ev.card.valid_to == "长期"
        # the kiosk may read while the loop runs: the line is shared safely
        assert reader.read_card().name == "陈国强"
    finally:
        reader.stop_polling()


def test_socket_url_reaches_the_same_simulator():
    sim = SamSimulator(card="smith", tcp_port=0)
    try:
        dev = IdCardReader(sim.tcp_url, timeout_s=0.6)
        with dev:
            card = dev.read_card()
            assert card.name_en.startswith("SMITH") and card.nationality == "CAN"
            sim.inject("corrupt_checksum")
            sim.inject("garbage")
            assert dev.read_card().card_type == "foreign_permanent"
    finally:
        sim.close()


@pytest.mark.parametrize("baud", [9600, 115200])
def test_spy_url_and_other_baud_rates(baud):
    sim = SamSimulator(baud=baud, card="zhang")
    try:
        dev = IdCardReader(f"spy://{sim.port}?file=/dev/null", baud=baud, timeout_s=0.6)
        with dev:
            started = time.monotonic()
            assert dev.read_card().name == "张伟明"
            assert time.monotonic() - started >= 1359 * 10 / baud * 0.95  # paced like the wire
    finally:
        sim.close()


def test_a_missing_port_is_offline_with_a_typed_error():
    dev = for_url("/dev/does-not-exist-idcard", timeout_s=0.3)
    with pytest.raises(DeviceOffline) as info:
        dev.open()
    assert info.value.message_zh
    assert dev.state in (DeviceState.CLOSED, DeviceState.OFFLINE)
    report = dev.health(HealthLevel.INTERNAL)
    assert not report.ok


def test_registry_builds_the_reader():
    dev = open_device("idcard", "sim://?card=zhang", timeout_s=0.6, baud=115200, required=True)
    with dev:
        assert isinstance(dev, IdCardReader) and dev.read_card().name == "张伟明"


def test_reading_remembers_personal_strings_for_the_log_redactor(reader):
    from service.contract.privacy import REDACTOR, mask_text

    REDACTOR.forget_all()
    reader.simulator.place("li")
    card = reader.read_card()
    line = mask_text(f"applicant {card.name} lives at {card.address}")
    assert card.name not in line and card.address not in line
    REDACTOR.forget_all()


def test_polling_survives_an_unplug_and_sees_cards_after_replug(reader):
    events: queue.Queue[CardEvent] = queue.Queue()
    reader.add_listener(events.put)
    reader.start_polling(interval_s=0.05)
    try:
        reader.simulator.unplug()
        ev = events.get(timeout=5)
        assert ev.kind == "error" and isinstance(ev.error, DeviceOffline)
        reader.simulator.place("zhang")
        reader.simulator.replug()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            ev = events.get(timeout=8)
            if ev.kind == "placed":
                break
        assert ev.kind == "placed" and ev.card.name == "张伟明"
        assert reader.state is DeviceState.ONLINE
    finally:
        reader.stop_polling()


def test_photo_decoder_hook_loads_a_library_through_ctypes(reader, tmp_path, monkeypatch):
    import shutil
    import subprocess

    reader.simulator.place("zhang")
    card = reader.read_card()
    monkeypatch.delenv("YZT_WLT_LIBRARY", raising=False)
    assert reader.decode_photo(card) is None  # nothing configured: raw bytes only, no error
    if shutil.which("cc") is None:
        pytest.skip("no C compiler to build a stand-in decoder library")
    src = tmp_path / "wlt.c"
    src.write_text("""
        #include <string.h>
        int unpack(char *src, char *dst, int flag) {
            if (flag != 602 || src[0] != 'W') return -1;
            memset(dst, 0, 38862); dst[0] = 'B'; dst[1] = 'M';
            dst[2] = (char)(38862 & 0xff); dst[3] = (char)(38862 >> 8);
            dst[54] = src[4];  /* shows the photo bytes reached the library */
            return 1;
        }""")
    lib = tmp_path / "libwlt.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True, timeout=60)
    decoding = IdCardReader("unused", wlt_library=str(lib))
    bmp = decoding.decode_photo(card)
    assert bmp is not None and bmp[:2] == b"BM" and len(bmp) == 38862 and bmp[54] == card.photo[4]
    broken = IdCardReader("unused", wlt_library=str(tmp_path / "missing.so"))
    assert broken.decode_photo(card) is None  # a wrong path is logged, never raised
