"""The ESC/POS simulator as an interpreter (what a printer makes of bytes) and the encoder's
line wrapping: both are what the receipt tests stand on."""

from __future__ import annotations

import numpy as np
import pytest
from escpos.printer import Dummy
from PIL import Image

from devices.printers.encode import COLUMNS_58MM, COLUMNS_80MM, display_width, encode_receipt, wrap
from devices.printers.simulator import STATUS_BYTES, EscposInterpreter, EscposSimulator, SimState, render_bytes
from devices.printers.status import escpos_conditions, valid_status_byte, PrinterCondition
from kiosk.documents import acceptance_receipt, result_notice
from devices.printers.blocks import KeyValue, Receipt, Text, Title
from devices.printers.linebreak import NO_LINE_START
from kiosk.documents.samples import sample_application, sample_decision, sample_kiosk


@pytest.fixture
def sim():
    s = EscposSimulator(pty=False)
    yield s
    s.close()


def test_chinese_needs_fs_ampersand(sim):
    gb = "受理回执".encode("gb18030")
    [with_mode] = sim.interpret(b"\x1b@\x1c&" + gb + b"\n\x1dV\x00")
    assert with_mode.texts == ["受理回执"] and with_mode.cut
    [without] = sim.interpret(b"\x1b@" + gb + b"\n\x1dV\x00")
    assert without.texts != ["受理回执"], "without FS & the bytes are single-byte code page characters"
    [back] = sim.interpret(b"\x1c&" + gb + b"\x1c.abc\n")
    assert back.texts == ["受理回执abc"]


def test_four_byte_gb18030_and_styles(sim):
    text = "𠀀㐀"  # CJK Ext-B (4 bytes in GB18030) and Ext-A: python-escpos would print '?'
    data = b"\x1b@\x1c&\x1bE\x01\x1d!\x11\x1ba\x02" + text.encode("gb18030") + b"\n\x1bE\x00\x1d!\x00x\n"
    [job] = sim.interpret(data)
    assert job.lines[0].text == text and job.lines[0].bold and job.lines[0].width == 2
    assert job.lines[0].align == "right" and job.lines[1].text == "x" and not job.lines[1].bold
    [job] = sim.interpret(b"\x1b!\x38AB\n\x1c!\x0c\x1c&" + "中".encode("gb18030") + b"\n")
    assert (job.lines[0].bold, job.lines[0].width, job.lines[0].height) == (True, 2, 2)


def test_the_same_job_however_the_bytes_are_chunked(sim):
    data = encode_receipt(acceptance_receipt(sample_application(), sample_decision(), sample_kiosk()))
    [whole] = sim.interpret(data)
    interp = EscposInterpreter(sim)
    for i in range(len(data)):
        interp.feed(data[i:i + 1])
    chunked = sim.jobs[-1]
    assert chunked.texts == whole.texts and chunked.qr == whole.qr and chunked.cut
    assert chunked.png == whole.png


def test_raster_images_print_where_the_bits_are(sim):
    p = Dummy()
    img = Image.new("1", (64, 32), 1)
    img.paste(0, (0, 0, 32, 32))  # left half black
    p.image(img, impl="bitImageRaster")
    p.cut()
    [job] = sim.interpret(p.output)
    assert job.images == 1 and job.cut
    page = np.array(job.image().convert("L"))
    ink_rows = np.where((page < 128).any(axis=1))[0]
    assert len(ink_rows) == 32
    row = page[ink_rows[0]]
    black = np.where(row < 128)[0]
    assert len(black) == 32 and black[-1] - black[0] == 31


def test_cuts_partial_and_feed_forms(sim):
    jobs = sim.interpret(b"a\n\x1dVA\x03b\n\x1dV\x01c\n\x1bi")
    assert [j.texts for j in jobs] == [["a"], ["b"], ["c"]]
    assert [j.partial_cut for j in jobs] == [False, True, True] and all(j.cut for j in jobs)
    assert sim.counters["cuts"] == 3


def test_unknown_and_skipped_commands_do_not_desync(sim):
    data = (b"\x1bp\x00\x19\xfa"  # cash drawer
            b"\x1dk\x04123\x00"  # CODE39 barcode
            b"\x1d(L\x04\x000E\x01\x01"  # graphics function
            b"\x1bD\x08\x10\x00"  # tab stops
            b"\x10\x14\x01\x00\x01"  # DLE DC4 pulse
            b"after\n")
    [job] = sim.interpret(data)
    assert job.texts == ["after"]


