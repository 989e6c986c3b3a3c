"""The signature pad: smooth strokes, clear, a minimum-ink check, exported as PNG bytes and stroke data."""

from __future__ import annotations

import hashlib
import io
import json
import math
from typing import Any

from kivy.graphics import Color, Line
from kivy.properties import ListProperty, NumericProperty
from kivy.uix.widget import Widget

MIN_INK_PX = 150.0  # shorter total stroke length than this is not a signature (a tap, a dot)


class SignaturePad(Widget):
    strokes = ListProperty([])  # [[x0, y0, x1, y1, …], …] in widget coordinates
    ink = NumericProperty(0.0)  # total stroke length in px

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lines: list[Line] = []

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        with self.canvas:
            Color(0.04, 0.05, 0.05, 1)
            line = Line(points=[touch.x, touch.y], width=2.2, cap="round", joint="round")
        self._lines.append(line)
        self.strokes = [*self.strokes, [touch.x - self.x, touch.y - self.y]]
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or not self._lines:
            return False
        if not self.collide_point(*touch.pos):
            return True
        line = self._lines[-1]
        px, py = line.points[-2], line.points[-1]
        self.ink += math.hypot(touch.x - px, touch.y - py)
        line.points = [*line.points, touch.x, touch.y]
        self.strokes[-1].extend([touch.x - self.x, touch.y - self.y])
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            return True
        return False

    def clear(self) -> None:
        for line in self._lines:
            self.canvas.remove(line)
        self.canvas.clear()
        self._lines = []
        self.strokes = []
        self.ink = 0.0

    @property
    def enough_ink(self) -> bool:
        return self.ink >= MIN_INK_PX

    def export(self) -> tuple[bytes, str, str]:
        """(PNG bytes, stroke JSON, SHA-256 over both) — the hash goes into the application."""
        from kivy.core.image import Image as CoreImage

        texture = self.export_as_image().texture
        buf = io.BytesIO()
        CoreImage(texture).save(buf, fmt="png")
        png = buf.getvalue()
        strokes = json.dumps([[round(v, 1) for v in s] for s in self.strokes], separators=(",", ":"))
        digest = hashlib.sha256(png + strokes.encode()).hexdigest()
        return png, strokes, digest
