"""Device options declared once by each device: composed into kiosk.toml, passed through to the
drivers, and refused — by `yzt config check`, at build time and in URLs — when a device does not
declare them, with one line naming them and the known ones."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from devices.base import DeviceState
from devices.idcard.samples import SAMPLE_CARDS
from devices.options import Declaration, OptionError
from devices.registry import KINDS, check_url, declaration, open_device
from kiosk import config
from tests.devicehelp import wait_for

pytestmark = pytest.mark.timeout(60)

YZT = str(Path(sys.executable).with_name("yzt"))


def _toml(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n{body}', encoding="utf-8")
    return path


def _yzt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YZT, *args], capture_output=True, text=True, timeout=60, check=False)


# -- declared once, composed into kiosk.toml --------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_each_device_section_is_url_required_and_what_the_device_declares(kind):
    declared = declaration(kind)
    assert isinstance(declared, Declaration) and declared.kind == kind
    section = config.SPEC[f"devices.{kind}"]
    assert list(section) == ["url", "required", *(o.name for o in declared.configurable)]
    assert section["url"].default == declared.default_url and section["required"].default == declared.required
    for option in declared.configurable:
        key = section[option.name]
        assert key.default == option.default and key.doc == option.doc and option.doc


def test_baud_only_where_there_is_a_serial_line_and_the_options_the_issue_names():
    keys = {kind: set(config.SPEC[f"devices.{kind}"]) for kind in KINDS}
    assert {kind for kind, names in keys.items() if "baud" in names} == {"idcard", "qr_scanner", "receipt_printer"}
    assert {"columns", "profile"} <= keys["receipt_printer"]
    assert {"fps", "width", "height"} <= keys["camera"]
    assert {"read_fingerprint", "wlt_library"} <= keys["idcard"]
    assert "timeout_s" not in keys["qr_scanner"]  # a line-mode scanner never answers: no answer to wait for
    assert "jobs" not in keys["receipt_printer"] and "remember_personal" not in keys["idcard"]  # code-only


def test_the_generated_documentation_lists_every_device_option():
    doc = config.document()
    for kind in KINDS:
        for option in declaration(kind).configurable:
            assert f"| [devices.{kind}] | `{option.name}` |" in doc
    assert "`sim://` takes `?card=`" in doc and "`cups://` takes `?server=`" in doc


def test_config_check_accepts_declared_keys_and_refuses_others(tmp_path):
    from kiosk.pin import hash_pin

    pin = f'[maintenance]\npin_hash = "{hash_pin("135792", iterations=10_000)}"\n'  # a real kiosk has its PIN
    good = _toml(tmp_path, pin + '[devices.receipt_printer]\nurl = "sim://"\ncolumns = 32\n'
                           '[devices.camera]\nurl = "sim://"\nfps = 10\nwidth = 640\nheight = 480\n'
                           '[devices.idcard]\nurl = "sim://?card=zhang"\nread_fingerprint = true\n')
    done = _yzt("config", "check", "--config", str(good))
    assert done.returncode == 0 and done.stdout.strip() == f"{good}: ok", done.stderr

    bad = _toml(tmp_path, '[devices.camera]\nurl = "sim://"\nbaud = 9600\n')
    done = _yzt("config", "check", "--config", str(bad))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "[devices.camera]" in lines[0] and "`baud`" in lines[0]
    assert all(name in lines[0] for name in ("fps", "width", "height", "timeout_s"))


@pytest.mark.parametrize("body, words", [
    ('[devices.receipt_printer]\ncolumns = 100\n', ["[devices.receipt_printer] columns = 100", "between 24 and 48"]),
    ('[devices.receipt_printer]\ncolumns = "32"\n', ["columns = '32'", "whole number"]),
    ('[devices.receipt_printer]\nprofile = "TM-NOPE"\n', ["profile = 'TM-NOPE'", "profile"]),
    ('[devices.receipt_printer]\nflow = "hardware"\n', ["flow = 'hardware'", "rtscts"]),
    ('[devices.camera]\nfourcc = "MJPEG"\n', ["fourcc = 'MJPEG'", "four characters"]),
    ('[devices.qr_scanner]\nencoding = "klingon"\n', ["encoding = 'klingon'", "encoding"]),
    ('[devices.idcard]\nbaud = 12345\n', ["[devices.idcard] baud = 12345", "115200"]),
    ('[devices.document_printer]\nbaud = 9600\n', ["unknown key `baud` in [devices.document_printer]", "job_timeout_s"]),
    ('[devices.idcard]\nurl = "sim://?unpluged=1"\n', ["[devices.idcard] url = 'sim://?unpluged=1'", "`unpluged`",
                                                      "unplugged"]),
    ('[devices.idcard]\nurl = "sim://?card=nobody&pace=0"\n', ["has `card=nobody`, which must be a sample card", "zhang"]),
    ('[devices.receipt_printer]\nurl = "sim://?state=on_fire"\n', ["state=on_fire", "paper_out"]),
    ('[devices.receipt_printer]\nurl = "escpos+tcp://:9100"\n', ["escpos+tcp://:9100", "no host"]),
    ('[devices.document_printer]\nurl = "lpd://x"\n', ["lpd://x", "cups://QUEUE"]),
])
def test_bad_device_settings_name_section_key_and_value(tmp_path, body, words):
    with pytest.raises(config.ConfigError) as err:
        config.load(_toml(tmp_path, body))
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message, message


def test_config_check_refuses_unknown_url_options_without_starting_anything(tmp_path):
    before = threading.active_count()
    path = _toml(tmp_path, '[devices.idcard]\nurl = "sim://?unpluged=1"\n')
    done = _yzt("config", "check", "--config", str(path))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "`unpluged`" in done.stderr and "unplugged" in done.stderr and "card" in done.stderr
    check_url("idcard", "sim://?card=zhang")  # a good one: checked without a simulator
    assert threading.active_count() == before


def test_doctor_reports_an_unknown_url_option_in_one_line(tmp_path):
    path = _toml(tmp_path, '[devices.receipt_printer]\nurl = "sim://?stat=paper_out"\n')
    done = _yzt("doctor", "--simulate", "--config", str(path))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "`stat`" in lines[0] and "state" in lines[0], done.stderr


# -- unknown URL options refused at build time ---------------------------------------------------------------

@pytest.mark.parametrize("kind, url, unknown, known", [
    ("idcard", "sim://?unpluged=1", "unpluged", "unplugged"),
    ("camera", "sim://?unpluged=1", "unpluged", "unplugged"),
    ("qr_scanner", "sim://?baud=9600", "baud", "unplugged"),
    ("receipt_printer", "sim://?stat=paper_out&out=/tmp", "stat", "paper_lines"),
    ("receipt_printer", "escpos+tcp://127.0.0.1:9100?timeout=3", "timeout", "none"),
    ("document_printer", "cups://Licence?srv=/run/cups.sock", "srv", "server"),
    ("document_printer", "sim://?paper=out", "paper", "state"),
])
def test_unknown_url_options_are_refused_with_their_names(kind, url, unknown, known):
    before = threading.active_count()
    with pytest.raises(OptionError) as err:
        open_device(kind, url)
    message = str(err.value)
    assert isinstance(err.value, ValueError) and "\n" not in message
    assert f"`{unknown}`" in message and known in message and url in message
    assert threading.active_count() == before  # refused before any simulator started


def test_url_option_values_are_checked():
    from devices.idcard import for_url

    with pytest.raises(OptionError, match="has `quirk=maybe`, which must be 1/0"):
        for_url("sim://?quirk=maybe")
    with pytest.raises(OptionError, match="has `tcp=http`, which must be a whole number"):
        for_url("sim://?tcp=http")
    with pytest.raises(OptionError, match="paper_lines=many"):
        open_device("receipt_printer", "sim://?paper_lines=many")


def test_urls_handed_to_pyserial_keep_their_own_options():
    from devices.idcard import for_url

    reader = for_url("socket://127.0.0.1:9?nosuch=1", timeout_s=0.3)  # pyserial's handler judges its query
    with pytest.raises(Exception) as err:
        reader.open()
    assert "nosuch" in str(err.value)


def test_sim_url_options_take_effect():
    reader = open_device("idcard", "sim://?card=li&pace=0")
    with reader:
        assert reader.read_card().name == SAMPLE_CARDS["li"].name and reader.simulator.pace is False
    camera = open_device("camera", "sim://?unplugged=1", open_wait_s=1, reconnect_s=0.05)
    with camera:
        assert camera.state in (DeviceState.NO_DEVICE, DeviceState.OFFLINE)
        camera.simulator.replug()
        assert wait_for(lambda: camera.state is DeviceState.ONLINE)
    camera.simulator.cleanup()
    scanner = open_device("qr_scanner", "sim://?unplugged=1", reconnect_s=0.05)
    with scanner:
        assert scanner.state is not DeviceState.ONLINE
    scanner.simulator.close()




# -- keyword options ---------------------------------------------------------------------------------------------

def test_for_url_refuses_options_the_device_does_not_declare():
    from devices.printers.receipt import for_url

    with pytest.raises(OptionError) as err:
        for_url("sim://", colums=32)
    assert "`colums`" in str(err.value) and "columns" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(OptionError, match="columns = 100 must be between 24 and 48"):
        for_url("sim://", columns=100)
    with pytest.raises(OptionError, match="must be a whole number"):
        for_url("sim://", columns="32")


def test_the_registry_leaves_out_other_devices_options_and_refuses_typos():
    camera = open_device("camera", "sim://", baud=9600, fps=5)  # baud belongs to the serial devices
    assert camera.frame_timeout_s == 3.5
    camera.simulator.cleanup()
    with pytest.raises(OptionError, match="`fsp`"):
        open_device("camera", "sim://", fsp=5)


# -- configured options reach the drivers ------------------------------------------------------------------------

def _runtime(tmp_path: Path, body: str):
    from kiosk.runtime import Runtime

    empty = "".join(f'[devices.{k}]\nurl = ""\n' for k in KINDS if f"[devices.{k}]" not in body)
    return Runtime.build(config.load(_toml(tmp_path, body + empty)), open_devices=False)


def test_a_receipt_printer_configured_for_58mm_prints_32_column_lines(tmp_path):
    from devices.printers.blocks import Cut, KeyValue, Receipt, Rule, Text, Title
    from devices.printers.encode import display_width

    rt = _runtime(tmp_path, '[devices.receipt_printer]\nurl = "sim://"\ncolumns = 32\nstatus_timeout_s = 0.3\n')
    try:
        assert not rt.device_errors, rt.device_errors
        printer = rt.devices["receipt_printer"]
        assert printer.columns == 32 and printer.status_timeout_s == 0.3 and printer.settle_s == 0
        printer.open()
        receipt = Receipt("acceptance", "app-58", "受理回执", (
            Title("受理回执"), Rule(), KeyValue("经营范围", "软件开发；信息技术咨询服务；数据处理和存储支持服务；" * 2),
            Text("A long line of English words that will not fit on narrow paper at all, " * 2), Cut()))
        assert printer.print_receipt(receipt).printed
        [job] = printer.simulator.wait_for_jobs(1)
        widths = [display_width(line.text) * line.width for line in job.lines]
        assert max(widths) == 32 and "-" * 32 in job.texts  # the rule spans the 58 mm line, nothing goes past it
        assert len(job.texts) >= 8  # the long text wrapped
    finally:
        rt.close()
        printer.simulator.close()


def test_configured_options_reach_each_driver(tmp_path):
    rt = _runtime(tmp_path, '[devices.idcard]\nurl = "sim://"\nretries = 4\ntimeout_s = 1.5\nbaud = 57600\n'
                            '[devices.camera]\nurl = "sim://"\ntimeout_s = 2\nreconnect_max_s = 1\n'
                            '[devices.qr_scanner]\nurl = "sim://"\nidle_s = 0.2\nmax_line = 512\n')
    try:
        assert not rt.device_errors, rt.device_errors
        d = rt.devices
        assert (d["idcard"].retries, d["idcard"].timeout_s, d["idcard"].baud) == (4, 1.5, 57600)
        assert d["idcard"].simulator.baud == 57600
        assert d["camera"].frame_timeout_s == 2.0 and d["camera"].reconnect_max_s == 1.0
        assert d["qr_scanner"].idle_s == 0.2 and d["qr_scanner"].max_line == 512
    finally:
        rt.close()
        rt.devices["idcard"].simulator.close()
        rt.devices["camera"].simulator.cleanup()
        rt.devices["qr_scanner"].simulator.close()


def test_configured_document_printer_options_reach_the_driver(tmp_path):
    cfg = config.load(_toml(tmp_path, '[devices.document_printer]\nurl = "sim://?state=paper_out"\n'
                                      'job_timeout_s = 30\ncups_server = "/run/other.sock"\n'))
    settings = cfg.device("document_printer")  # what Runtime.build passes, built the same way
    options = {k: v for k, v in settings.items() if k not in ("url", "required")}
    printer = open_device("document_printer", settings["url"], **options)
    try:
        assert printer.job_timeout_s == 30 and printer.poll_s == 0.05  # the simulator polls fast unless told
        assert printer.status().condition.value == "paper_out"
        cups = open_device("document_printer", "cups://Licence", **options)
        assert cups.backend.server == "/run/other.sock" and cups.poll_s == 0.25
        assert open_device("document_printer", "cups://L?server=/run/mine.sock", **options).backend.server == \
            "/run/mine.sock"  # the address's own ?server= wins
    finally:
        printer.simulator.close()


def test_a_device_built_from_a_bad_url_is_an_error_entry_naming_the_option(tmp_path):
    from kiosk.runtime import Runtime

    values = config.validate({"kiosk": {"data_dir": str(tmp_path / "data")}})
    for kind in KINDS:
        values[f"devices.{kind}"]["url"] = ""
    values["devices.idcard"]["url"] = "sim://?unpluged=1"  # past the config check: caught when built
    rt = Runtime.build(config.Config(values, "test"), open_devices=False)
    assert "idcard" not in rt.devices and "`unpluged`" in rt.device_errors["idcard"]
    assert "unplugged" in rt.device_errors["idcard"]
