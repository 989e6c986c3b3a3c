"""The camera preview with a framing guide, QR decoding off the UI thread, and green/red feedback.

``CameraView(camera=..., on_code=callable)``. Frames come from the camera device's capture thread
(:meth:`Camera.latest`); every tick the newest one is blitted into ONE texture that is reused for the
life of the widget (a new texture per frame leaks GPU memory). Decoding runs in a
:class:`devices.qr.QrReader` worker; each new code is handed to ``on_code(code)`` on the UI thread
(through ``Clock``), and what it returns decides the feedback:

* ``None`` or ``True`` — accepted (green);  ``False`` — not accepted (red, a generic message);
* a ``str`` — not accepted, with that message (red);
* an object with ``ok`` and ``message_zh``/``message_en`` (e.g. :func:`devices.qr.payload.parse`'s
  results) — green or red with its message in the widget's language.

Screens call :meth:`start` in ``on_enter`` and :meth:`stop` in ``on_leave``; the widget also stops
by itself once it is no longer in a window, so a forgotten ``stop`` costs no CPU and holds no camera.

``python -m screens.widgets.camera_view --camera sim:// --show TEXT --shot out.png`` runs it alone
(what the UI test does under Xvfb) and prints a ``CAMERAVIEW {json}`` result line.
"""

from __future__ import annotations

import collections
import logging
import os
import time
from typing import Any, Callable

if __name__ == "__main__":  # run alone: keep Kivy off our command line and quiet before it is imported
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

import numpy as np  # noqa: E402
from kivy.clock import Clock, mainthread
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label

from kiosk.camera import DeviceError, QrCode, QrReader

log = logging.getLogger(__name__)

GREEN = (0.0, 0.439, 0.235, 1)  # screens.theme GREEN / RED, repeated so the widget stands alone
RED = (0.831, 0.208, 0.075, 1)
GUIDE = (1, 1, 1, 0.95)

TEXTS = {
    "zh": {"hint": "请将二维码对准框内", "ok": "已识别", "wrong": "无法识别该二维码，请出示正确的二维码",
           "offline": "摄像头暂时无法使用，请联系工作人员", "starting": "正在打开摄像头…"},
    "en": {"hint": "Hold the QR code inside the square", "ok": "Code read",
           "wrong": "This code cannot be used; please show the right QR code",
           "offline": "The camera is not available; please ask staff", "starting": "Starting the camera…"},
}


