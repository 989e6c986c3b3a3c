"""The platform: approvals under concurrent signed kiosks, and the name check at city scale.

1. Approvals (POST /api/v1/applications, each a distinct clean company whose identity was proved at the
   platform) from 32 enrolled kiosks signing every request, against ``yzt service`` in its own process on
   loopback (SQLite, synchronous=FULL), beside GET /api/v1/health from the same kiosks in the same run (the
   HTTP floor of this machine). Goals: approvals/health ≥ 0.5; p99 ≤ 50 ms at 40 applications a second offered.
   Beside it, the same app and harness with the least decision behind the route (bench/floor_app.py: the
   nonce and one sealed row, no rules, no registry): the ratio no decision through this stack can pass here.
2. Name check (the name rules against the indexed ``entities`` table) with 100 k and 1 M
   registered names, beside a linear scan of the same names in memory. Goal: p99 ≤ 10 ms at 1 M.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _serve(tmp: Path, kiosks: int, floor: bool = False) -> tuple[subprocess.Popen, str, list[Any]]:
    """``yzt service`` in its own process (SQLite), with ``kiosks`` enrolled kiosk clients; ``floor``: the
    same app with the least decision behind the route (bench/floor_app.py), started by uvicorn alike."""
    from kiosk.platform_client import PlatformClient
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys
    from tests.servicehelp import write_reference

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    keys = {f"YJ-BENCH-{i:02d}": load_or_create_key(tmp / f"k{i}.key") for i in range(kiosks)}
    for kiosk_id, key in keys.items():
        KioskKeys(tmp / "kiosks").enrol(kiosk_id, public_pem(key))
    env = {**os.environ, "YZT_DISPATCH_SCALE": "1000", "YZT_SMS_COOLDOWN_S": "0"}
    reference = str(write_reference(tmp / "ref"))
    if floor:
        command = [sys.executable, "-m", "uvicorn", "bench.floor_app:factory", "--factory", "--port", str(port),
                   "--log-level", "warning", "--no-access-log"]
        env.update(YZT_PLATFORM_DIR=str(tmp / "platform"), YZT_REFERENCE_DIR=reference,
                   YZT_KIOSK_KEYS_DIR=str(tmp / "kiosks"), YZT_RATE_PER_S="100000", YZT_IDENTITY="simulated")
    else:
        command = [sys.executable, "-m", "service.contract.cli", "service", "--port", str(port),
                   "--data", str(tmp / "platform"), "--reference", reference, "--kiosk-keys", str(tmp / "kiosks"),
                   "--rate", "100000", "--identity", "simulated", "--dev-sms"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=env)
    wait_until_serving(proc, url)
    clients = [PlatformClient(url, kiosk_id=k, signing_key=key, retries=0) for k, key in keys.items()]
    return proc, url, clients


def wait_until_serving(proc: subprocess.Popen, url: str, seconds: float = 60) -> None:
    """Wait for ``/api/v1/health`` to answer; the process is killed and RuntimeError raised when it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/api/v1/health", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("yzt service did not start")


def _companies(client: Any, n: int) -> list[dict[str, Any]]:
    """``n`` distinct clean companies (own name, legal representative, address), identity proved at the
    platform as a kiosk does — so what is timed is approvals, not cheap rejections."""
    from tests.servicehelp import application, prove_with

    return [prove_with(client, application()) for _ in range(n)]


