"""The platform on PostgreSQL (a private cluster from Debian's packages): rules, races, idempotency."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk.platform_client import PlatformClient
from tests.pghelp import Postgres
from tests.servicehelp import ADDRESS_CROWDED, Kiosk, application, codes, start_platform

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def running(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    r = start_platform(tmp_path_factory.mktemp("pg"), db_url=postgres.new_database("platform"))
    yield r
    r.stop()


def test_health_says_postgresql(running: Any) -> None:
    assert PlatformClient(running.url).health()["database"] == "postgresql"


def test_decisions_and_idempotency_on_postgresql(running: Any) -> None:
    kiosk = Kiosk(running)
    doc = kiosk.prove(application())
    first = kiosk.client.submit(doc)
    assert first["decision"] == "approved" and first["uscc"].startswith("91441702")
    assert kiosk.client.submit(doc) == first
    crowded = application()
    crowded["address"]["code"] = ADDRESS_CROWDED
    assert kiosk.submit(crowded)["decision"] == "manual_review"
    taken = application(trade="华信")
    assert "NAME_DUPLICATE" in codes(kiosk.submit(taken))


def test_name_race_on_postgresql_gives_one_approval(running: Any) -> None:
    kiosk = Kiosk(running)
    docs = [kiosk.prove(application()) for _ in range(8)]
    trade = docs[0]["name"]["trade_name"]
    for d in docs:
        d["name"].update(trade_name=trade, full=f"阳江市{trade}科技有限公司")
    answers: list[str] = []
    threads = [threading.Thread(target=lambda d=d: answers.append(kiosk.client.submit(d)["decision"]))
               for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["approved"] + ["rejected"] * 7


def test_two_platform_processes_on_one_database_share_names_and_serials(postgres: Postgres, running: Any,
                                                                        tmp_path: Path) -> None:
    import shutil

    keys = tmp_path / "keys"
    shutil.copytree(running.platform.settings.keys, keys)
    second = start_platform(tmp_path, db_url=running.platform.settings.db_url, key_dir=keys,
                            kiosk_keys_dir=running.platform.settings.kiosks)
    try:
        here, there = Kiosk(running, "YJ-PG-A"), Kiosk(second, "YJ-PG-B")
        a, b = here.prove(application()), there.prove(application())
        b["name"].update(trade_name=a["name"]["trade_name"], full=a["name"]["full"])
        first = here.client.submit(a)
        other = there.client.submit(b)
        assert first["decision"] == "approved" and "NAME_DUPLICATE" in codes(other)
        c = there.submit(application())
        assert c["uscc"] != first["uscc"]
    finally:
        second.stop()


def test_yzt_service_with_two_workers_answers_many_kiosks_once(postgres: Postgres, tmp_path: Path) -> None:
    """`yzt service --workers 2` as an operator starts it, on a real PostgreSQL; kiosks submit at once."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys
    from tests.servicehelp import live_image, write_reference

    db = postgres.new_database("workers")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kiosks_dir = tmp_path / "kiosks"
    keys = {f"YJ-W-{i:02d}": load_or_create_key(tmp_path / f"k{i}.key") for i in range(12)}
    for kiosk_id, key in keys.items():
        KioskKeys(kiosks_dir).enrol(kiosk_id, public_pem(key))
    proc = subprocess.Popen([sys.executable, "-m", "service.contract.cli", "service", "--workers", "2", "--port",
                             str(port), "--db", db, "--data", str(tmp_path / "data"), "--kiosk-keys", str(kiosks_dir),
                             "--reference", str(write_reference(tmp_path / "ref")), "--identity", "simulated",
                             "--dev-sms"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "YZT_SMS_COOLDOWN_S": "0"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(url + "/api/v1/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.3)
        clients = [PlatformClient(url, kiosk_id=k, signing_key=key, retries=2, backoff_s=0.2)
                   for k, key in keys.items()]
        docs = []
        for n, client in enumerate(clients):
            for _ in range(3):
                doc = application()
                if n % 3 == 0:  # some kiosks race for the same name
                    doc["name"].update(trade_name="同名", full="阳江市同名科技有限公司")
                person = doc["applicant"]["person"]
                client.send_sms_code(person["phone"], person["id_number"], person["name"])
                proof = client.verify_sms_code(person["phone"], client.dev_sms_code(person["phone"]) or "",
                                               person["id_number"])
                face = client.verify_face(person["id_number"], person["name"], live_image())
                doc["applicant"]["verification"].update(phone_verification_id=proof,
                                                        face_verification_id=face["verification_id"])
                docs.append((client, doc))
        answers: dict[str, list[dict[str, Any]]] = {}
        lock = threading.Lock()

        def send(client: PlatformClient, doc: dict[str, Any]) -> None:
            for _ in range(2):  # every kiosk sends twice, as a retry after a lost answer would
                got = client.submit(doc)
                with lock:
                    answers.setdefault(doc["application_id"], []).append(got)

        threads = [threading.Thread(target=send, args=pair) for pair in docs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == len(docs) == 36
        assert all(len(a) == 2 and a[0] == a[1] for a in answers.values())  # answered once, the same again
        firsts = [a[0] for a in answers.values()]
        usccs = [d["uscc"] for d in firsts if d["decision"] == "approved"]
        assert len(usccs) == len(set(usccs))  # never doubled
        same_name = [d for (_, doc), d in zip(docs, [answers[doc["application_id"]][0] for _, doc in docs])
                     if doc["name"]["trade_name"] == "同名"]
        assert sum(d["decision"] == "approved" for d in same_name) == 1
        numbers = [d["acceptance_no"] for d in firsts]
        assert len(numbers) == len(set(numbers))
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0]
    assert "Started parent process" in out or "worker" in out.lower(), out[-2000:]
