"""Accessibility audit of what is on screen: untranslated strings, small touch targets, low contrast.

Used by the test that walks every screen in both languages and in large-text mode. Contrast is
computed as WCAG 2 does (relative luminance), text colour against the nearest painted background.
"""

from __future__ import annotations

from typing import Any, Iterator

from screens.theme import TOUCH_MIN


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    a, b = luminance(fg), luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def walk(widget: Any) -> Iterator[Any]:
    stack = [widget]
    while stack:
        w = stack.pop()
        yield w
        stack.extend(w.children)


def _background(widget: Any) -> tuple[float, ...]:
    """The colour painted behind ``widget``: its own button colour, or the nearest ancestor's fill."""
    from kivy.graphics import Color, Rectangle, RoundedRectangle
    from kivy.uix.button import Button

    if isinstance(widget, Button) and widget.background_normal == "":
        return tuple(widget.background_color)
    for w in [widget, *_ancestors(widget)]:
        color = None
        for instr in w.canvas.before.children if w.canvas.before else []:
            if isinstance(instr, Color):
                color = tuple(instr.rgba)
            elif isinstance(instr, (Rectangle, RoundedRectangle)) and color is not None and color[3] > 0.5:
                if instr.size[0] >= w.width * 0.5 and instr.size[1] >= w.height * 0.5:
                    return color
    return (1, 1, 1, 1)


def audit(root: Any) -> list[str]:
    """Findings for every visible widget below ``root`` (an empty list is a pass)."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    findings: list[str] = []
    for w in walk(root):
        if getattr(w, "opacity", 1) == 0 or getattr(w, "disabled", False) and getattr(w, "opacity", 1) == 0:
            continue
        if any(getattr(p, "opacity", 1) == 0 for p in _ancestors(w)):
            continue
        if isinstance(w, Label) and w.text and _clipped_by_scroll(w):
            continue
        if isinstance(w, Label) and w.text and (w.to_window(w.x, w.top)[1] > root.top + 1 or
                                                w.to_window(w.x, w.y)[1] < root.y - 1):
            findings.append(f"off screen: {w.text[:20]!r}")
        if isinstance(w, Label) and w.text:
            if "⟦" in w.text:
                findings.append(f"untranslated: {w.text!r}")
            bg = _background(w)
            ratio = contrast(tuple(w.color), bg)
            if ratio < 4.5 and w.width > 0:
                findings.append(f"contrast {ratio:.2f} for {w.text[:20]!r}")
        if isinstance(w, ButtonBehavior) and w.width > 0 and (w.width < TOUCH_MIN or w.height < TOUCH_MIN):
            findings.append(f"touch target {w.width:.0f}×{w.height:.0f} for {getattr(w, 'text', type(w).__name__)!r}")
    return findings


def _clipped_by_scroll(w: Any) -> bool:
    """Inside a ScrollView: what is outside its viewport is scrolled, not lost."""
    from kivy.uix.scrollview import ScrollView

    return any(isinstance(p, ScrollView) for p in _ancestors(w))


def _ancestors(w: Any) -> Iterator[Any]:
    """Parents up to (not including) the window, whose parent is itself."""
    seen = {id(w)}
    p = w.parent
    while p is not None and id(p) not in seen and p.parent is not p:
        seen.add(id(p))
        yield p
        p = p.parent
