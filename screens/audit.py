"""Accessibility audit of what is on screen: untranslated strings, small touch targets, low contrast,
and text that does not hold: clipped, spilling out of its box, or overlapping other text or controls.

Used by the test that walks every screen in both languages and in large-text mode. Contrast is
computed as WCAG 2 does (relative luminance), text colour against the nearest painted background.

Where text really is: a Kivy label draws its texture centred on the widget, whatever the widget's
size, so a squeezed layout draws text over its neighbours without any error. The audit takes the
laid-out lines of each label (the core label's ``_cached_lines``: each line's x, y, width and
height inside the texture) and places them in window coordinates: those are the glyph boxes a
person sees. Findings:

* ``clipped``: characters of the text were dropped (a fixed ``text_size`` too small for the lines)
  or the text was shortened with an ellipsis;
* ``spills``: the glyphs reach more than a few pixels outside the label's own box;
* ``overlap``: the glyphs of two labels cross, or a label's glyphs cross a button, or a painted
  panel (the header, an error box) that is not one of its own ancestors;
* ``off screen``: text above or below the window.

Inside a scroll view only the part in the viewport counts (the rest is scrolled, not lost).
"""

from __future__ import annotations

from typing import Any, Iterator

from screens.theme import TOUCH_MIN

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window coordinates
SLACK = 3  # px: rounding and anti-aliasing, never a finding


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


def _painted(widget: Any) -> bool:
    """Does ``widget`` paint an opaque panel over (most of) its box (the header, an error box, a tile)?"""
    from kivy.graphics import Color, Rectangle, RoundedRectangle

    color = None
    for instr in widget.canvas.before.children if widget.canvas.before else []:
        if isinstance(instr, Color):
            color = tuple(instr.rgba)
        elif isinstance(instr, (Rectangle, RoundedRectangle)) and color is not None and color[3] > 0.5:
            if instr.size[0] >= widget.width * 0.5 and instr.size[1] >= widget.height * 0.5 and widget.width > 0:
                return True
    return False


def _hidden(w: Any) -> bool:
    return getattr(w, "opacity", 1) == 0 or any(getattr(p, "opacity", 1) == 0 for p in _ancestors(w))


