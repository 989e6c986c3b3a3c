"""The kiosk shell in a real Kivy window under Xvfb: home, language, idle wipe, maintenance PIN."""

import os
import subprocess
import sys

from PIL import Image

from tests.uihelp import needs_display, run_script


@needs_display
def test_home_language_idle_wipe(tmp_path):
    outcome = run_script("tests.uiscripts:home_language_idle", tmp_path)
    events = [e for e, _ in outcome["events"]]
    assert events.index("language") < events.index("idle_warning") < events.index("wiped")
    assert outcome["result"]["wipes"] == 1
    assert len(outcome["shots"]) == 4
    # the home screen really shows something: the blue header and tiles, not a blank window
    img = Image.open(outcome["shots"][0]).convert("RGB")
    assert img.size == (1920, 1080)
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # anti-aliased CJK text gives many shades


@needs_display
def test_maintenance_pin_locks_after_five_wrong(tmp_path):
    outcome = run_script("tests.uiscripts:maintenance_pin", tmp_path)
    assert outcome["result"]["events"].count("pin_wrong") == 4
    assert "pin_locked" in outcome["result"]["events"]


@needs_display
def test_maintenance_enter_and_leave(tmp_path):
    outcome = run_script("tests.uiscripts:maintenance_enter", tmp_path, "--simulate")  # the development PIN
    assert ("maintenance", "entered") in [tuple(e) for e in outcome["events"]]
    assert ("wiped", "maintenance left") in [tuple(e) for e in outcome["events"]]


@needs_display
def test_maintenance_test_print_checks_and_lock(tmp_path):
    outcome = run_script("tests.uiscripts:maintenance_full", tmp_path, "--simulate", timeout=240)
    events = [tuple(e) for e in outcome["result"]["events"]]
    assert ("maintenance", "entered") in events
    assert ("maintenance", "check_interactive:receipt_printer") in events
    assert ("maintenance", "run_all_checks") in events
    assert [e for e in events if e[0] == "pin_wrong"] and ("pin_locked", "") in events
    assert "打印机自检" in outcome["result"]["test_page"]


@needs_display
def test_trade_name_typed_on_the_on_screen_keyboard(tmp_path):
    outcome = run_script("tests.uiscripts:keyboard_typing", tmp_path, "--simulate", timeout=180)
    assert outcome["result"]["trade"] == "星火"


def _yzt(*args, env=None):
    return subprocess.run([sys.executable, "-m", "service.contract.cli", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_missing_display_is_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env["YZT_DATA_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-m", "service.contract.cli", "kiosk", "--simulate"], capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 3
    assert out.stderr.strip().splitlines() == [
        "yzt kiosk: no display: DISPLAY is not set (run under X, or use `yzt demo`, which starts Xvfb)"]


@needs_display
def test_missing_font_is_one_clear_line(tmp_path):
    out = _yzt("kiosk", "--simulate", env={"YZT_FONT": str(tmp_path / "nope.otf"), "YZT_DATA_DIR": str(tmp_path)})
    assert out.returncode == 4
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.otf does not exist" in lines[0]


@needs_display
def test_every_screen_is_translated_large_enough_and_readable(tmp_path):
    """Every screen, and the states some visits see (dialogs, each result, the farewell with a rating, search
    results, the keyboard), in zh and en, normal and large type: no ⟦key⟧, no target under 48 px, contrast
    ≥ 4.5:1, nothing off screen, and no text clipped, spilling out of its box or overlapping. The audit first
    proves it can fail: faults made on a real screen are found."""
    outcome = run_script("tests.uiscripts:audit_every_screen", tmp_path, timeout=360)
    result = outcome["result"]
    made = result["self_test_findings"]
    assert {"overlap", "clipped", "spills", "contrast"} <= set(result["self_test"])
    assert any("重叠的文字一" in f and "重叠的文字二" in f for f in made)  # two labels drawn over each other
    assert any("被挤压的标题" in f and "panel" in f for f in made)  # a squeezed title pushed into the header
    assert any("shortened" in f for f in made) and any("not drawn" in f for f in made)
    assert any("压在按钮上的字" in f and "button" in f for f in made)
    assert result["screens"] >= 19
    assert result["findings"] == {}


def test_audit_finds_what_it_should():
    """The audit itself can fail: a pale label and a tiny button are reported (no window needed for the maths)."""
    from screens.audit import contrast

    assert contrast((0.6, 0.6, 0.6), (1, 1, 1)) < 4.5
    assert contrast((0.043, 0.047, 0.047), (1, 1, 1)) > 18
    assert round(contrast((1, 1, 1), (0.043, 0.239, 0.569)), 1) >= 4.5


def test_catalogues_have_the_same_keys_and_every_used_key():
    import re
    from pathlib import Path

    from kiosk.i18n import catalogue, duplicate_keys, missing_keys

    assert missing_keys() == {} and duplicate_keys() == {}
    used = set()
    for path in Path("screens").rglob("*"):
        if path.suffix in (".kv", ".py"):
            used |= set(re.findall(r"tr\(['\"]([a-z_.0-9]+)['\"]", path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith((".", "_"))}  # prefixes completed at run time
    assert used - set(catalogue("zh")) == set()
