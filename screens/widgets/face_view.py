"""The citizen's own image during the face step (mirrored, with an oval to stand in), one reused texture.

Unlike :class:`CameraView` it decodes nothing: it only shows the newest frame the camera thread holds.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import ObjectProperty
from kivy.uix.widget import Widget


class FaceView(Widget):
    camera = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        self._event = None
        self._seq = -1
        with self.canvas:
            Color(0.1, 0.1, 0.12, 1)
            self._bg = Rectangle(pos=self.pos, size=self.size)
            Color(1, 1, 1, 1)
            self._image = Rectangle(pos=self.pos, size=(0, 0))
            Color(1, 1, 1, 0.9)
            self._oval = Line(width=3)
        self.bind(pos=self._layout, size=self._layout)

    def start(self) -> None:
        if self._event is None:
            self._event = Clock.schedule_interval(self._tick, 1 / 15)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _tick(self, dt: float) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None or frame.seq == self._seq:
            return
        self._seq = frame.seq
        rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
        rgb = np.ascontiguousarray(rgb[::-1, ::-1])  # GL rows go upwards; mirrored like a looking glass
        h, w = rgb.shape[:2]
        if self._texture is None or self._texture.size != (w, h):
            self._texture = Texture.create(size=(w, h), colorfmt="rgb")
        self._texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self._image.texture = self._texture
        self._layout()

    def _layout(self, *args: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        if self._texture is not None:
            w, h = self._texture.size
            scale = min(self.width / w, self.height / h)
            size = (w * scale, h * scale)
            self._image.size = size
            self._image.pos = (self.center_x - size[0] / 2, self.center_y - size[1] / 2)
        rx, ry = self.height * 0.22, self.height * 0.32
        self._oval.ellipse = (self.center_x - rx, self.center_y - ry, 2 * rx, 2 * ry)