def audit(root: Any) -> list[str]:
    """Findings for every visible widget below ``root`` (an empty list is a pass)."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    findings: list[str] = []
    texts: list[tuple[Any, list[Rect]]] = []  # each visible label with its glyph boxes
    boxes: list[tuple[Any, Rect, str]] = []  # buttons and painted panels text must not cross
    order = {id(w): i for i, w in enumerate(drawn(root))}  # later draws on top
    panels = [(w, _window_rect(w)) for w in walk(root) if w is not root and not _hidden(w) and _painted(w)]
    for w in walk(root):
        if _hidden(w) or _covered(w, panels, order):
            continue
        if isinstance(w, Label) and w.text and _settled(w):
            findings += _text_findings(w, root, texts)
        if isinstance(w, ButtonBehavior) and w.width > 0 and (w.width < TOUCH_MIN or w.height < TOUCH_MIN):
            findings.append(f"touch target {w.width:.0f}×{w.height:.0f} for {getattr(w, 'text', type(w).__name__)!r}")
        if w is not root and w.width > 0 and w.height > 0 and (isinstance(w, ButtonBehavior) or _painted(w)):
            boxes.append((w, _visible(w, _window_rect(w)), _name(w)))
    findings += _overlaps(texts, boxes)
    return findings


def _text_findings(w: Any, root: Any, texts: list[tuple[Any, list[Rect]]]) -> list[str]:
    out: list[str] = []
    if "⟦" in w.text:
        out.append(f"untranslated: {w.text!r}")
    ratio = contrast(tuple(w.color), _background(w))
    if ratio < 4.5 and w.width > 0:
        out.append(f"contrast {ratio:.2f} for {w.text[:20]!r}")
    lines = glyph_boxes(w)
    dropped = _dropped(w)
    if dropped:
        out.append(f"clipped: {w.text[:24]!r} ({dropped})")
    box = _window_rect(w)
    spill = max([0.0] + [max(box[0] - r[0], box[1] - r[1], r[2] - box[2], r[3] - box[3]) for r in lines])
    if spill > SLACK + 1:
        out.append(f"spills {spill:.0f} px out of its box: {w.text[:24]!r}")
    visible = [v for v in (_visible(w, r) for r in lines) if v[2] - v[0] > 0 and v[3] - v[1] > 0]
    in_scroll = _scroll_parent(w) is not None
    if visible and not in_scroll:
        top = max(r[3] for r in visible)
        bottom = min(r[1] for r in visible)
        if top > root.top + SLACK or bottom < root.y - SLACK:
            out.append(f"off screen: {w.text[:20]!r}")
    texts.append((w, visible))
    return out


def drawn(root: Any) -> Iterator[Any]:
    """Widgets in the order they are drawn: a widget, then its children from the first added to the last."""
    stack = [root]
    while stack:
        w = stack.pop()
        yield w
        stack.extend(w.children)  # children[0] (added last) is popped last: drawn on top


def _covered(w: Any, panels: list[tuple[Any, Rect]], order: dict[int, int]) -> bool:
    """Is ``w`` wholly under an opaque panel drawn after it (an open overlay): then it is not seen at all."""
    rect = _window_rect(w)
    mine = order.get(id(w), 0)
    for panel, prect in panels:
        if order.get(id(panel), 0) > mine and not _related(w, panel) and \
                prect[0] <= rect[0] + SLACK and prect[1] <= rect[1] + SLACK and \
                prect[2] >= rect[2] - SLACK and prect[3] >= rect[3] - SLACK:
            return True
    return False


def _settled(w: Any) -> bool:
    """The label has drawn its current text (a text set this very frame is drawn on the next)."""
    trigger = getattr(w, "_trigger_texture", None)
    return not getattr(trigger, "is_triggered", False)


def _overlaps(texts: list[tuple[Any, list[Rect]]], boxes: list[tuple[Any, Rect, str]]) -> list[str]:
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    for i, (a, ra) in enumerate(texts):
        for b, rb in texts[i + 1:]:
            if _related(a, b):
                continue
            if any(_cross(x, y) for x in ra for y in rb):
                out.append(f"overlap: {a.text[:20]!r} × {b.text[:20]!r}")
        for box, rect, name in boxes:
            if box is a or _related(a, box) or (id(a), id(box)) in seen:
                continue
            if any(_cross(x, rect) for x in ra):
                seen.add((id(a), id(box)))
                out.append(f"overlap: {a.text[:20]!r} over {name}")
    return out


def _name(w: Any) -> str:
    text = getattr(w, "text", "")
    return f"button {text[:16]!r}" if text else f"{type(w).__name__} panel"


def _related(a: Any, b: Any) -> bool:
    """One inside the other: a button's own label, a tile's title — not an overlap."""
    return any(p is b for p in _ancestors(a)) or any(p is a for p in _ancestors(b))


def _cross(a: Rect, b: Rect) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > SLACK and min(a[3], b[3]) - max(a[1], b[1]) > SLACK


def _window_rect(w: Any) -> Rect:
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def glyph_boxes(w: Any) -> list[Rect]:
    """Where the label's lines of text are drawn, in window coordinates (one box a line)."""
    core = getattr(w, "_label", None)
    tw, th = w.texture_size
    if core is None or not tw or not th:
        return []
    left = int(w.center_x - tw / 2.0)
    top = int(w.center_y - th / 2.0) + th
    out = []
    for line in getattr(core, "_cached_lines", None) or []:
        if not line.w or not any(word.text.strip() for word in line.words):
            continue
        x0, y0 = w.to_window(left + line.x, top - line.y - line.h)
        x1, y1 = w.to_window(left + line.x + line.w, top - line.y)
        out.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return out


def _dropped(w: Any) -> str:
    """Why the label does not show all of its text ('' when it does)."""
    core = getattr(w, "_label", None)
    if core is None:
        return ""
    if getattr(core, "is_shortened", False):
        return "shortened"
    if getattr(w, "markup", False):
        return ""  # markup tags are not in the laid-out words; checked by the shortening only
    shown = "".join(word.text for line in getattr(core, "_cached_lines", None) or [] for word in line.words)
    want = "".join(w.text.split())
    got = "".join(shown.split())
    if len(got) < len(want):
        return f"{len(want) - len(got)} of {len(want)} characters not drawn"
    return ""


def _scroll_parent(w: Any) -> Any:
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.stencilview import StencilView

    return next((p for p in _ancestors(w) if isinstance(p, (ScrollView, StencilView))), None)


def _visible(w: Any, rect: Rect) -> Rect:
    """``rect`` cut to the viewports of the scroll views around ``w`` (what is scrolled away is not lost)."""
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.stencilview import StencilView

    x0, y0, x1, y1 = rect
    for p in _ancestors(w):
        if isinstance(p, (ScrollView, StencilView)):
            px0, py0, px1, py1 = _window_rect(p)
            x0, y0, x1, y1 = max(x0, px0), max(y0, py0), min(x1, px1), min(y1, py1)
    return (x0, y0, max(x0, x1), max(y0, y1))


def _ancestors(w: Any) -> Iterator[Any]:
    """Parents up to (not including) the window, whose parent is itself."""
    seen = {id(w)}
    p = w.parent
    while p is not None and id(p) not in seen and p.parent is not p:
        seen.add(id(p))
        yield p
        p = p.parent
