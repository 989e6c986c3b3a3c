"""The camera device: real capture from image folders, image files and video files; unplug and reconnect."""

from __future__ import annotations

import shutil
import time

import cv2
import numpy as np
import pytest

from devices.base import DeviceState, DeviceTimeout, HealthLevel
from devices.camera import Camera, CameraOffline, Frame, for_url
from devices.qr import QrReader, decode_frame, synth
from devices.registry import open_device
from tests.devicehelp import wait_for as _wait_for

FAST = {"reconnect_s": 0.1, "reconnect_max_s": 0.3, "frame_timeout_s": 1.0}


def wait_for(predicate, timeout=6.0):
    return _wait_for(predicate, timeout)


def code_folder(path, texts):
    path.mkdir()
    for i, text in enumerate(texts):
        cv2.imwrite(str(path / f"{i:03d}.png"), synth.make_frame("phone", i, text=text).image)
    return path


def decoded_texts(camera: Camera, frames: int) -> set[str]:
    seen: set[str] = set()
    seq = 0
    for _ in range(frames):
        frame = camera.wait_frame(seq, timeout=2)
        seq = frame.seq
        seen.update(c.text for c in decode_frame(frame.image))
    return seen


def test_folder_of_images_plays_in_a_loop_at_the_configured_rate(tmp_path):
    folder = code_folder(tmp_path / "frames", ["first", "second", "third"])
    with for_url(str(folder), fps=20, **FAST) as camera:
        assert camera.state is DeviceState.ONLINE
        first = camera.wait_frame(0, timeout=2)
        assert isinstance(first, Frame) and first.size == (1280, 720) and first.source == "camera"
        assert not first.image.flags.writeable  # shared with every consumer
        assert decoded_texts(camera, 7) == {"first", "second", "third"}
        time.sleep(1.0)
        assert 14 <= camera.fps() <= 26
        assert camera.counters["frames"] >= 20 and camera.info["source"] == "folder"


def test_latest_is_always_the_newest_frame_never_a_backlog(tmp_path):
    folder = code_folder(tmp_path / "frames", ["a"])
    with for_url(str(folder), fps=30, **FAST) as camera:
        camera.wait_frame(0, 2)
        time.sleep(0.5)  # nobody consumed ~15 frames
        latest = camera.latest()
        assert latest.seq == camera.counters["frames"] or latest.seq == camera.counters["frames"] - 1
        newer = camera.wait_frame(latest.seq, timeout=1)
        assert newer.seq > latest.seq and newer.at >= latest.at
        with pytest.raises(DeviceTimeout):  # nothing newer than the future
            camera.wait_frame(newer.seq + 10_000, timeout=0.1)


def test_a_single_image_file_is_a_still_camera(tmp_path):
    path = tmp_path / "code.png"
    synth.write_qr_png("still image", str(path))
    with for_url(str(path), fps=10, **FAST) as camera:
        assert [c.text for c in decode_frame(camera.wait_frame(0, 2).image)] == ["still image"]


def _write_video(path, texts, frames_each=5, size=(640, 360)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, size)
    assert writer.isOpened()
    for i, text in enumerate(texts):
        image = synth.make_frame("phone", i, text=text, size=size).image
        for _ in range(frames_each):
            writer.write(image)
    writer.release()


def test_video_file_is_played_looping_and_removing_it_is_an_unplug(tmp_path):
    video = tmp_path / "clip.avi"
    _write_video(video, ["video one", "video two"])
    with for_url(str(video), **FAST) as camera:
        assert camera.info["source"] == "video" and camera.info["fps"] == pytest.approx(25, abs=1)
        assert decoded_texts(camera, 25) == {"video one", "video two"}  # 10 frames long: it looped
        saved = tmp_path / "saved.avi"
        shutil.move(video, saved)
        assert wait_for(lambda: camera.state is DeviceState.OFFLINE)
        with pytest.raises(CameraOffline) as err:
            camera.latest()
        assert "removed" in str(err.value) and err.value.message_zh
        shutil.move(saved, video)
        assert wait_for(lambda: camera.state is DeviceState.ONLINE)
        assert camera.counters["reconnects"] == 1 and camera.counters["losses"] == 1
        assert camera.wait_frame(0, 2).size == (640, 360)


def test_folder_removed_mid_stream_goes_offline_then_reconnects(tmp_path):
    folder = code_folder(tmp_path / "frames", ["before"])
    with for_url(str(folder), fps=25, **FAST) as camera:
        frame = camera.wait_frame(0, 2)
        shutil.rmtree(folder)
        assert wait_for(lambda: camera.state is DeviceState.OFFLINE)
        with pytest.raises(CameraOffline):
            camera.wait_frame(frame.seq, timeout=1)
        report = camera.health(HealthLevel.EXTERNAL)
        assert not report.ok and report.state is DeviceState.OFFLINE and "removed" in report.summary_en
        code_folder(folder, ["after"])
        assert wait_for(lambda: camera.state is DeviceState.ONLINE)
        assert decoded_texts(camera, 3) == {"after"}
        assert camera.counters["reconnects"] == 1