def _closed_loop(clients: list[Any], call: Callable[[Any, int], Any], per_client: int) -> tuple[float, list[float]]:
    """Every client sends as fast as answers come: (requests a second, latencies ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)

    def worker(index: int, client: Any) -> None:
        mine = []
        start.wait()
        for n in range(per_client):
            t = time.perf_counter()
            call(client, index * per_client + n)
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - t0), latencies


def _open_loop(clients: list[Any], call: Callable[[Any, int], Any], rate: float, seconds: float) -> list[float]:
    """Requests offered at a fixed rate whatever the answers do (a city's kiosks do not wait for each other)."""
    latencies: list[float] = []
    lock = threading.Lock()
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.2

    def worker(index: int, client: Any) -> None:
        for n in range(index, total, len(clients)):
            due = t0 + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            t = time.perf_counter()
            call(client, n)
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _approve(docs: list[dict[str, Any]]) -> Callable[[Any, int], Any]:
    def call(client: Any, n: int) -> None:
        answer = client.submit(docs[n])
        assert answer["decision"] == "approved", answer["reasons"]
    return call


def _floor(kiosks: int, per: int) -> tuple[float, float]:
    """(floor approvals a second, /health a second) against bench/floor_app.py, measured alike."""
    from tests.servicehelp import application

    with tempfile.TemporaryDirectory() as tmp:
        proc, _url, clients = _serve(Path(tmp), kiosks, floor=True)
        try:
            docs = [application() for _ in range(kiosks * (per + 1))]  # the floor judges nothing: no proofs
            _closed_loop(clients, _approve(docs[-kiosks:]), 1)
            health_rate, _ = _closed_loop(clients, lambda c, n: c.health(), per * 3)
            floor_rate, _ = _closed_loop(clients, _approve(docs), per)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return floor_rate, health_rate


def decision_latency(quick: bool) -> list[dict[str, Any]]:
    rows = []
    kiosks, per = 32, (3 if quick else 24)
    rate, seconds = 40.0, (4.0 if quick else 10.0)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url, clients = _serve(Path(tmp), kiosks)
        try:
            closed = _companies(clients[0], kiosks * (per + 1))
            opened = _companies(clients[0], int(rate * seconds))
            _closed_loop(clients, _approve(closed[-kiosks:]), 1)  # warm: each kiosk's first approval untimed
            health_rate, health = _closed_loop(clients, lambda c, n: c.health(), per * 3)
            approvals_rate, decided = _closed_loop(clients, _approve(closed), per)
            at_rate = _open_loop(clients, _approve(opened), rate, seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    floor_rate, floor_health = _floor(kiosks, per)
    ratio, floor_ratio = approvals_rate / health_rate, floor_rate / floor_health
    rows.append({"bench": "platform", "metric": f"approvals a second, {kiosks} signed kiosks", "value": round(approvals_rate, 1),
                 "unit": "1/s", "baseline_metric": f"/health a second, {kiosks} kiosks", "baseline": round(health_rate, 1),
                 "goal": None, "met": None})
    rows.append({"bench": "platform", "metric": "approvals / health throughput", "value": round(ratio, 2), "unit": "",
                 "baseline_metric": "floor / health (the least decision, bench/floor_app.py)",
                 "baseline": round(floor_ratio, 2), "goal": "≥ 0.5", "met": ratio >= 0.5})
    rows.append({"bench": "platform", "metric": "floor: least-decision answers a second", "value": round(floor_rate, 1),
                 "unit": "1/s", "baseline_metric": "/health a second beside it", "baseline": round(floor_health, 1),
                 "goal": None, "met": None})
    rows.append({"bench": "platform", "metric": f"approval p99 at {rate:.0f}/s offered (ms)",
                 "value": round(_pct(at_rate, 99), 1), "unit": "ms",
                 "baseline_metric": f"health p99 at {kiosks} kiosks (ms)", "baseline": round(_pct(health, 99), 1),
                 "goal": "≤ 50 ms", "met": _pct(at_rate, 99) <= 50.0})
    rows.append({"bench": "platform", "metric": f"approval p50 at {rate:.0f}/s offered (ms)",
                 "value": round(_pct(at_rate, 50), 1), "unit": "ms",
                 "baseline_metric": f"approval p50, {kiosks} kiosks closed loop (ms)",
                 "baseline": round(_pct(decided, 50), 1), "goal": None, "met": None})
    return rows


_CHARS = "华信达源盛恒泰瑞丰成鑫宏隆昌兴嘉旺福润金银海江山河星光明辉腾飞龙凤美佳康宁安和顺通广远新锐博创智科"
_INDUSTRIES = ("科技", "贸易", "餐饮管理", "建筑工程", "电子商务", "文化传媒", "水产", "五金制品", "物流", "咨询")


def _names(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    seen: set[tuple[str, str, str]] = set()
    while len(seen) < n:
        trade = "".join(rng.choice(_CHARS) for _ in range(rng.choice((2, 3, 3, 4))))
        seen.add(("阳江市", trade, rng.choice(_INDUSTRIES)))
    return list(seen)


def name_check(quick: bool) -> list[dict[str, Any]]:
    from sqlalchemy import insert

    from service.contract.uscc import make
    from service.core.db import Store
    from service.core.migrate import upgrade
    from service.core.keys import PlatformKeys
    from service.engine.rules import name_reasons
    from service.models import Entity
    from service.reference import Reference, sound

    rng = random.Random(2026)
    rows = []
    sizes = (100_000,) if quick else (100_000, 1_000_000)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{tmp}/names.db")
            upgrade(store.engine, PlatformKeys.load(Path(tmp) / "keys"))
            names = _names(n, rng)
            now = datetime.now(timezone.utc)
            t0 = time.perf_counter()
            with store.write() as s:
                batch = []
                for i, (region, trade, industry) in enumerate(names):
                    batch.append({"uscc": make("441702", i), "name": f"{region}{trade}{industry}有限公司",
                                  "region": region, "trade_name": trade, "industry": industry,
                                  "trade_sound": sound(trade), "legal_rep_key": "", "address_code": "",
                                  "entity_type": "llc", "status": "active", "name_live": 1, "investor_keys": "",
                                  "source": "bench", "created_at": now, "updated_at": now})
                    if len(batch) == 20_000:
                        s.execute(insert(Entity), batch)
                        batch = []
                if batch:
                    s.execute(insert(Entity), batch)
            load_s = time.perf_counter() - t0
            ref = Reference(prohibited=("中国", "国家"))
            probes = [rng.choice(names) for _ in range(300)] + _names(300, random.Random(n))
            indexed, scanned = [], []
            with store.read() as s:
                for region, trade, industry in probes:
                    t = time.perf_counter()
                    list(name_reasons(s, ref, region, trade, industry, "有限公司", today=None))
                    indexed.append((time.perf_counter() - t) * 1000)
            for region, trade, _industry in probes[:40]:
                t = time.perf_counter()
                [x for x in names if x[0] == region and x[1] == trade]  # the same question, no index
                scanned.append((time.perf_counter() - t) * 1000)
            store.dispose()
        label = f"{n // 1000} k" if n < 1_000_000 else f"{n // 1_000_000} M"
        rows.append({"bench": "platform", "metric": f"name check p99 at {label} names (ms)",
                     "value": round(_pct(indexed, 99), 2), "unit": "ms",
                     "baseline_metric": f"linear scan p99 at {label} names (ms)", "baseline": round(_pct(scanned, 99), 1),
                     "goal": "≤ 10 ms" if n >= 1_000_000 else None, "met": (_pct(indexed, 99) <= 10.0) if n >= 1_000_000 else None})
        rows.append({"bench": "platform", "metric": f"name check p50 at {label} names (ms)",
                     "value": round(statistics.median(indexed), 2), "unit": "ms",
                     "baseline_metric": f"loading {label} names (s)", "baseline": round(load_s, 1),
                     "goal": None, "met": None})
    return rows


def run(quick: bool) -> list[dict[str, Any]]:
    return decision_latency(quick) + name_check(quick)
