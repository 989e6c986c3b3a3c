"""Nothing lost, nothing duplicated: the kiosk SIGKILLed mid-submission, and a network that drops,
delays and cuts — a smaller count here, the full one in ``bench/bench_reliability.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.reliability import kill_run, proxy_run
from tests.servicehelp import start_platform

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    r = start_platform(tmp_path_factory.mktemp("reliability"), dispatch_scale=100)
    yield r
    r.stop()


def test_kill_the_kiosk_at_random_moments(running: Any, tmp_path: Path) -> None:
    figures = kill_run(running.platform, running.url, tmp_path / "kiosk", count=30, seed=7)
    print("kill harness:", figures)
    assert figures["kills"] >= 5
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["outbox_pending"] == 0


def test_drop_delay_and_cut_the_network(running: Any, tmp_path: Path) -> None:
    figures = proxy_run(running.platform, running.url, tmp_path / "kiosk", count=30, seed=11)
    print("network faults:", figures)
    faults = figures["faults"]
    assert faults.get("cut_response", 0) >= 1 and sum(v for k, v in faults.items() if k != "pass") >= 10
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["outbox_pending"] == 0