class CameraView(FloatLayout):
    """Live preview + framing guide + decoding feedback (see the module docstring)."""

    camera = ObjectProperty(None, allownone=True)
    lang = StringProperty("zh")
    hint = StringProperty("")  # overrides the default hint text when set
    message = StringProperty("")  # the feedback line under the guide
    verdict = StringProperty("")  # "", "ok" or "wrong": what the last code got
    guide_color = ListProperty(list(GUIDE))
    preview_fps = NumericProperty(0.0)
    running = BooleanProperty(False)
    offline = BooleanProperty(False)
    mirror = BooleanProperty(False)  # show a mirror image (a camera that faces the citizen)

    def __init__(self, camera: Any = None, on_code: Callable[[QrCode], Any] | None = None, scanner: Any = None,
                 fps: float = 30.0, decode_hz: float = 12.0, dedupe_s: float = 3.0, feedback_s: float = 3.0,
                 auto_start: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.camera = camera
        self.on_code = on_code
        self.scanner = scanner
        self.fps = fps
        self.decode_hz = decode_hz
        self.dedupe_s = dedupe_s
        self.feedback_s = feedback_s
        self.auto_start = auto_start
        self.codes_seen = 0
        self.frames_shown = 0
        self.textures_created = 0  # stays 1 for the life of the widget unless the camera mode changes
        self._texture: Texture | None = None
        self._staging: np.ndarray | None = None
        self._last_seq = -1
        self._shown_at: collections.deque[float] = collections.deque(maxlen=90)
        self._tick_event = None
        self._clear_event = None
        self._reader: QrReader | None = None
        with self.canvas.before:
            Color(0, 0, 0, 1)
            self._bg = Rectangle(pos=self.pos, size=self.size)
            self._preview_color = Color(1, 1, 1, 1)  # dimmed while the camera is offline
            self._preview = Rectangle(pos=self.pos, size=(0, 0))
        with self.canvas.after:
            self._guide_color = Color(*GUIDE)
            self._guide = Line(rectangle=(0, 0, 0, 0), width=2)
            self._corners = [Line(points=[], width=6, cap="square") for _ in range(4)]
        self._hint = Label(text="", font_size="26sp", size_hint=(1, None), height=56, halign="center",
                           valign="middle", color=(1, 1, 1, 1))
        self._status = Label(text="", font_size="26sp", size_hint=(1, None), height=64, halign="center",
                             valign="middle", color=(1, 1, 1, 1), opacity=0)
        for label in (self._hint, self._status):
            label.bind(size=lambda w, s: setattr(w, "text_size", s))
            with label.canvas.before:
                label._band_color = Color(0, 0, 0, 0.55)
                label._band = Rectangle(pos=label.pos, size=label.size)
            label.bind(pos=self._move_band, size=self._move_band)
            self.add_widget(label)
        self.bind(pos=self._layout, size=self._layout, lang=self._texts, hint=self._texts,
                  guide_color=self._recolor)
        self._texts()
        self._layout()

    # -- lifecycle -------------------------------------------------------------------------
    def on_parent(self, widget: Any, parent: Any) -> None:
        if parent is not None and self.auto_start and not self.running:
            self.start()

    def start(self) -> None:
        """Begin previewing and decoding (idempotent)."""
        if self.running:
            return
        self.running = True
        self._reader = QrReader(self.camera, on_code=self._code_from_worker, scanner=self.scanner,
                                dedupe_s=self.dedupe_s, rate_hz=self.decode_hz).start()
        self._tick_event = Clock.schedule_interval(self._tick, 1.0 / self.fps)

    def stop(self) -> None:
        """Stop previewing and decoding; the texture is kept for the next :meth:`start`."""
        if not self.running:
            return
        self.running = False
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None
        if self._reader is not None:
            self._reader.stop()
            self._reader = None

    def reset(self) -> None:
        """A new citizen: forget codes already seen and clear the feedback."""
        if self._reader is not None:
            self._reader.reset()
        self._clear_feedback()

    # -- preview ---------------------------------------------------------------------------
    def _tick(self, dt: float) -> None:
        if self.get_root_window() is None:  # taken off screen without stop(): stop by ourselves
            self.stop()
            return
        if self.camera is None:
            return
        try:
            frame = self.camera.latest()
        except DeviceError:
            if not self.offline:
                self.offline = True
                self._texts()
            return
        if self.offline:
            self.offline = False
            self._texts()
        if frame is None or frame.seq == self._last_seq:
            return
        self._last_seq = frame.seq
        self._blit(frame.image)

    def _blit(self, image: np.ndarray) -> None:
        h, w = image.shape[:2]
        if image.ndim != 3 or image.shape[2] != 3:
            return
        if self._texture is None or self._texture.size != (w, h):  # once, or when the camera mode changes
            self._texture = Texture.create(size=(w, h), colorfmt="bgr", bufferfmt="ubyte")
            self.textures_created += 1
            self._texture.flip_vertical()
            if self.mirror:
                self._texture.flip_horizontal()
            self._staging = np.empty((h, w, 3), np.uint8)
            self._preview.texture = self._texture
            self._layout()
        assert self._staging is not None
        np.copyto(self._staging, image)  # frames are shared read-only; Kivy wants a writable buffer
        self._texture.blit_buffer(self._staging.reshape(-1), colorfmt="bgr", bufferfmt="ubyte")
        self._preview.texture = self._texture
        self.canvas.ask_update()
        self.frames_shown += 1
        now = time.monotonic()
        self._shown_at.append(now)
        recent = [t for t in self._shown_at if now - t <= 2.0]
        self.preview_fps = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 2 else 0.0

    # -- layout ----------------------------------------------------------------------------
    def _layout(self, *args: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        tw, th = self._texture.size if self._texture is not None else (16, 9)
        scale = min(self.width / tw, self.height / th) if tw and th else 1
        pw, ph = tw * scale, th * scale
        px, py = self.x + (self.width - pw) / 2, self.y + (self.height - ph) / 2
        self._preview.pos, self._preview.size = (px, py), (pw, ph)
        side = 0.62 * min(pw, ph)
        gx, gy = px + (pw - side) / 2, py + (ph - side) / 2
        self._guide.rectangle = (gx, gy, side, side)
        arm = side * 0.16
        corners = [((gx, gy + arm), (gx, gy), (gx + arm, gy)),
                   ((gx + side - arm, gy), (gx + side, gy), (gx + side, gy + arm)),
                   ((gx + side, gy + side - arm), (gx + side, gy + side), (gx + side - arm, gy + side)),
                   ((gx + arm, gy + side), (gx, gy + side), (gx, gy + side - arm))]
        for line, pts in zip(self._corners, corners):
            line.points = [c for p in pts for c in p]
        self._hint.pos = (self.x, py + 12)
        self._hint.width = self.width
        self._status.pos = (self.x, gy + side + 12 if gy + side + 76 <= py + ph else py + ph - 76)
        self._status.width = self.width

    @staticmethod
    def _move_band(label: Label, *args: Any) -> None:
        label._band.pos, label._band.size = label.pos, label.size

    def _texts(self, *args: Any) -> None:
        t = TEXTS.get(self.lang, TEXTS["zh"])
        self._hint.text = t["offline"] if self.offline else (self.hint or t["hint"])
        self._hint._band_color.rgba = (*RED[:3], 0.85) if self.offline else (0, 0, 0, 0.55)
        self._preview_color.rgba = (0.3, 0.3, 0.3, 1) if self.offline else (1, 1, 1, 1)

    def _recolor(self, *args: Any) -> None:
        self._guide_color.rgba = self.guide_color

    # -- codes -----------------------------------------------------------------------------
    def _code_from_worker(self, code: QrCode) -> None:
        """Runs on the reader thread: hand the code to the UI thread."""
        self._deliver(code)

    @mainthread
    def _deliver(self, code: QrCode) -> None:
        if not self.running:
            return
        self.codes_seen += 1
        try:
            verdict = self.on_code(code) if self.on_code is not None else None
        except Exception as exc:  # the screen's handler failed: say so in red, keep scanning
            log.exception("CameraView on_code failed: %s", exc)
            verdict = False
        self.show_feedback(verdict)

    def show_feedback(self, verdict: Any) -> None:
        """Show what a code got (see the module docstring for what ``verdict`` may be)."""
        t = TEXTS.get(self.lang, TEXTS["zh"])
        if verdict is None or verdict is True:
            ok, text = True, t["ok"]
        elif verdict is False:
            ok, text = False, t["wrong"]
        elif isinstance(verdict, str):
            ok, text = False, verdict
        else:
            ok = bool(getattr(verdict, "ok", False))
            text = getattr(verdict, "message_en" if self.lang == "en" else "message_zh", "") or \
                (t["ok"] if ok else t["wrong"])
        self.verdict = "ok" if ok else "wrong"
        self.message = text
        color = GREEN if ok else RED
        self.guide_color = list(color)
        self._status.text = text
        self._status._band_color.rgba = color
        self._status.opacity = 1
        if self._clear_event is not None:
            self._clear_event.cancel()
        self._clear_event = Clock.schedule_once(lambda dt: self._clear_feedback(), self.feedback_s)

    def _clear_feedback(self) -> None:
        self.verdict = ""
        self.message = ""
        self.guide_color = list(GUIDE)
        self._status.opacity = 0
        self._status.text = ""


# -- standalone run (the UI test's subprocess, and a quick look for developers) -------------------

def _main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    p = argparse.ArgumentParser(description="CameraView on its own")
    p.add_argument("--camera", default="sim://", help="camera URL (default: the simulator)")
    p.add_argument("--show", action="append", default=[], help="simulator: text to show (repeatable, in turn)")
    p.add_argument("--each", type=float, default=2.5, help="seconds each --show is held up")
    p.add_argument("--shot", default="", help="screenshot file name prefix (one per --show)")
    p.add_argument("--size", default="1280x800")
    p.add_argument("--lang", default="zh")
    p.add_argument("--unplug", action="store_true", help="simulator: unplug the camera at the end (offline state)")
    args = p.parse_args(argv)

    from screens.bootstrap import prepare

    width, height = (int(v) for v in args.size.split("x"))
    prepare(fullscreen=False, size=(width, height))
    from kivy.app import App
    from kivy.core.window import Window

    from kiosk.camera import open_camera, parse
    from screens.fonts import register_default_font

    register_default_font()
    camera = open_camera(args.camera, fps=25)
    result: dict[str, Any] = {"codes": [], "verdicts": [], "shots": [], "fps": [], "error": None}

    def on_code(code: QrCode) -> Any:
        verdict = parse(code.text)
        result["codes"].append({"text": code.text, "decoder": code.decoder})
        return verdict

    class ViewApp(App):
        def build(self) -> CameraView:
            self.view = CameraView(camera=camera, on_code=on_code, lang=args.lang)
            return self.view

        def on_start(self) -> None:
            self.step = 0
            self.started = time.monotonic()
            Clock.schedule_once(self.next_step, 0.8)

        def next_step(self, dt: float) -> None:
            if self.step > 0:  # what the last shown code got, and how smooth the preview was
                result["verdicts"].append(self.view.verdict)
                result["fps"].append(round(self.view.preview_fps, 1))
                if args.shot:
                    result["shots"].append(Window.screenshot(name=f"{args.shot}-{self.step}.png"))
            if self.step < len(args.show):
                if camera.simulator is not None:
                    camera.simulator.show_text(args.show[self.step])
                self.step += 1
                Clock.schedule_once(self.next_step, args.each)
                return
            result["frames_shown"] = self.view.frames_shown
            result["textures_created"] = self.view.textures_created
            result["elapsed_s"] = round(time.monotonic() - self.started, 2)
            result["camera_frames"] = camera.counters["frames"]
            if args.unplug and camera.simulator is not None:
                camera.simulator.unplug()
                Clock.schedule_once(self.unplugged, 1.5)
                return
            self.stop()

        def unplugged(self, dt: float) -> None:
            result["offline"] = self.view.offline
            result["hint"] = self.view._hint.text
            if args.shot:
                result["shots"].append(Window.screenshot(name=f"{args.shot}-offline.png"))
            camera.simulator.replug()
            self.stop()

    try:
        ViewApp().run()
    except Exception as exc:  # report, don't hang the test
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        camera.close()
        if camera.simulator is not None:
            camera.simulator.cleanup()
    print("CAMERAVIEW " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if result["error"] is None else 1


if __name__ == "__main__":
    raise SystemExit(_main())
