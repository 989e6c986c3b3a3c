"""The SAM ID card reader driver: real pyserial, any port URL, bounded waits, typed outcomes.

``read_card()`` does find → select → read and returns an :class:`IdCard`, ``None`` when no card is
on the reader, or raises a typed :class:`~devices.base.DeviceError`. Transport faults (a corrupt
checksum, a frame cut short, garbage on the line, the reader reporting our frame as damaged, no
answer in time) are retried a bounded number of times; status words the card or SAM gives are
not. Every wait is bounded: the vendor timeout of the command plus the answer's wire time.
When the port fails (cable pulled) the device turns OFFLINE and the next call reopens it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import serial

from devices.base import Device, DeviceError, DeviceOffline, DeviceState, DeviceTimeout, HealthLevel
from devices.delivery import Listeners
from devices.idcard.card import IdCard, decode_address, parse_text
from devices.idcard.errors import (
    CardRemoved,
    ChecksumMismatch,
    FrameError,
    IdCardError,
    MalformedAnswer,
    NoCard,
    NoSuchItem,
    TruncatedFrame,
    status_error,
)
from devices.idcard.protocol import COMMANDS, SW_FOUND, SW_OK, Answer, FrameDecoder, command, sam_id_text
from devices.reconnect import Backoff

log = logging.getLogger(__name__)

ANSWER_BYTES = {"read": 1295, "read_fp": 2321, "sam_id": 28, "address": 82}  # largest answers, for wire time


@dataclass(frozen=True)
class CardEvent:
    """What the polling loop tells listeners: ``placed`` (with the card), ``removed`` or ``error``."""

    kind: str
    card: IdCard | None = None
    error: DeviceError | None = None
    at: float = 0.0


def _fits(name: str, ans: Answer) -> bool:
    """Whether ``ans`` can be the answer to ``name`` (answers carry no command tag; sizes tell)."""
    if name in ("read", "read_fp"):
        return ans.sw3 != SW_OK or len(ans.data) >= 4
    if name == "find":
        return ans.sw3 != SW_OK and len(ans.data) <= 8
    if name == "select":
        return ans.sw3 != SW_FOUND and len(ans.data) <= 16
    return len(ans.data) <= 128


class IdCardReader(Device):
    """A SAM serial ID card reader (see the module docstring)."""

    kind = "idcard"

    def __init__(self, url: str, name: str | None = None, required: bool = True, baud: int = 115200,
                 timeout_s: float = 3.5, port: str | Callable[[], str] | None = None, retries: int = 2,
                 gap_s: float | None = None, read_fingerprint: bool = False, wlt_library: str | None = None,
                 interactive_timeout_s: float = 15.0, remember_personal: bool = True) -> None:
        super().__init__(url, name, required)
        self.baud = int(baud)
        self.timeout_s = float(timeout_s)
        self._port = port if port is not None else url
        self.retries = max(0, int(retries))
        # silence inside a started frame that means "the rest is not coming"
        self.gap_s = gap_s if gap_s is not None else max(0.2, 200 * 10 / self.baud)
        self.read_fingerprint = read_fingerprint
        self.wlt_library = wlt_library
        self.interactive_timeout_s = interactive_timeout_s
        self.remember_personal = remember_personal
        self.simulator: Any = None  # a SamSimulator when built from sim://
        self._owns_simulator = False
        self._serial: serial.SerialBase | None = None
        self._io = threading.RLock()  # one exchange at a time on the line
        self._lost = False
        self.listeners: Listeners[CardEvent] = Listeners(f"ID card reader {self.name}", self.counters)
        self._poll_stop = threading.Event()
        self._poll_thread: threading.Thread | None = None
        self._decoder_wlt: Any = None
        for key in ("cards_read", "read_errors", "retries", "resyncs", "no_card", "reconnects", "errors"):
            self.counters[key] = 0

    @property
    def port(self) -> str:
        return self._port() if callable(self._port) else self._port

    # -- lifecycle -------------------------------------------------------------------------------
    def _open(self) -> None:
        sim = self.simulator if self._owns_simulator else None
        if sim is not None and not sim.plugged and not sim.held_unplugged:
            sim.replug()
        self._connect()
        self._set_state(DeviceState.ONLINE)
        try:  # identify the SAM once, for the maintenance table; a reader that does not answer yet still opens
            self.sam_id()
        except DeviceError as exc:
            log.info("ID card reader %s did not tell its SAM ID on open: %s", self.name, exc)

    def _close(self) -> None:
        self.stop_polling()
        with self._io:
            self._disconnect()
        if self._owns_simulator and self.simulator is not None:
            self.simulator.close()

    def _connect(self) -> serial.SerialBase:
        try:
            ser = serial.serial_for_url(self.port, baudrate=self.baud, bytesize=8, parity="N", stopbits=1,
                                        timeout=0.02, write_timeout=1.0)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceOffline(f"ID card reader at {self.port}: {exc}", "身份证读卡器未连接，请联系工作人员。") from exc
        if self._lost:
            self.counters["reconnects"] += 1
            log.info("ID card reader %s reconnected at %s", self.name, self.port)
        self._lost = False
        self._serial = ser
        return ser

    def _disconnect(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            try:
                ser.close()
            except Exception as exc:  # noqa: BLE001 - the port may already be gone
                log.debug("ID card reader %s: closing the port: %s", self.name, exc)

    def _line(self) -> serial.SerialBase:
        """The open port, reopening it after a loss (raises DeviceOffline when it is still gone)."""
        if self.state is DeviceState.CLOSED:
            raise DeviceOffline("ID card reader is closed", "身份证读卡器未启用，请联系工作人员。")
        if self._serial is None:
            try:
                self._connect()
            except DeviceOffline as exc:
                self.record_error(exc)
                raise
            self._set_state(DeviceState.ONLINE)
        return self._serial

    def _lose(self, exc: BaseException) -> DeviceOffline:
        self._disconnect()
        self._lost = True
        err = DeviceOffline(f"ID card reader at {self.port} lost: {exc}", "身份证读卡器连接中断，请联系工作人员。")
        self.record_error(err)
        log.warning("%s", err.message_en)
        return err

    # -- one exchange ----------------------------------------------------------------------------
    def wire_time(self, nbytes: int) -> float:
        """Seconds ``nbytes`` take on an 8N1 line at this baud rate."""
        return nbytes * 10 / self.baud

    def _timeout_for(self, name: str) -> float:
        vendor = COMMANDS[name][2]
        wait = self.timeout_s if name in ("read", "read_fp") else min(vendor, self.timeout_s)
        return wait + self.wire_time(10 + ANSWER_BYTES.get(name, 30)) + 0.05

    def transact(self, name: str, data: bytes = b"", timeout: float | None = None) -> Answer:
        """Send command ``name`` and return its answer, whatever its status word.

        Transport faults are retried ``retries`` times; then the last one is raised (a
        :class:`FrameError`, :class:`CommandRejected` or :class:`DeviceTimeout`).
        """
        cmd = command(name, data).encode()
        wait = timeout if timeout is not None else self._timeout_for(name)
        with self._io:
            last: DeviceError | None = None
            for attempt in range(1 + self.retries):
                if attempt:
                    self.counters["retries"] += 1
                ser = self._line()
                try:
                    ans = self._exchange(ser, cmd, wait, name)
                except (FrameError, DeviceTimeout) as exc:
                    log.info("ID card reader %s: %s (attempt %d)", self.name, exc.message_en, attempt + 1)
                    last = exc
                    self._settle(ser)
                    continue
                except (serial.SerialException, OSError) as exc:
                    raise self._lose(exc) from exc
                if ans.sw3 in (0x10, 0x11):  # the reader got our frame damaged
                    last = status_error(ans.sw3, name)
                    continue
                return ans
            assert last is not None
            raise last

    def _exchange(self, ser: serial.SerialBase, frame: bytes, wait: float, name: str) -> Answer:
        stale = ser.in_waiting
        if stale:
            ser.reset_input_buffer()
            self.counters["resyncs"] += 1
        decoder = FrameDecoder("answer")
        ser.write(frame)
        started = time.monotonic()
        deadline = started + wait
        last_byte = started
        discarded = 0
        while True:
            data = ser.read(max(1, ser.in_waiting))
            now = time.monotonic()
            if data:
                last_byte = now
                for item in decoder.feed(data):
                    if isinstance(item, Answer):
                        self._count_resync(decoder, discarded)
                        if not _fits(name, item):  # a late answer to an earlier command
                            log.info("ID card reader %s: dropped a stale %r while waiting for %s",
                                     self.name, item, name)
                            self.counters["resyncs"] += 1
                            continue
                        return item
                    if isinstance(item, ChecksumMismatch):
                        self._count_resync(decoder, discarded)
                        raise item
                    # a bogus header in garbage: the decoder already skipped it
                if decoder.discarded > discarded:
                    self._count_resync(decoder, discarded)
                    discarded = decoder.discarded
            elif decoder.in_frame() and now - last_byte > self.gap_s:
                raise TruncatedFrame(decoder.pending, decoder.pending + decoder.needed())
            if now >= deadline:
                if decoder.in_frame():
                    raise TruncatedFrame(decoder.pending, decoder.pending + decoder.needed())
                raise DeviceTimeout(f"no answer to {name} in {wait:.2f} s", "身份证读卡器无响应，请联系工作人员。")

    def _count_resync(self, decoder: FrameDecoder, before: int) -> None:
        if decoder.discarded > before:
            self.counters["resyncs"] += 1

    def _settle(self, ser: serial.SerialBase) -> None:
        """Let the rest of a bad answer arrive and drop it, so the retry starts on a quiet line."""
        quiet = max(0.02, self.wire_time(20))
        end = time.monotonic() + 0.3
        last = time.monotonic()
        try:
            while time.monotonic() < end:
                if ser.read(max(1, ser.in_waiting)):
                    last = time.monotonic()
                elif time.monotonic() - last > quiet:
                    return
        except (serial.SerialException, OSError):
            pass  # the next attempt reports the loss

    def _ok(self) -> None:
        if self.state not in (DeviceState.CLOSED, DeviceState.ONLINE):
            self._set_state(DeviceState.ONLINE)

    # -- commands --------------------------------------------------------------------------------
    def _expect(self, name: str, ok: int = SW_OK, data: bytes = b"") -> Answer:
        ans = self.transact(name, data)
        if ans.sw3 != ok:
            raise status_error(ans.sw3, name)
        return ans

    def find_card(self) -> bool:
        """True when the reader finds a card (SW3 9F), False for no card (80)."""
        ans = self.transact("find")
        if ans.sw3 == SW_FOUND:
            return True
        if ans.sw3 == 0x80:
            return False
        raise status_error(ans.sw3, "find")

    def select_card(self) -> bool:
        ans = self.transact("select")
        if ans.sw3 == SW_OK:
            return True
        if ans.sw3 in (0x80, 0x81):
            return False
        raise status_error(ans.sw3, "select")

    def card_present(self) -> bool:
        """Find, and select when find says no: a card read once often stops answering find."""
        with self._io:
            return self.find_card() or self.select_card()

    def reset_sam(self) -> None:
        self._expect("reset")

    def sam_status(self) -> bool:
        self._expect("sam_status")
        return True

    def sam_id(self) -> str:
        ans = self._expect("sam_id")
        try:
            text = sam_id_text(ans.data)
        except ValueError:
            raise MalformedAnswer(f"SAM ID answer of {len(ans.data)} bytes") from None
        self.info["sam_id"] = text
        return text

    def read_appended_address(self) -> str | None:
        """The address written on the card after issue (新住址), or None when it has none."""
        with self._io:
            try:
                return decode_address(self._expect("address").data)
            except NoSuchItem:
                return None

    def read_card(self) -> IdCard | None:
        """Find, select and read the card on the reader; None when there is none (see module doc)."""
        with self._io:
            try:
                card = self._read_card()
            except NoCard:
                self.counters["no_card"] += 1
                self._ok()
                return None
            except DeviceError as exc:
                self.counters["read_errors"] += 1
                if not isinstance(exc, DeviceOffline):  # _lose already recorded it
                    self.record_error(exc)
                raise
        self.counters["cards_read"] += 1
        self._ok()
        if self.remember_personal:
            from service.contract.privacy import REDACTOR

            for value, kind in ((card.name, "name"), (card.id_number, "id"), (card.name_en, "name"),
                                (card.address, "name"), (card.pass_number, "id")):
                REDACTOR.remember(value, kind)
        log.info("ID card reader %s: read %r", self.name, card)
        return card

    def _read_card(self, second_chance: bool = True) -> IdCard:
        found = self.find_card()
        if not self.select_card():  # tried even when find says no: a card read once may not answer find
            raise NoCard("card left between find and select" if found else "no card on the reader")
        name = "read_fp" if self.read_fingerprint else "read"
        ans = self.transact(name)
        if ans.sw3 == SW_OK:
            return self._parse(ans, name)
        if ans.sw3 in (0x41, 0x47, 0x80, 0x81):  # the card may have been lifted
            try:
                present = self.card_present()
            except IdCardError:
                present = False
            if not present:
                raise CardRemoved()
            if second_chance:
                self.counters["retries"] += 1
                return self._read_card(second_chance=False)
        raise status_error(ans.sw3, name)

    def _parse(self, ans: Answer, name: str) -> IdCard:
        data = ans.data
        nlen = 3 if name == "read_fp" else 2
        if len(data) < 2 * nlen:
            raise MalformedAnswer(f"{name} answer has {len(data)} data bytes")
        lengths = [int.from_bytes(data[2 * i:2 * i + 2], "big") for i in range(nlen)]
        body = data[2 * nlen:]
        if sum(lengths) != len(body) or lengths[0] != 256:
            raise MalformedAnswer(f"{name} answer lengths {lengths} do not match {len(body)} bytes")
        text, photo = body[:lengths[0]], body[lengths[0]:lengths[0] + lengths[1]]
        fingerprint = body[lengths[0] + lengths[1]:] if nlen == 3 else None
        return parse_text(text, photo, fingerprint or None, source=self.name)

    def decode_photo(self, card: IdCard) -> bytes | None:
        """The card photo as BMP through the vendor WLT library, when one is configured."""
        if self._decoder_wlt is None:
            from devices.idcard.wlt import load_decoder

            self._decoder_wlt = load_decoder(self.wlt_library) or False
        return self._decoder_wlt.decode(card.photo) if self._decoder_wlt else None

    # -- polling ---------------------------------------------------------------------------------
    def add_listener(self, fn: Callable[[CardEvent], Any]) -> None:
        """Call ``fn(event)`` (on the polling thread) when a card is placed or removed."""
        self.listeners.add(fn)

    def remove_listener(self, fn: Callable[[CardEvent], Any]) -> None:
        self.listeners.remove(fn)

    def start_polling(self, interval_s: float = 0.3) -> None:
        """Watch the reader in a thread: ``placed`` (with the card read) and ``removed`` events."""
        if self._poll_thread is not None and self._poll_thread.is_alive():
            return
        self._poll_stop.clear()
        self._poll_thread = threading.Thread(target=self._poll, args=(interval_s,),
                                             name=f"idcard-{self.name}",
                                             daemon=True)
        self._poll_thread.start()

    def stop_polling(self) -> None:
        self._poll_stop.set()
        thread, self._poll_thread = self._poll_thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.timeout_s * (2 + self.retries) + 2)

    def _poll(self, interval_s: float) -> None:
        present = False
        backoff = Backoff(max(interval_s, 0.05), max(interval_s, 5.0))
        while not self._poll_stop.is_set():
            wait = interval_s
            try:
                if present:
                    if not self.card_present():
                        present = False
                        self.listeners.emit(CardEvent("removed", at=time.time()))
                else:
                    card = self.read_card()
                    if card is not None:
                        present = True
                        self.listeners.emit(CardEvent("placed", card=card, at=time.time()))
                backoff.reset()
            except DeviceOffline as exc:  # unplugged: ask again less and less often, up to every 5 s
                self.listeners.emit(CardEvent("error", error=exc, at=time.time()))
                wait = backoff.next()
            except DeviceError as exc:
                self.listeners.emit(CardEvent("error", error=exc, at=time.time()))
            self._poll_stop.wait(wait)

    # -- health ----------------------------------------------------------------------------------
    def _check(self, level: HealthLevel) -> tuple[bool, str, str, dict[str, Any]]:
        details: dict[str, Any] = {"port": self.port, "baud": self.baud}
        if self.state is DeviceState.CLOSED:
            return False, "closed", "身份证读卡器未启用。", details
        with self._io:
            self._line()
            if level is HealthLevel.INTERNAL:
                return True, "port open", "身份证读卡器已连接", details
            self.sam_status()
            sam = self.sam_id()
            self._ok()
            details["sam_id"] = sam
            if level is HealthLevel.EXTERNAL:
                return True, f"SAM ready, ID {sam}", "身份证读卡器安全模块正常", details
        deadline = time.monotonic() + self.interactive_timeout_s
        while time.monotonic() < deadline:
            card = self.read_card()
            if card is not None:
                from service.contract.privacy import mask_name

                details.update(card_type=card.card_type, name=mask_name(card.name))
                return True, f"a {card.card_type} card was read", "身份证读卡正常", details
            time.sleep(0.2)
        return False, f"no card in {self.interactive_timeout_s:g} s", "未检测到证件，请将身份证放在读卡区。", details
