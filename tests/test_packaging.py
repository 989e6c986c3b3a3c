"""Two installables from one setup.cfg, installed as an operator installs them: the wheel into a clean
virtual environment — the platform without Kivy or OpenCV serving with the shipped reference data,
the kiosk running its commands against the reader's simulator."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (found,) = out.glob("yinzhengtong-*.whl")
    return found


def _venv(where: Path, requirement: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=120)
    pip = [str(where / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = subprocess.run(pip + [requirement], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return where / "bin"


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YZT_") and k != "PYTHONPATH"}
    env.update(HOME=str(home), YZT_DATA_DIR=str(home / "data"))
    return env


def test_the_wheel_ships_the_assets_and_the_migrations(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("assets/i18n/zh.json", "assets/reference/addresses.csv", "assets/pinyin/lexicon.tsv.gz",
                   "assets/guide/guide.json", "assets/systemd/yzt-service.service", "screens/base.kv",
                   "service/migrations/script.py.mako", "service/migrations/versions/r0001_release_0_1_0.py"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    # every data file of the packages, wherever a later change puts one (a screen's .kv in a new folder)
    data = [p.relative_to(ROOT).as_posix() for top in ("assets", "screens", "kiosk", "devices", "service")
            for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts and "screenshots" not in p.parts]  # the README's pictures stay out
    assert data and not [d for d in data if d not in names]


def test_a_platform_install_has_no_kiosk_and_serves(wheel: Path, tmp_path: Path) -> None:
    bin_ = _venv(tmp_path / "venv", f"{wheel}[platform,postgres]")
    env = _clean_env(tmp_path)
    for module in ("kivy", "cv2", "reportlab", "escpos", "serial", "zxingcpp"):
        probe = subprocess.run([str(bin_ / "python"), "-c", f"import {module}"], capture_output=True, env=env)
        assert probe.returncode != 0, f"{module} is installed with the platform"
    help_ = subprocess.run([str(bin_ / "yzt"), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert help_.returncode == 0 and "service" in help_.stdout and "review" in help_.stdout
    kiosk = subprocess.run([str(bin_ / "yzt"), "kiosk"], capture_output=True, text=True, env=env, timeout=60)
    assert kiosk.returncode == 2 and "[kiosk]" in kiosk.stderr and "Traceback" not in kiosk.stderr

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(bin_ / "yzt"), "service", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).json()
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        assert health["status"] == "ok" and health["reference"]["addresses"] > 3000  # the shipped sample data
    finally:
        proc.terminate()
        proc.communicate(timeout=20)

    sys.path.insert(0, str(ROOT))
    from tests.servicehelp import application

    doc = application()
    (tmp_path / "one.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    review = subprocess.run([str(bin_ / "yzt"), "review", str(tmp_path / "one.jsonl"), "--reference",
                             str(ROOT / "assets" / "reference"), "--json"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert review.returncode == 0, review.stderr
    decided = json.loads(review.stdout)
    assert decided["application_id"] == doc["application_id"] and decided["decision"] in ("approved", "rejected",
                                                                                           "manual_review")
    verify = subprocess.run([str(bin_ / "yzt"), "license", "verify", "YZTL1.x.y"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert verify.returncode == 1 and json.loads(verify.stdout)["valid"] is False


@pytest.fixture(scope="module")
def kiosk_bin(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield _venv(tmp_path_factory.mktemp("kiosk") / "venv", f"{wheel}[kiosk]")


def test_a_kiosk_install_runs_its_commands_against_the_simulator(kiosk_bin: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    for module in ("fastapi", "sqlalchemy", "alembic"):
        probe = subprocess.run([str(kiosk_bin / "python"), "-c", f"import {module}"], capture_output=True, env=env)
        assert probe.returncode != 0, f"{module} is installed with the kiosk"
    from kiosk.pin import hash_pin

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[kiosk]\nid = "YJ-WHEEL-01"\n[maintenance]\npin_hash = "{hash_pin("482913", iterations=1000)}"\n'
                   '[platform]\nurl = "https://yzt.example.gov.cn"\n', encoding="utf-8")
    check = subprocess.run([str(kiosk_bin / "yzt"), "config", "check", "--config", str(cfg)], capture_output=True,
                           text=True, env=env, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    sim = subprocess.Popen([str(kiosk_bin / "yzt"), "idcard", "simulate", "--card", "zhang"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "/dev/pts/" not in line and time.monotonic() < deadline:
            line = sim.stdout.readline() if sim.stdout else ""
        port = next(w for w in line.split() if w.startswith("/dev/pts/"))
        read = subprocess.run([str(kiosk_bin / "yzt"), "idcard", "read", "--port", port, "--json"],
                              capture_output=True, text=True, env=env, timeout=60)
        assert read.returncode == 0, read.stderr
        card = json.loads(read.stdout)
        assert card["card_type"] == "resident" and card["name"] == "张伟明" and card["photo_bytes"] == 1024
    finally:
        sim.terminate()
        sim.wait(10)
