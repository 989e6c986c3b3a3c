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

from devices.qr import ImageUnreadable, QrCode, decode_frame, decode_image_file, restore, synth
from devices.qr import decode as decode_module
from devices.qr.decode import decode_opencv, decode_pyzbar, decode_zxing, stretch_contrast
from devices.qr.payload import parse
from service.contract.cli import main

UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
PROGRESS_LINK = "https://yzt.example.gov.cn/p/261201000158011735"
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


# -- phone screens as a kiosk camera gets them: small, blurred, moiré -----------------------------
# Seeds outside both benchmark sets; each frame carries a real e-licence link (~330 chars, version 13-14).

SMALL_SEEDS = (1, 5, 6, 7, 10, 13)  # codes 89–109 px wide (1.2–1.5 px a module)
BLUR_SEEDS = (1, 2, 3, 4, 5, 7)  # motion 3–9 px and/or defocus
MOIRE_SEEDS = (3, 4, 11, 12)


def _reads(decoder, frame) -> bool:
    return any(c.text == frame.text for c in decoder(frame.image))


def test_phone_frames_carry_the_real_licence_link():
    frame = synth.make_frame("phone_small", 1)
    assert frame.text.startswith("https://") and "/v/YZTL1." in frame.text
    assert 280 <= len(frame.text) <= 360
    assert parse(frame.text).kind == "refused"  # signed by a key drawn from the seed, not the platform's
    assert 60 <= frame.code_px <= 110


@pytest.mark.parametrize(("kind", "seeds"), [("phone_small", SMALL_SEEDS), ("phone_blur", BLUR_SEEDS),
                                             ("phone_moire", MOIRE_SEEDS)])
def test_ours_reads_hard_phone_frames_that_plain_zxing_misses(kind, seeds):
    frames = [synth.make_frame(kind, seed) for seed in seeds]
    ours = [_reads(decode_frame, f) for f in frames]
    plain = [_reads(decode_zxing, f) for f in frames]
    assert all(ours), f"{kind}: ours read {sum(ours)}/{len(frames)}"
    assert not all(plain), f"{kind}: plain zxing-cpp read all {len(frames)}: the frames no longer test the rescue"
    assert sum(ours) > sum(plain)


def test_ours_beats_pyzbar_on_small_and_blurred_phone_frames():
    frames = [synth.make_frame("phone_small", s) for s in SMALL_SEEDS] + \
             [synth.make_frame("phone_blur", s) for s in BLUR_SEEDS]
    assert sum(_reads(decode_frame, f) for f in frames) > sum(_reads(decode_pyzbar, f) for f in frames)


def test_each_rescue_step_is_needed_somewhere():
    """Leaving out the deconvolution loses the blurred frames; leaving out the sharpened enlargement
    loses the small ones — so neither step is dead weight."""
    blurred = [synth.make_frame("phone_blur", s) for s in BLUR_SEEDS]
    small = [synth.make_frame("phone_small", s) for s in SMALL_SEEDS]
    no_deblur = ("sharpen", "lens")
    assert sum(any(c.text == f.text for c in decode_frame(f.image, steps=no_deblur)) for f in blurred) < len(blurred)
    no_sharpen = ("lens", "deblur")
    assert sum(any(c.text == f.text for c in decode_frame(f.image, steps=no_sharpen)) for f in small) < len(small)


def test_every_text_read_from_hard_frames_is_the_encoded_one():
    for kind in ("phone_small", "phone_blur", "phone_moire", "small", "blur", "noise"):
        for seed in range(30, 36):
            frame = synth.make_frame(kind, seed)
            assert all(c.text == frame.text for c in decode_frame(frame.image)), (kind, seed)


