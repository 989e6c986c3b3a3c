"""Heartbeats from simulated kiosks to a real `yzt service`, and the fleet page in headless chromium.

The kiosks are real runtimes (drivers on their simulators' ptys) signing with their own enrolled
keys; the page is read by Debian's chromium through chromedriver, at a phone's width.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk import config
from kiosk.heartbeat import Heartbeat
from kiosk.runtime import Runtime
from service.contract.signing import load_or_create_key, public_pem
from service.core.security import KioskKeys

YZT = [sys.executable, "-m", "service.contract.cli"]
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"yzt service exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if requests.get(url + "/api/v1/health", timeout=5).ok:
                return
        except requests.RequestException:  # not listening yet, or still starting up
            time.sleep(0.2)
    raise AssertionError("yzt service did not answer")


PASSWORD = "fleet operator pass"


@pytest.fixture()
def service(tmp_path):
    port = _free_port()
    keys = tmp_path / "kiosk-keys"
    keys.mkdir()
    where = ["--db", f"sqlite:///{tmp_path / 'p.db'}", "--keys", str(tmp_path / "platform-keys"),
             "--data", str(tmp_path / "platform")]
    made = subprocess.run(YZT + ["platform", "account", "add", "fleet.op", "--role", "operator", "--password-stdin",
                                 *where], input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    proc = subprocess.Popen(YZT + ["service", "--port", str(port), *where, "--kiosk-keys", str(keys),
                                   "--stale-after", "4"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc)
        yield url, keys
    finally:
        proc.terminate()
        proc.wait(10)


def _operator(url: str) -> requests.Session:
    """The fleet operator, signed in as a program would (the browser test signs in through the form)."""
    session = requests.Session()
    answer = session.post(url + "/api/v1/session", json={"username": "fleet.op", "password": PASSWORD}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session


def _kiosk(tmp_path: Path, url: str, keys: Path, kiosk_id: str, site: str, site_type: str,
           printer: str = "sim://") -> Runtime:
    data = tmp_path / kiosk_id
    (tmp_path / f"{kiosk_id}.toml").write_text(
        f'[kiosk]\nid = "{kiosk_id}"\nsite = "{site}"\nsite_type = "{site_type}"\ndata_dir = "{data}"\n'
        f'[platform]\nurl = "{url}"\n'
        f'[devices.idcard]\nurl = "sim://"\n[devices.receipt_printer]\nurl = "{printer}"\n'
        '[devices.camera]\nurl = ""\n[devices.qr_scanner]\nurl = ""\n[devices.document_printer]\nurl = ""\n',
        encoding="utf-8")
    KioskKeys(keys).enrol(kiosk_id, public_pem(load_or_create_key(data / "kiosk.key")))
    return Runtime.build(config.load(tmp_path / f"{kiosk_id}.toml"))


def _browser(width: int = 412, height: int = 915):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian's chromium and chromium-driver are needed")
def test_fleet_page_puts_the_silent_kiosk_on_top(tmp_path, service):
    from selenium.webdriver.common.by import By

    url, keys = service
    hall = _kiosk(tmp_path, url, keys, "yj-hall-01", "阳江市政务服务中心", "hall")
    bank = _kiosk(tmp_path, url, keys, "yj-bank-02", "中国银行阳江分行营业部", "bank_branch")
    paper = _kiosk(tmp_path, url, keys, "yj-hall-03", "阳东区政务服务中心", "hall", printer="sim://?state=paper_out")
    beats = [Heartbeat(rt, interval_s=0.5).start() for rt in (hall, bank, paper)]
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(b.sent >= 2 for b in beats):
            time.sleep(0.1)
        assert all(b.sent >= 2 for b in beats), [(b.sent, b.last_error) for b in beats]
        beats[1].stop()  # the bank branch's kiosk stops reporting (power cut, network gone)
        time.sleep(5)
        assert requests.get(url + "/api/v1/kiosks", timeout=5).status_code == 401  # operators only
        operator = _operator(url)
        listed = operator.get(url + "/api/v1/kiosks", timeout=5).json()
        assert [k["kiosk_id"] for k in listed] == ["yj-bank-02", "yj-hall-03", "yj-hall-01"]
        assert [k["health"] for k in listed] == ["stale", "degraded", "ok"]

        browser = _browser()
        try:
            browser.get(url + "/fleet")  # not signed in: the sign-in page, then back to the fleet
            assert "/signin" in browser.current_url
            browser.find_element(By.NAME, "username").send_keys("fleet.op")
            browser.find_element(By.NAME, "password").send_keys(PASSWORD)
            browser.find_element(By.CSS_SELECTOR, "form button").click()
            assert browser.current_url.endswith("/fleet")
            cards = browser.find_elements(By.CSS_SELECTOR, ".card.kiosk")
            assert [c.get_attribute("data-kiosk") for c in cards] == ["yj-bank-02", "yj-hall-03", "yj-hall-01"]
            silent, unwell, well = (c.text for c in cards)
            assert "失联" in silent and "中国银行阳江分行营业部" in silent and "银行网点" in silent
            assert "已停止上报" in silent and "秒前" in silent
            assert "异常" in unwell and "凭条打印机" in unwell and "paper out" in unwell and "政务服务大厅" in unwell
            assert "正常" in well and "凭条打印机" not in well
            assert "共 3 台：1 台失联 · 1 台异常 · 1 台正常" in browser.find_element(By.CSS_SELECTOR, ".summary").text
            # readable on a phone: nothing wider than the screen, type large enough
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
            assert browser.execute_script(
                "return parseFloat(getComputedStyle(document.body).fontSize)") >= 16
            shot = Path(os.environ.get("YZT_SHOTS", tmp_path)) / "fleet-phone.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            assert browser.save_screenshot(str(shot))
        finally:
            browser.quit()

        beats[1].start()  # back: it drops to its place again at the next beat
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            listed = operator.get(url + "/api/v1/kiosks", timeout=5).json()
            if listed[0]["kiosk_id"] == "yj-hall-03":
                break
            time.sleep(0.2)
        assert [k["health"] for k in listed] == ["degraded", "ok", "ok"]
    finally:
        for b in beats:
            b.stop()
        for rt in (hall, bank, paper):
            rt.close()


def test_a_kiosk_the_platform_does_not_know_is_refused(tmp_path, service):
    url, keys = service
    rt = _kiosk(tmp_path, url, keys, "yj-hall-09", "阳江市政务服务中心", "hall")
    try:
        (keys / "yj-hall-09.pub.pem").unlink()  # never enrolled (or removed)
        beat = Heartbeat(rt, interval_s=60)
        assert beat.beat() is False and beat.failed == 1 and "401" in (beat.last_error or "")
        assert _operator(url).get(url + "/api/v1/kiosks", timeout=5).json() == []
    finally:
        rt.close()


def test_heartbeat_against_a_platform_that_is_down_keeps_trying(tmp_path):
    port = _free_port()
    cfg = tmp_path / "k.toml"
    cfg.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "d"}"\n[platform]\nurl = "http://127.0.0.1:{port}"\n'
                   "timeout_s = 1\n", encoding="utf-8")
    rt = Runtime.build(config.load(cfg))
    beat = Heartbeat(rt, interval_s=0.2).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and beat.failed < 2:
            time.sleep(0.1)
        assert beat.failed >= 2 and beat.sent == 0
    finally:
        beat.stop()
        rt.close()


def test_fleet_page_survives_odd_reports(tmp_path, service):
    """A kiosk's report is its own words: odd shapes and markup are shown escaped, never a 500."""
    from kiosk.platform_client import PlatformRefused

    url, keys = service
    rt = _kiosk(tmp_path, url, keys, "yj-odd-01", "<script>alert(1)</script>", "hall")
    operator = _operator(url)
    try:
        client = rt.platform_client()
        refused = 0
        for status in ({"devices": "not a dict"}, {"devices": {"idcard": {"state": "<b>x</b>", "last_error": "5"}}},
                       {"outbox_pending": "many", "disk_free_mb": None}, {"devices": {"x" * 80: {}}}, {}):
            try:
                client.heartbeat("<script>alert(1)</script>", status)
            except PlatformRefused as exc:  # a report of the wrong shape is refused, in the platform's words
                assert exc.status == 422 and exc.message
                refused += 1
            page = operator.get(url + "/fleet", timeout=5)
            assert page.status_code == 200 and "<script>alert" not in page.text and "<b>x</b>" not in page.text
        assert refused == 3
    finally:
        rt.close()
