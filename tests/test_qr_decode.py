"""QR decoding of real rendered codes (segno), synthetic camera frames and image files, and `yzt qr decode`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.qr import ImageUnreadable, QrCode, decode_frame, decode_image_file
from devices.qr import synth
from devices.qr.decode import decode_opencv, decode_pyzbar, decode_zxing, stretch_contrast
from devices.qr.payload import parse
from service.contract.cli import main

UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
TEXTS = ["hello", "营业执照 阳江市星河科技有限公司", f"https://yzt.example.gov.cn/progress/{UUID}",
         "YZTL1." + "A" * 180 + "." + "b" * 86]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("decoder", [decode_frame, decode_zxing, decode_pyzbar])
def test_every_decoder_reads_a_rendered_code(decoder, text):
    image = synth.render_qr(text, module_px=5)
    codes = decoder(image, source="t")
    assert [c.text for c in codes] == [text]
    code = codes[0]
    assert isinstance(code, QrCode) and code.source == "t" and code.at > 0
    x, y, w, h = code.rect()
    assert 0 <= x and 0 <= y and x + w <= image.shape[1] and y + h <= image.shape[0] and w > 50


def test_opencv_detector_reads_a_plain_code():
    assert [c.text for c in decode_opencv(synth.render_qr("hello opencv", 6))] == ["hello opencv"]


def test_pyzbar_keeps_utf8_chinese_intact():
    # ZBar's own charset guess turns UTF-8 Chinese into Shift-JIS mojibake; binary mode avoids it
    (code,) = decode_pyzbar(synth.render_qr("电子营业执照", 5))
    assert code.text == "电子营业执照" and code.raw == "电子营业执照".encode()


def test_two_codes_in_one_frame_are_both_read():
    a, b = synth.render_qr("first code", 5), synth.render_qr("second code", 5)
    canvas = np.full((max(a.shape[0], b.shape[0]) + 40, a.shape[1] + b.shape[1] + 60), 255, np.uint8)
    canvas[20:20 + a.shape[0], 20:20 + a.shape[1]] = a
    canvas[20:20 + b.shape[0], 40 + a.shape[1]:40 + a.shape[1] + b.shape[1]] = b
    assert sorted(c.text for c in decode_frame(canvas)) == ["first code", "second code"]


@pytest.mark.parametrize("kind", ["phone", "paper", "rotation", "noise", "inverted", "low_contrast"])
def test_ours_reads_synthetic_camera_frames(kind):
    frames = [synth.make_frame(kind, seed) for seed in range(3)]
    read = sum(any(c.text == f.text for c in decode_frame(f.image)) for f in frames)
    assert read == 3, f"{kind}: {read}/3"


def test_pyzbar_alone_misses_inverted_codes_that_ours_reads():
    frame = synth.make_frame("inverted", 1)
    assert decode_pyzbar(frame.image) == []
    assert [c.text for c in decode_frame(frame.image)] == [frame.text]


def test_frames_without_a_code_give_nothing():
    for seed in range(4):
        assert decode_frame(synth.make_frame("empty", seed).image) == []


def test_contrast_is_stretched_only_when_narrow():
    wide = synth.make_frame("phone", 1).image[..., 0]
    assert stretch_contrast(wide) is wide
    narrow = (100 + wide // 8).astype(np.uint8)
    out = stretch_contrast(narrow)
    assert int(out.max()) - int(out.min()) > 200


@pytest.mark.parametrize("image", [
    np.zeros((1, 1, 3), np.uint8), np.zeros((0, 0), np.uint8)[:0], np.full((5, 7), 255, np.uint8),
    np.random.default_rng(1).integers(0, 255, (480, 640, 4), dtype=np.uint8),
    np.random.default_rng(2).random((200, 300)).astype(np.float32),
])
def test_odd_arrays_do_not_crash(image):
    if image.size == 0:
        image = np.zeros((2, 2), np.uint8)
    assert decode_frame(image) == []


def test_binary_code_of_3kb_decodes_and_is_not_a_licence(tmp_path):
    blob = os.urandom(2900)
    image = synth.render_qr(blob, module_px=3, error="l")
    codes = decode_frame(image)
    assert len(codes) == 1 and codes[0].raw == blob
    result = parse(codes[0].text)
    assert result.kind == "refused" and result.reason in ("binary", "not_licence")
    assert parse(codes[0].raw).reason == "binary"


# -- image files ----------------------------------------------------------------------------------

def test_image_files_in_several_formats(tmp_path):
    image = synth.render_qr("file formats", 6)
    for suffix in ("png", "jpg", "bmp", "webp", "tiff"):
        path = tmp_path / f"code.{suffix}"
        assert cv2.imwrite(str(path), image)
        assert [c.text for c in decode_image_file(path)] == ["file formats"], suffix
    gif = tmp_path / "code.gif"  # not an OpenCV format: read through Pillow
    Image.fromarray(image).save(gif)
    assert [c.text for c in decode_image_file(gif)] == ["file formats"]
    assert decode_image_file(gif)[0].source == str(gif)


def test_unreadable_images_raise_a_typed_error(tmp_path):
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), synth.render_qr("truncated", 6))
    (tmp_path / "truncated.png").write_bytes(good.read_bytes()[:200])
    cases = {"missing.png": "no such file", "text.png": "not an image", "empty.jpg": "empty file",
             "truncated.png": "", ".": "is a folder"}
    for name, why in cases.items():
        with pytest.raises(ImageUnreadable) as err:
            decode_image_file(tmp_path / name)
        assert why in err.value.why and err.value.message_zh and err.value.message_en


# -- yzt qr decode --------------------------------------------------------------------------------

@pytest.fixture()
def images(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.jpg"
    synth.write_qr_png("营业执照", str(a))
    cv2.imwrite(str(b), synth.make_frame("phone", 3, text=f"YZTP1:{UUID}").image)
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), synth.make_frame("empty", 1).image)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG garbage")
    return a, b, empty, bad


def test_cli_json_one_line_per_image_and_exit_status(images, capsys):
    a, b, empty, bad = map(str, images)
    assert main(["qr", "decode", a, b, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"image": a, "codes": [{"text": "营业执照", "decoder": "zxing-cpp"}]},
                     {"image": b, "codes": [{"text": f"YZTP1:{UUID}", "decoder": "zxing-cpp"}]}]
    assert main(["qr", "decode", a, empty, bad, "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [doc["image"] for doc in lines] == [a, empty, bad]
    assert lines[1]["codes"] == [] and "error" not in lines[1]
    assert lines[2]["codes"] == [] and "cannot read image" in lines[2]["error"]


def test_cli_text_output_and_classify(images, capsys):
    a, b, empty, bad = map(str, images)
    assert main(["qr", "decode", b, "--classify"]) == 0
    assert capsys.readouterr().out.strip() == f"{b}: YZTP1:{UUID} (zxing-cpp) [progress]"
    assert main(["qr", "decode", empty, bad, str(images[0].parent / "nope.png")]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{empty}: no QR code found", f"{bad}: error: cannot read image (not an image)",
                                    f"{images[0].parent / 'nope.png'}: error: cannot read image (no such file)"]
    assert "Traceback" not in out.err


def test_the_installed_command_runs(images):
    a, _, _, bad = map(str, images)
    yzt = os.path.join(os.path.dirname(sys.executable), "yzt")
    proc = subprocess.run([yzt, "qr", "decode", a, bad, "--json", "--decoder", "pyzbar"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    first, second = map(json.loads, proc.stdout.splitlines())
    assert first["codes"] == [{"text": "营业执照", "decoder": "pyzbar"}] and "error" in second
