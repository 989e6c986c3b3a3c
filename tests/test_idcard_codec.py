"""The SAM frame codec: encoding, streaming decoding, resynchronisation, and property tests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.idcard.errors import BadLength, ChecksumMismatch, FrameError, TruncatedFrame
from devices.idcard.protocol import (PREAMBLE, Answer, Command, FrameDecoder, answer, command, decode_one,
                                     encode_frame, sam_id_bytes, sam_id_text, xor)

pytestmark = pytest.mark.timeout(60)


def test_find_command_bytes_match_the_protocol():
    # AA AA AA 96 69 | 00 03 | 20 01 | 22  (CHK = 00^03^20^01)
    assert command("find").encode() == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert command("read").encode() == bytes.fromhex("AAAAAA9669 0003 3001 32")
    assert command("sam_id").encode() == bytes.fromhex("AAAAAA9669 0003 12FF EE")


def test_answer_layout_and_length_counts_the_checksum():
    frame = answer(0x9F, b"\x00\x00\x00\x00").encode()
    assert frame[:5] == PREAMBLE
    assert int.from_bytes(frame[5:7], "big") == len(frame) - 7 == 3 + 4 + 1
    assert frame[-1] == xor(frame[5:-1])
    assert decode_one(frame) == Answer(0, 0, 0x9F, b"\x00\x00\x00\x00")


def test_read_answer_is_1295_bytes():
    data = b"\x01\x00\x04\x00" + bytes(256) + bytes(1024)
    assert len(answer(0x90, data).encode()) == 1295


def test_command_decoder_gives_commands():
    dec = FrameDecoder("command")
    assert dec.feed(command("select").encode()) == [Command(0x20, 0x02)]
    assert dec.feed(command("select").encode())[0].name == "select"


def test_frames_split_across_feeds_are_reassembled():
    frame = answer(0x90, bytes(range(200))).encode()
    dec = FrameDecoder()
    out = []
    for i in range(0, len(frame), 7):
        out += dec.feed(frame[i:i + 7])
    assert out == [Answer(0, 0, 0x90, bytes(range(200)))]
    assert dec.pending == 0 and dec.discarded == 0


def test_garbage_before_a_frame_is_skipped_and_counted():
    frame = answer(0x90).encode()
    dec = FrameDecoder()
    assert dec.feed(b"\x01\x02\xaa\xaa\xaa\x96\x55" + frame) == [Answer(0, 0, 0x90)]
    assert dec.discarded == 7


def test_corrupt_checksum_is_reported_and_the_next_frame_still_read():
    bad = bytearray(answer(0x90, b"abc").encode())
    bad[-1] ^= 0xFF
    good = answer(0x9F).encode()
    out = FrameDecoder().feed(bytes(bad) + good)
    assert isinstance(out[0], ChecksumMismatch) and out[-1] == Answer(0, 0, 0x9F)


def test_bogus_long_header_does_not_swallow_a_following_frame():
    # a preamble in noise claiming 1000 bytes, then a short valid answer: the answer wins at once
    bogus = PREAMBLE + (1000).to_bytes(2, "big") + b"\x00\x00"
    good = answer(0x90, b"xy").encode()
    assert FrameDecoder().feed(bogus + good) == [Answer(0, 0, 0x90, b"xy")]


def test_bad_length_is_reported():
    out = FrameDecoder().feed(PREAMBLE + b"\xff\xff" + answer(0x80).encode())
    assert isinstance(out[0], BadLength) and out[-1] == Answer(0, 0, 0x80)


def test_decode_one_raises_typed_errors():
    with pytest.raises(TruncatedFrame):
        decode_one(answer(0x90, b"12345").encode()[:-3])
    bad = bytearray(answer(0x90).encode())
    bad[-1] ^= 1
    with pytest.raises(ChecksumMismatch) as info:
        decode_one(bytes(bad))
    assert info.value.message_zh and "checksum" in info.value.message_en


def test_sam_id_round_trip():
    text = "05.01-20231108-0000441702-1234567890"
    assert sam_id_text(sam_id_bytes(text)) == text


# -- properties -------------------------------------------------------------------------------------
answers = st.builds(lambda sw3, data: answer(sw3, data), st.integers(0, 255), st.binary(max_size=300))
# noise that never holds a whole preamble (it may end with part of one: the hard case)
noise = st.binary(max_size=200).filter(lambda b: PREAMBLE not in b)
partial_preamble = st.sampled_from([b"", b"\xaa", b"\xaa\xaa", b"\xaa\xaa\xaa", b"\xaa\xaa\xaa\x96",
                                    PREAMBLE, PREAMBLE + b"\x00", PREAMBLE + b"\x05\x00",
                                    PREAMBLE + b"\xff\xff",
                                    PREAMBLE + b"\x00\x09\x00", PREAMBLE + b"\x00\x09\x00\x00"])
# a whole plausible header in the noise (sane length, SW1 SW2 = 00 00): its bytes run into the real frame
plausible_header = st.builds(lambda n, sw3: PREAMBLE + n.to_bytes(2, "big") + b"\x00\x00" + bytes((sw3,)),
                             st.integers(4, 40), st.integers(0, 255))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.integers(1, 64))
def test_random_bytes_never_raise_and_only_yield_typed_items(data, step):
    dec = FrameDecoder()
    for i in range(0, len(data), step):
        for item in dec.feed(data[i:i + step]):
            assert isinstance(item, (Answer, FrameError))
    assert dec.pending <= len(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noise, partial_preamble, answers, st.integers(1, 97))
def test_a_valid_frame_after_garbage_is_never_lost(garbage, tail, ans, step):
    stream = garbage + tail + ans.encode()
    dec = FrameDecoder()
    got = []
    for i in range(0, len(stream), step):
        got += [x for x in dec.feed(stream[i:i + step]) if isinstance(x, Answer)]
    assert got and got[-1] == ans


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(noise, plausible_header, answers)
def test_a_frame_after_a_plausible_header_in_noise_is_not_lost_when_both_are_buffered(garbage, header, ans):
    got = [x for x in FrameDecoder().feed(garbage + header + ans.encode()) if isinstance(x, Answer)]
    assert got and got[-1] == ans


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(answers, min_size=1, max_size=4), st.data())
def test_mutated_streams_only_raise_typed_errors(frames, data):
    stream = bytearray(b"".join(f.encode() for f in frames))
    for _ in range(data.draw(st.integers(0, 6))):
        op = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        pos = data.draw(st.integers(0, max(0, len(stream) - 1)))
        if op == "flip" and stream:
            stream[pos] ^= data.draw(st.integers(1, 255))
        elif op == "drop" and stream:
            del stream[pos]
        else:
            stream[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
    dec = FrameDecoder()
    items = dec.feed(bytes(stream))
    assert all(isinstance(x, (Answer, FrameError)) for x in items)
    try:
        decode_one(bytes(stream))
    except FrameError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(answers, min_size=1, max_size=5), st.lists(noise, min_size=5, max_size=5))
def test_frames_interleaved_with_noise_all_arrive_in_order(frames, noises):
    stream = b"".join(n + f.encode() for n, f in zip(noises, frames))
    got = [x for x in FrameDecoder().feed(stream) if isinstance(x, Answer)]
    assert got == frames


def test_encode_frame_refuses_oversized_bodies():
    with pytest.raises(ValueError):
        encode_frame(bytes(70000))
