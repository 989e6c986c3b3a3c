"""kiosk.toml: defaults, validation with one clear line, --simulate, and the CLI's exit codes."""

import subprocess
import sys

import pytest

from kiosk import config


def test_defaults_are_valid_and_example_round_trips(tmp_path):
    cfg = config.load()
    assert cfg.kiosk.idle_timeout_s == 90 and cfg.kiosk.idle_warning_s == 15
    example = tmp_path / "kiosk.toml"
    example.write_text(config.example(), encoding="utf-8")
    assert config.load(example).as_dict() == cfg.as_dict()


def test_simulate_puts_every_device_on_its_simulator():
    cfg = config.load(simulate=True)
    for section in config.DEVICE_SECTIONS:
        assert cfg[section]["url"] == "sim://"
    assert cfg.platform.url == "embedded"


@pytest.mark.parametrize("body, words", [
    ("[kiosk]\nidle_timeout_s = -3\n", ["[kiosk] idle_timeout_s = -3", "between"]),
    ("[kiosk]\nsite_type = \"shop\"\n", ["site_type = 'shop'", "hall"]),
    ("[kiosk]\nidle_timeout_s = \"ninety\"\n", ["idle_timeout_s = 'ninety'", "whole number"]),
    ("[kiosk]\nfullscreen = 1\n", ["fullscreen = 1", "true/false"]),
    ("[kiosk]\ncolour = \"red\"\n", ["unknown key `colour`"]),
    ("[printer]\nurl = \"x\"\n", ["unknown section [printer]"]),
    ("[devices.idcard]\nbaud = 12345\n", ["[devices.idcard] baud = 12345"]),
    ("[kiosk\n", ["not valid TOML"]),
])
def test_bad_config_names_key_and_value(tmp_path, body, words):
    path = tmp_path / "kiosk.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    for w in words:
        assert w in str(err.value)


def test_cli_bad_config_is_one_line_and_nonzero(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("[kiosk]\nidle_warning_s = 200\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "service.contract.cli", "config", "check", "--config", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "idle_warning_s = 200" in lines[0] and "Traceback" not in out.stderr


def test_pin_gate_locks_after_max_tries():
    from kiosk.pin import PinGate, hash_pin

    now = [1000.0]
    gate = PinGate(hash_pin("1357", iterations=1000), max_tries=5, lock_s=300, clock=lambda: now[0])
    assert gate.attempt("1357")
    for _ in range(5):
        assert not gate.attempt("0000")
    assert gate.locked_for == 300
    assert not gate.attempt("1357")  # locked even with the right PIN
    now[0] += 301
    assert gate.attempt("1357")
