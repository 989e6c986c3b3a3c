"""The platform on PostgreSQL (a private cluster from Debian's packages): rules, races, idempotency."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk.platform_client import PlatformClient
from tests.pghelp import Postgres
from tests.servicehelp import ADDRESS_CROWDED, application, codes, start_platform

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
    client = PlatformClient(running.url, retries=0)
    doc = application()
    first = client.submit(doc)
    assert first["decision"] == "approved" and first["uscc"].startswith("91441702")
    assert client.submit(doc) == first
    crowded = application()
    crowded["address"]["code"] = ADDRESS_CROWDED
    assert client.submit(crowded)["decision"] == "manual_review"
    taken = application(trade="华信")
    assert "NAME_DUPLICATE" in codes(client.submit(taken))


def test_name_race_on_postgresql_gives_one_approval(running: Any) -> None:
    docs = [application() for _ in range(8)]
    trade = docs[0]["name"]["trade_name"]
    for d in docs:
        d["name"].update(trade_name=trade, full=f"阳江市{trade}科技有限公司")
    answers: list[str] = []
    threads = [threading.Thread(target=lambda d=d: answers.append(
        PlatformClient(running.url, retries=0).submit(d)["decision"])) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["approved"] + ["rejected"] * 7


def test_two_platform_workers_on_one_database_share_names_and_serials(postgres: Postgres, running: Any,
                                                                      tmp_path: Path) -> None:
    import shutil

    keys = tmp_path / "keys"
    shutil.copytree(running.platform.settings.key_dir, keys)
    second = start_platform(tmp_path, db_url=running.platform.settings.db_url, key_dir=keys)
    try:
        a, b = application(), application()
        b["name"].update(trade_name=a["name"]["trade_name"], full=a["name"]["full"])
        first = PlatformClient(running.url, retries=0).submit(a)
        other = PlatformClient(second.url, retries=0).submit(b)
        assert first["decision"] == "approved" and "NAME_DUPLICATE" in codes(other)
        c = PlatformClient(second.url, retries=0).submit(application())
        assert c["uscc"] != first["uscc"]
    finally:
        second.stop()