@pytest.mark.parametrize("state", [s for s in SimState if s is not SimState.SILENT])
def test_status_answers_are_valid_and_mean_the_state(sim, state):
    sim.set_state(state)
    interp = EscposInterpreter(sim)
    answers = {n: interp.feed(b"\x10\x04" + bytes([n]))[0] for n in (1, 2, 3, 4)}
    assert answers == STATUS_BYTES[state] and all(valid_status_byte(b) for b in answers.values())
    found = escpos_conditions(answers)
    expected = {SimState.READY: set(), SimState.PAPER_NEAR_END: {PrinterCondition.PAPER_NEAR_END},
                SimState.PAPER_OUT: {PrinterCondition.PAPER_OUT},
                SimState.COVER_OPEN: {PrinterCondition.COVER_OPEN}, SimState.OFFLINE: {PrinterCondition.OFFLINE},
                SimState.CUTTER_ERROR: {PrinterCondition.CUTTER_ERROR}}[state]
    assert expected <= found


def test_silent_printer_neither_answers_nor_prints(sim):
    sim.set_state(SimState.SILENT)
    interp = EscposInterpreter(sim)
    assert interp.feed(b"\x10\x04\x01\x1dI\x01") == b""


def test_paper_out_discards_print_data_until_paper_is_back(sim):
    interp = EscposInterpreter(sim)
    sim.set_state(SimState.PAPER_OUT)
    assert interp.feed(b"lost\n\x1dV\x00\x10\x04\x04") == bytes([STATUS_BYTES[SimState.PAPER_OUT][4]])
    assert sim.jobs == []
    sim.set_state(SimState.READY)
    interp.feed(b"kept\n\x1dV\x00")
    assert [j.texts for j in sim.jobs] == [["kept"]]


def test_long_lines_wrap_on_the_print_head_width(sim):
    [job] = sim.interpret(b"\x1c&" + ("中" * 30).encode("gb18030") + b"\n")
    assert [len(t) for t in job.texts] == [24, 6]


def test_render_bytes_writes_pngs(tmp_path):
    jobs = render_bytes(encode_receipt(result_notice(sample_application(), sample_decision(), sample_kiosk())),
                        tmp_path)
    assert len(jobs) == 1 and jobs[0].path.exists() and jobs[0].path.stat().st_size > 1000


# -- the encoder -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("columns", [COLUMNS_80MM, COLUMNS_58MM])
def test_encoded_lines_fit_the_paper(columns):
    receipt = result_notice(sample_application(), sample_decision(), sample_kiosk())
    sim = EscposSimulator(pty=False)
    try:
        [job] = sim.interpret(encode_receipt(receipt, columns))
    finally:
        sim.close()
    for line in job.lines:
        limit = columns // line.width
        assert display_width(line.text.rstrip(NO_LINE_START)) <= limit, line.text
    assert any("会议及展览服务" in t for t in job.texts)


def test_key_values_wrap_under_themselves_and_titles_are_double():
    receipt = Receipt("x", "1", "t", (Title("标题"), KeyValue("说明", "甲" * 30), Text("，开头？不行")))
    sim = EscposSimulator(pty=False)
    try:
        [job] = sim.interpret(encode_receipt(receipt, 32))
    finally:
        sim.close()
    assert job.lines[0].width == 2 and job.lines[0].bold
    assert job.texts[1] == "说明：" + "甲" * 13 and job.texts[2] == " " * 6 + "甲" * 13


def test_wrap_keeps_closing_punctuation_off_line_starts():
    text = "营业执照已打印，请取走。（依法须经批准的项目）！对吗？版本 version2026"
    for width in range(6, 40):
        lines = wrap(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(line[:1] not in NO_LINE_START for line in lines[1:]), (width, lines)


def test_a_sized_block_split_across_reads_is_skipped_whole(sim):
    """ESC ( / FS ( blocks (pL pH data) arriving in pieces are waited for, never printed as text."""
    data = b"\x1b@" + b"\x1b(A\x05\x00HELLO" + b"\x1c(L\x02\x00ZZ" + b"ok\n\x1dV\x00"
    interp = EscposInterpreter(sim)
    for i in range(len(data)):
        interp.feed(data[i:i + 1])
    assert sim.jobs[-1].texts == ["ok"] and sim.jobs[-1].cut
