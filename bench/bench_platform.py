"""The platform: decision latency under concurrent kiosks, and the name check at city scale.

1. Decision latency (POST /api/v1/applications) at 1, 8 and 32 concurrent clients against
   ``yzt service`` in its own process on loopback (SQLite), beside GET /api/v1/health at the same
   concurrency (the HTTP floor of this machine). Goal: p99 ≤ 50 ms at 32 clients.
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
from pathlib import Path
from typing import Any, Callable

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _load(url: str, clients: int, per_client: int, make: Callable[[requests.Session], Callable[[], Any]]) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def worker() -> None:
        session = requests.Session()
        call = make(session)
        call()  # warm the connection
        mine = []
        start.wait()
        for _ in range(per_client):
            t = time.perf_counter()
            call()
            mine.append((time.perf_counter() - t) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _serve(tmp: Path) -> tuple[subprocess.Popen, str]:
    from tests.servicehelp import write_reference

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ref = write_reference(tmp / "ref")
    proc = subprocess.Popen([sys.executable, "-m", "service.contract.cli", "service", "--port", str(port), "--db",
                             f"sqlite:///{tmp / 'p.db'}", "--reference", str(ref), "--keys", str(tmp / "keys"), "--rate", "100000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                            env={**os.environ, "YZT_DISPATCH_SCALE": "100"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/api/v1/health", timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("yzt service did not start")


def decision_latency(quick: bool) -> list[dict[str, Any]]:
    from tests.servicehelp import application

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = _serve(Path(tmp))
        try:
            for clients in (1, 8, 32):
                per = (20 if quick else 60) if clients == 1 else (10 if quick else 30)
                health = _load(url, clients, per, lambda s: lambda: s.get(url + "/api/v1/health", timeout=30))

                def make(s: requests.Session) -> Callable[[], Any]:
                    def call() -> None:
                        answer = s.post(url + "/api/v1/applications", json=application(), timeout=30)
                        assert answer.status_code == 200, answer.text[:200]
                    return call

                decided = _load(url, clients, per, make)
                for p in (50, 99):
                    rows.append({"bench": "platform", "metric": f"decision p{p} at {clients} clients (ms)",
                                 "value": round(_pct(decided, p), 1), "unit": "ms",
                                 "baseline_metric": f"health p{p} at {clients} clients (ms)",
                                 "baseline": round(_pct(health, p), 1),
                                 "goal": "≤ 50 ms" if (clients == 32 and p == 99) else None,
                                 "met": (_pct(decided, p) <= 50.0) if (clients == 32 and p == 99) else None})
                rows.append({"bench": "platform", "metric": f"decisions per second at {clients} clients",
                             "value": round(len(decided) / (sum(decided) / 1000 / clients), 1), "unit": "1/s",
                             "baseline_metric": "health answers per second",
                             "baseline": round(len(health) / (sum(health) / 1000 / clients), 1),
                             "goal": None, "met": None})
        finally:
            proc.terminate()
            proc.wait(timeout=10)
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
    from service.db import Entity, Store
    from service.reference import Reference, sound
    from service.rules import name_reasons
    from service.contract.uscc import make

    rng = random.Random(2026)
    rows = []
    sizes = (100_000,) if quick else (100_000, 1_000_000)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{tmp}/names.db")
            names = _names(n, rng)
            t0 = time.perf_counter()
            with store.write() as s:
                batch = []
                for i, (region, trade, industry) in enumerate(names):
                    batch.append({"uscc": make("441702", i), "name": f"{region}{trade}{industry}有限公司",
                                  "region": region, "trade_name": trade, "industry": industry,
                                  "trade_sound": sound(trade), "legal_rep_id": "", "address_code": "",
                                  "source": "bench"})
                    if len(batch) == 20_000:
                        s.execute(Entity.__table__.insert(), batch)
                        batch = []
                if batch:
                    s.execute(Entity.__table__.insert(), batch)
            load_s = time.perf_counter() - t0
            ref = Reference(prohibited=("中国", "国家"))
            probes = [rng.choice(names) for _ in range(300)] + _names(300, random.Random(n))
            indexed, scanned = [], []
            with store.read() as s:
                for region, trade, industry in probes:
                    t = time.perf_counter()
                    list(name_reasons(s, ref, region, trade, industry, "有限公司"))
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
