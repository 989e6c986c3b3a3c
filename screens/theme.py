"""Colours and sizes of the kiosk, in one place (contrast ≥ 4.5:1 checked by the accessibility test)."""

BLUE = (0.043, 0.239, 0.569, 1)  # #0B3D91 header, primary buttons
BLUE_DARK = (0.027, 0.157, 0.388, 1)
INK = (0.043, 0.047, 0.047, 1)  # #0B0C0C body text
MUTED = (0.27, 0.29, 0.31, 1)  # secondary text, 8.6:1 on white
PAPER = (1, 1, 1, 1)
PANEL = (0.953, 0.949, 0.945, 1)  # #F3F2F1
GREEN = (0.0, 0.439, 0.235, 1)  # #00703C success
RED = (0.831, 0.208, 0.075, 1)  # #D4351C error (text on it is white, 4.5:1)
RED_TEXT = (0.639, 0.149, 0.055, 1)  # #A3260E error text on white or panel (6.6:1 on the panel)
YELLOW = (1.0, 0.867, 0.0, 1)  # focus ring
WHITE = (1, 1, 1, 1)

TOUCH_MIN = 48  # px at 1080p: the smallest touch target allowed
ELDERLY_SCALE = 1.5
