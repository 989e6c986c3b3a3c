"""kiosk.toml: defaults, validation with one clear line, --simulate, and the CLI's exit codes."""

import subprocess
import sys

import pytest

from kiosk import config


def _yzt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.contract.cli", *args], capture_output=True, text=True,
                          timeout=120, input=stdin)


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


def test_the_lockout_survives_a_restart(tmp_path):
    from kiosk.pin import PinGate, hash_pin

    stored, state = hash_pin("135790", iterations=1000), tmp_path / "pin-lock.json"
    gate = PinGate(stored, max_tries=5, lock_s=300, state_file=state)
    for _ in range(4):
        assert not gate.attempt("000000")
    again = PinGate(stored, max_tries=5, lock_s=300, state_file=state)  # the kiosk restarted
    assert not again.attempt("000000") and again.locked_for > 290  # the fifth wrong try locks
    assert not PinGate(stored, max_tries=5, lock_s=300, state_file=state).attempt("135790")
    assert oct(state.stat().st_mode & 0o777) == "0o600"


def test_the_development_pin_opens_only_a_simulated_kiosk():
    from kiosk.pin import DEVELOPMENT_PIN, PinGate

    assert PinGate("", development=True).attempt(DEVELOPMENT_PIN)
    assert not PinGate("").attempt(DEVELOPMENT_PIN) and not PinGate("").attempt("")


def test_a_real_kiosk_without_its_own_pin_fails_config_check_and_doctor(tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "d"}"\n[platform]\nurl = "http://127.0.0.1:9"\n'
                   '[devices.idcard]\nurl = ""\n[devices.camera]\nurl = ""\n[devices.receipt_printer]\nurl = ""\n'
                   '[devices.document_printer]\nurl = ""\n', encoding="utf-8")
    check = _yzt("config", "check", "--config", str(cfg))
    assert check.returncode == 2 and len(check.stderr.strip().splitlines()) == 1 and "pin_hash" in check.stderr
    doctor = _yzt("doctor", "--config", str(cfg), "--json")
    rows = {r["check"]: r for r in __import__("json").loads(doctor.stdout)["checks"]}
    assert doctor.returncode == 1 and rows["security"]["ok"] is False and "pin_hash" in rows["security"]["message"]
    assert _yzt("config", "check", "--config", str(cfg), "--simulate").returncode == 0  # simulated: exempt


def test_pin_hash_refuses_short_pins_and_never_takes_one_on_the_command_line():
    short = _yzt("pin-hash", "--stdin", stdin="1234\n")
    assert short.returncode == 2 and "6 to 12 digits" in short.stderr
    made = _yzt("pin-hash", "--stdin", stdin="482913\n")
    from kiosk.pin import verify_pin

    assert made.returncode == 0 and verify_pin("482913", made.stdout.strip())
    assert _yzt("pin-hash", "--pin", "482913").returncode == 2  # argparse: no such option
