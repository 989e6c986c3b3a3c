"""`yzt review`, `yzt license verify` and `yzt service` as a person at a terminal runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servicehelp import ADDRESS_NEGATIVE, application, write_reference

pytestmark = pytest.mark.timeout(120)
YZT = [sys.executable, "-m", "service.contract.cli"]


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(YZT + list(args), capture_output=True, text=True, timeout=90, input=stdin,
                          env={**os.environ, **(env or {})})


def test_review_prints_one_decision_a_line_in_input_order(tmp_path: Path) -> None:
    ref = write_reference(tmp_path / "ref")
    ok = application()
    bad_address = application()
    bad_address["address"]["code"] = ADDRESS_NEGATIVE
    same_name = application(trade="华信")
    missing = application()
    del missing["officers"]
    lines = [json.dumps(ok, ensure_ascii=False), "", json.dumps(bad_address, ensure_ascii=False), "{not json",
             json.dumps(same_name, ensure_ascii=False), json.dumps(missing, ensure_ascii=False)]
    (tmp_path / "apps.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"YZT_PLATFORM_KEYS": str(tmp_path / "keys")}
    done = run("review", str(tmp_path / "apps.jsonl"), "--reference", str(ref), "--json", env=env)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["decision"] for d in out] == ["approved", "rejected", "rejected", "rejected", "rejected"]
    assert out[0]["application_id"] == ok["application_id"] and out[0]["uscc"] and out[0]["e_license"]
    assert [r["code"] for r in out[1]["reasons"]] == ["ADDRESS_RESTRICTED"]
    assert out[2]["reasons"][0]["code"] == "APPLICATION_MALFORMED" and out[2]["application_id"] is None
    assert [r["code"] for r in out[3]["reasons"]] == ["NAME_DUPLICATE"]
    assert out[4]["application_id"] == missing["application_id"]
    assert out[4]["reasons"][0]["code"] == "APPLICATION_MALFORMED" and out[4]["reasons"][0]["field"] == "officers"
    assert "uscc" not in out[1]

    verified = run("license", "verify", out[0]["e_license"], env=env)
    assert verified.returncode == 0, verified.stderr
    shown = json.loads(verified.stdout)
    assert (shown["valid"], shown["uscc"], shown["name"]) == (True, out[0]["uscc"], ok["name"]["full"])

    tampered = out[0]["e_license"][:-6] + ("AAAAAA" if not out[0]["e_license"].endswith("AAAAAA") else "BBBBBB")
    refused = run("license", "verify", tampered, env=env)
    assert refused.returncode == 1 and json.loads(refused.stdout)["valid"] is False

    human = run("review", "-", "--reference", str(ref), env=env, stdin=lines[0] + "\n" + lines[2] + "\n")
    assert human.returncode == 0
    assert [line.split()[1] for line in human.stdout.splitlines()] == ["approved", "rejected"]


def test_review_says_in_one_line_when_the_input_cannot_be_read(tmp_path: Path) -> None:
    ref = write_reference(tmp_path / "ref")
    missing = run("review", str(tmp_path / "nope.jsonl"), "--reference", str(ref))
    assert missing.returncode != 0 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    no_ref = run("review", str(tmp_path / "nope.jsonl"), "--reference", str(tmp_path / "no-ref"))
    assert no_ref.returncode != 0 and "reference" in no_ref.stderr and "Traceback" not in no_ref.stderr


def test_review_reads_a_reference_folder_with_broken_rows(tmp_path: Path) -> None:
    ref = write_reference(tmp_path / "ref")
    with (ref / "addresses.csv").open("a", encoding="utf-8") as fh:
        fh.write("441702777777,441702,,7\n")
    (ref / "dishonest.csv").unlink()
    (tmp_path / "a.jsonl").write_text(json.dumps(application(), ensure_ascii=False) + "\n", encoding="utf-8")
    done = run("review", str(tmp_path / "a.jsonl"), "--reference", str(ref), "--json",
               env={"YZT_PLATFORM_KEYS": str(tmp_path / "keys")})
    assert done.returncode == 0 and json.loads(done.stdout)["decision"] == "approved"
    assert "addresses.csv:" in done.stderr and "dishonest.csv: missing" in done.stderr


def test_yzt_service_serves_the_api_secure_by_default(tmp_path: Path) -> None:
    from kiosk.platform_client import PlatformClient
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ref = write_reference(tmp_path / "ref")
    key = load_or_create_key(tmp_path / "kiosk.key")
    KioskKeys(tmp_path / "kiosks").enrol("YJ-CLI-01", public_pem(key))
    proc = subprocess.Popen(YZT + ["service", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'p.db'}",
                                   "--reference", str(ref), "--keys", str(tmp_path / "keys"),
                                   "--kiosk-keys", str(tmp_path / "kiosks"), "--data", str(tmp_path / "data")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).json()
                break
            except requests.RequestException:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert health["status"] == "ok" and health["database"] == "sqlite" and health["identity"] == "none"
        anonymous = requests.post(f"http://127.0.0.1:{port}/api/v1/applications", json=application(), timeout=10)
        assert anonymous.status_code == 401
        kiosk = PlatformClient(f"http://127.0.0.1:{port}", kiosk_id="YJ-CLI-01", signing_key=key, retries=0)
        decision = kiosk.submit(application())  # signed, but nobody proved who they are
        assert decision["decision"] == "rejected" and "IDENTITY_NOT_VERIFIED" in {r["code"] for r in
                                                                               decision["reasons"]}
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert "1 kiosks enrolled" in out and "no identity provider" in out