def _noise_frames() -> list[np.ndarray]:
    """Frames with no code that are as busy as one: noise of several kinds, random module-like blocks
    at the sizes of small codes, textured walls, and phones showing text."""
    rng = np.random.default_rng(99)
    out = [rng.integers(0, 256, (720, 1280), dtype=np.uint8) for _ in range(3)]
    out += [np.clip(rng.normal(128, 60, (720, 1280)), 0, 255).astype(np.uint8) for _ in range(2)]
    for module in (1, 2, 3, 4, 6):
        blocks = (rng.random((720 // module + 1, 1280 // module + 1)) < 0.5).astype(np.uint8) * 255
        out.append(np.kron(blocks, np.ones((module, module), np.uint8))[:720, :1280])
        patch = np.full((720, 1280), 200, np.uint8)
        size = 80 * module
        patch[100:100 + size, 200:200 + size] = blocks[:size, :size] if size <= blocks.shape[0] else 0
        out.append(cv2.GaussianBlur(patch, (0, 0), 0.8))
    out += [synth.make_frame("empty", seed).image for seed in range(40, 52)]
    return out


def test_no_false_reads_over_a_batch_of_noise_frames():
    false = [i for i, image in enumerate(_noise_frames()) if decode_frame(image)]
    assert false == []


def test_a_code_damaged_past_its_error_correction_gives_nothing_or_its_own_text():
    text = synth.licence_link(np.random.default_rng(5))
    rng = np.random.default_rng(6)
    for share in (0.1, 0.2, 0.3, 0.45):
        m = synth.qr_matrix(text)
        flip = rng.random(m.shape) < share
        m = np.where(flip, 1 - m, m)
        img = np.kron(np.where(np.pad(m, 4) == 1, 0, 255).astype(np.uint8), np.ones((4, 4), np.uint8))
        for blurred in (img, cv2.GaussianBlur(img, (0, 0), 1.5)):
            assert all(c.text == text for c in decode_frame(blurred)), share


def test_plain_empty_frames_cost_no_rescue(monkeypatch):
    """The hall, and a phone with a blank screen, look like no code: no region is rescued, so such
    frames cost one zxing-cpp pass and the candidate map alone."""
    calls = []
    real = decode_module._rescue
    monkeypatch.setattr(decode_module, "_rescue", lambda *a, **k: calls.append(1) or real(*a, **k))
    rng = np.random.default_rng(3)
    phone = synth.phone_carrier(np.full((200, 200), 250, np.uint8))
    frames = [synth.scene_frame(seed) for seed in range(6)]
    for cx in (400.0, 640.0, 900.0):
        quad = synth._quad(phone.shape[1], phone.shape[0], (cx, 360.0), 0.9, float(rng.uniform(-15, 15)), 0, rng)
        frames.append(synth.add_noise(synth.composite(synth.scene_frame(0), phone, quad), 2.0, rng))
    for image in frames:
        assert decode_frame(image) == []
        assert restore.code_candidates(decode_module.to_gray(image)) == []
    assert calls == []


# -- the restoration helpers ----------------------------------------------------------------------

def _camera_code(text: str, ppm: float = 3.3, angle: float = 7.0) -> np.ndarray:
    """A code as a camera sees it: turned a little and not on the pixel grid (a grid-aligned code
    has a cepstral dip at its own module pitch)."""
    code = synth.render_qr(text, module_px=6)
    side = int(code.shape[0] * ppm / 6) + 40
    m = cv2.getRotationMatrix2D((code.shape[1] / 2, code.shape[0] / 2), angle, ppm / 6)
    m[:, 2] += (side - code.shape[0]) / 2
    return cv2.warpAffine(cv2.GaussianBlur(code, (0, 0), 0.45 * 6 / ppm), m, (side, side), borderValue=255)


def test_cepstrum_measures_a_motion_blur():
    code = _camera_code(synth.licence_link(np.random.default_rng(1)))
    for length, angle in ((5, 0.0), (7, 45.0), (9, 120.0)):
        blurred = cv2.filter2D(code, -1, restore.line_kernel(length, angle))
        measured, direction, clarity = restore.estimate_motion(blurred)[0]
        assert abs(measured - length) <= 1.0 and clarity >= 3.0, (length, angle, measured, direction, clarity)
        assert min(abs(direction - angle), 180 - abs(direction - angle)) <= 12


def test_wiener_by_the_measured_motion_makes_a_blurred_code_readable():
    text = synth.licence_link(np.random.default_rng(2))
    blurred = cv2.filter2D(_camera_code(text), -1, restore.line_kernel(9, 30.0))
    assert decode_zxing(blurred) == []
    length, angle, _ = restore.estimate_motion(blurred)[0]
    sharp = restore.wiener(blurred, restore.line_kernel(length, angle))
    assert [c.text for c in decode_zxing(restore.upscale(sharp, 2.0))] == [text]
    assert [c.text for c in decode_frame(blurred)] == [text]


def test_code_candidates_find_a_small_code_and_nothing_on_a_wall():
    frame = synth.make_frame("phone_small", 1)
    boxes = restore.code_candidates(decode_module.to_gray(frame.image))
    assert boxes and all(60 <= max(x1 - x0, y1 - y0) <= 360 for x0, y0, x1, y1 in boxes)
    wall = cv2.GaussianBlur(np.full((720, 1280), 140, np.uint8), (0, 0), 2)
    assert restore.code_candidates(wall) == []


def test_code_candidates_ignore_ruled_lines_and_round_shapes():
    lines = np.full((720, 1280), 235, np.uint8)
    for y in range(200, 420, 12):  # a receipt's faux text lines, slightly tilted
        cv2.line(lines, (400, y), (680, y + 30), 60, 3)
    ring = cv2.GaussianBlur(cv2.circle(np.full((720, 1280), 200, np.uint8), (640, 360), 60, 40, -1), (0, 0), 2.5)
    for image in (lines, ring):
        assert restore.code_candidates(synth.add_noise(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), 2.0,
                                                        np.random.default_rng(1))[..., 1]) == []


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
    cv2.imwrite(str(b), synth.make_frame("phone", 3, text=PROGRESS_LINK).image)
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
                     {"image": b, "codes": [{"text": PROGRESS_LINK, "decoder": "zxing-cpp"}]}]
    assert main(["qr", "decode", a, empty, bad, "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [doc["image"] for doc in lines] == [a, empty, bad]
    assert lines[1]["codes"] == [] and "error" not in lines[1]
    assert lines[2]["codes"] == [] and "cannot read image" in lines[2]["error"]


def test_cli_text_output_and_classify(images, capsys):
    _, b, empty, bad = map(str, images)
    assert main(["qr", "decode", b, "--classify"]) == 0
    assert capsys.readouterr().out.strip() == f"{b}: {PROGRESS_LINK} (zxing-cpp) [progress]"
    assert main(["qr", "decode", empty, bad, str(images[0].parent / "nope.png")]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{empty}: no QR code found", f"{bad}: error: cannot read image (not an image)",
                                    f"{images[0].parent / 'nope.png'}: error: cannot read image (no such file)"]
    assert "Traceback" not in out.err


def test_the_installed_command_runs(images):
    a, _, _, bad = map(str, images)
    yzt = os.path.join(os.path.dirname(sys.executable), "yzt")
    proc = subprocess.run([yzt, "qr", "decode", a, bad, "--json", "--decoder", "pyzbar"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    first, second = map(json.loads, proc.stdout.splitlines())
    assert first["codes"] == [{"text": "营业执照", "decoder": "pyzbar"}] and "error" in second