def test_a_folder_whose_images_all_vanish_times_out_as_lost(tmp_path):
    folder = code_folder(tmp_path / "frames", ["x"])
    with for_url(str(folder), fps=25, **FAST) as camera:
        camera.wait_frame(0, 2)
        for f in folder.iterdir():
            f.unlink()
        assert wait_for(lambda: camera.state is DeviceState.OFFLINE)
        assert "no frame" in camera.last_error or "no images" in camera.last_error


def test_missing_at_start_is_no_device_without_raising_and_comes_online_later(tmp_path):
    folder = tmp_path / "later"
    camera = for_url(str(folder), fps=25, open_wait_s=1, **FAST)
    camera.open()
    try:
        assert camera.state is DeviceState.NO_DEVICE
        assert not camera.health().ok
        with pytest.raises(CameraOffline):
            camera.latest()
        code_folder(folder, ["late"])
        assert wait_for(lambda: camera.state is DeviceState.ONLINE)
        assert camera.wait_frame(0, 2) is not None
    finally:
        camera.close()
    assert camera.state is DeviceState.CLOSED
    with pytest.raises(CameraOffline):
        camera.latest()


@pytest.mark.parametrize("url", ["9", "/dev/video99", "v4l2:///dev/video98"])
def test_a_camera_that_is_not_fitted_is_no_device(url):
    camera = for_url(url, open_wait_s=1, **FAST)
    with camera:
        assert camera.state is DeviceState.NO_DEVICE
        report = camera.health(HealthLevel.INTERNAL)
        assert not report.ok and report.summary_zh and "video" in report.summary_en


def test_a_corrupt_image_among_good_ones_is_skipped(tmp_path):
    folder = code_folder(tmp_path / "frames", ["good"])
    (folder / "001.png").write_bytes(b"\x89PNG broken")
    with for_url(str(folder), fps=25, **FAST) as camera:
        assert decoded_texts(camera, 4) == {"good"}
        assert camera.state is DeviceState.ONLINE and camera.info.get("bad_images", 0) >= 0


def test_simulator_shows_and_hides_a_code_and_health_levels():
    camera = open_device("camera", "sim://", fps=25, timeout_s=2.0, interactive_timeout_s=1.5, baud=115200)
    assert isinstance(camera, Camera) and camera.frame_timeout_s == 2.0
    with camera:
        sim = camera.simulator
        assert camera.health(HealthLevel.INTERNAL).ok
        time.sleep(0.4)
        external = camera.health(HealthLevel.EXTERNAL)
        assert external.ok and external.details["size"] == [1280, 720] and external.details["measured_fps"] > 10
        assert not camera.health(HealthLevel.INTERACTIVE).ok  # nobody shows a code
        sim.show_text("健康检查 health check")
        interactive = camera.health(HealthLevel.INTERACTIVE)
        assert interactive.ok and interactive.details["qr"] == "健康检查 health check"
        sim.show_nothing()
        assert wait_for(lambda: not decode_frame(camera.wait_frame(camera.latest().seq, 1).image))
        image = synth.make_frame("paper", 5).image
        sim.show_image(image)
        assert wait_for(lambda: bool(decode_frame(camera.wait_frame(camera.latest().seq, 1).image)))
    assert sim.folder.exists()
    sim.cleanup()
    assert not sim.folder.exists()


def test_sim_dir_uses_the_given_folder_and_keeps_it(tmp_path):
    folder = tmp_path / "sim"
    camera = for_url(f"sim://{folder}", fps=25)
    with camera:
        assert camera.wait_frame(0, 2).size == (1280, 720)
        camera.simulator.show_text("in my folder")
        reader = QrReader(camera)
        with reader:
            assert reader.get(timeout=5).text == "in my folder"
    camera.simulator.cleanup()
    assert sorted(p.name for p in folder.glob("*.jpg")) == ["scene-00.jpg", "scene-01.jpg", "scene-02.jpg"]


def test_frames_are_numpy_bgr_and_shared_read_only(tmp_path):
    folder = code_folder(tmp_path / "frames", ["ro"])
    with for_url(str(folder), fps=25, **FAST) as camera:
        frame = camera.wait_frame(0, 2)
        assert frame.image.dtype == np.uint8 and frame.image.shape == (720, 1280, 3)
        with pytest.raises(ValueError):
            frame.image[0, 0, 0] = 1


def test_a_3kb_binary_code_through_the_camera_is_not_a_licence():
    from devices.qr.payload import Refused, parse

    blob = bytes(np.random.default_rng(3).integers(0, 256, 2900, dtype=np.uint8))
    code = synth.render_qr(blob, module_px=3, error="l")
    frame = np.full((720, 1280, 3), 255, np.uint8)
    y, x = (720 - code.shape[0]) // 2, (1280 - code.shape[1]) // 2
    frame[y:y + code.shape[0], x:x + code.shape[1]] = code[..., None]
    camera = for_url("sim://", fps=25)
    with camera, QrReader(camera) as reader:
        camera.simulator.show_image(frame)
        got = reader.get(timeout=8)
        assert got is not None and got.raw == blob
        result = parse(got.text)
        assert isinstance(result, Refused) and result.message_zh and result.reason in ("binary", "not_licence")
    camera.simulator.cleanup()
