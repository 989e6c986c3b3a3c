"""Nothing lost, nothing duplicated, through what the kiosk really does: the kiosk process SIGKILLed at
every step of a visit and the citizens starting again; a network that drops, delays and cuts, with 401
(not enrolled, clock skew) and 429 windows; the platform SIGKILLed while it commits, on SQLite and
PostgreSQL. Counted at the platform and at the departments. A smaller count here, the full one in
``bench/bench_reliability.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.reliability import KILL_STEPS, kill_run, network_run, platform_kill_run
from tests.servicehelp import start_platform

pytestmark = pytest.mark.timeout(400)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    r = start_platform(tmp_path_factory.mktemp("reliability"), dispatch_scale=100)
    yield r
    r.stop()


def clean(figures: dict[str, Any]) -> bool:
    return figures["lost"] == 0 and figures["duplicated"] == 0


def test_the_kiosk_killed_at_every_step_of_a_visit(running: Any, tmp_path: Path) -> None:
    figures = kill_run(running, tmp_path, count=12, seed=7)
    print("kills:", figures)
    assert set(figures["kills_by_step"]) == set(KILL_STEPS) and figures["kills"] >= 12
    assert figures["citizens_done"] == 12 and figures["recognised"] >= 8  # the same application given back
    assert figures["approved_without_licence"] == 0  # a kill while printing: printed when they came back
    assert figures["department_orders"] == figures["items"]
    assert clean(figures), figures


def test_the_harness_sees_a_kiosk_that_forgets_the_citizen(running: Any, tmp_path: Path) -> None:
    """The negative control: without the journal's recognition, a kill after the decision leaves the
    citizen who starts again with a taken name and no licence — the harness counts it."""
    figures = kill_run(running, tmp_path, count=2, seed=9, recognise=False, steps=("decision",))
    print("control:", figures)
    assert figures["lost"] >= 2


def test_a_network_that_drops_cuts_refuses_and_rate_limits(running: Any, tmp_path: Path) -> None:
    figures = network_run(running, tmp_path, count=24, seed=11)
    print("network:", figures)
    faults = figures["faults"]
    assert faults.get("cut_response", 0) >= 1 and sum(v for k, v in faults.items() if k != "pass") >= 12
    assert {"401", "429"} <= set(figures["failed_statuses"])  # not enrolled, clock skew, the rate limit
    assert figures["queued_at_submit"] >= 5 and figures["outbox_pending"] == 0
    assert clean(figures), figures


def test_the_platform_killed_while_it_commits_sqlite(tmp_path: Path) -> None:
    figures = platform_kill_run(tmp_path, count=6, seed=13, kill_share=0.5)
    print("platform kills (sqlite):", figures)
    assert figures["platform_kills"] >= 2 and figures["approved_told"] >= 1
    assert figures["approved_told_missing"] == 0 and figures["outbox_pending"] == 0
    assert clean(figures), figures


@pytest.mark.postgres
def test_the_platform_killed_while_it_commits_postgresql(tmp_path: Path) -> None:
    from tests.pghelp import Postgres

    pg = Postgres()
    try:
        figures = platform_kill_run(tmp_path, count=6, seed=17, db_url=pg.new_database("killed"), kill_share=0.5)
    finally:
        pg.stop()
    print("platform kills (postgresql):", figures)
    assert figures["platform_kills"] >= 2 and figures["approved_told_missing"] == 0
    assert figures["outbox_pending"] == 0
    assert clean(figures), figures
