"""A QR code drawn from text (segno → PNG → texture): the e-licence and progress codes on screen."""

from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.properties import StringProperty
from kivy.uix.image import Image


class QrImage(Image):
    data = StringProperty("")

    def on_data(self, *args: object) -> None:
        if not self.data:
            self.texture = None
            return
        import segno

        buf = io.BytesIO()
        segno.make(self.data, error="m").save(buf, kind="png", scale=8, border=2)
        buf.seek(0)
        texture = CoreImage(buf, ext="png").texture
        texture.mag_filter = "nearest"  # crisp modules however large it is shown
        self.texture = texture
