"""Exactly-once under faults: a kiosk killed mid-submission, and a network that drops, delays and cuts.

Both harnesses use the kiosk's real outbox (SQLite WAL, sealed records) and the real platform client
against a real platform on loopback, and count per submission: delivered once, lost, duplicated.
``python -m tests.reliability submit --data DIR --platform URL --count N`` is the kiosk side the kill
harness starts and SIGKILLs; ``bench/bench_reliability.py`` runs both at full size.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

NAMESPACE = uuid.UUID("6f1c8d1e-6a0b-4c55-9d7e-2b1f3c4d5e6f")
_CHARS = "鑫瑞泰丰源宏达盛隆昌兴嘉旺福润"


def application_for(run: str, i: int) -> dict[str, Any]:
    """Submission ``i`` of a run: the same document however often the kiosk restarts."""
    from service.contract.ids import make_id
    from tests.servicehelp import FRESH_ADDRESSES, application

    trade = "".join(_CHARS[(i // len(_CHARS) ** k) % len(_CHARS)] for k in range(4))
    doc = application(trade=trade)
    doc["application_id"] = str(uuid.uuid5(NAMESPACE, f"{run}:{i}"))
    doc["kiosk_id"] = run[:80]  # the run's own kiosk: what else the platform got from it counts as duplicated
    rep = {"name": "测试人", "id_type": "resident_id",
           "id_number": make_id("441781", date(1970, 1, 1) + timedelta(days=i), i % 1000)}
    doc["officers"].update(legal_representative=rep, directors=[rep], managers=[rep])
    doc["shareholders"][0].update(rep)
    doc["applicant"]["person"].update(rep)
    doc["signatures"][0]["id_number"] = rep["id_number"]
    code = 441702100000 + (i % FRESH_ADDRESSES)
    doc["address"] = {"code": str(code), "text": f"广东省阳江市江城区南恩路{code - 441702100000 + 1}号"}
    return doc


def open_outbox(data: Path) -> Any:
    from kiosk.outbox import Outbox
    from service.contract.vault import Vault

    data.mkdir(parents=True, exist_ok=True)
    return Outbox(data / "outbox.db", Vault(data / "data.key"), base_delay_s=0.01, max_delay_s=0.2)


def submit_all(outbox: Any, client: Any, run: str, count: int, deadline_s: float = 120) -> int:
    """What a kiosk does for each citizen: journal, then send; then keep flushing until all are in."""
    for i in range(count):
        doc = application_for(run, i)
        outbox.put(doc)  # INSERT OR IGNORE: a restart re-journals nothing new
        outbox.deliver(doc["application_id"], client.submit)
    deadline = time.monotonic() + deadline_s
    while outbox.pending() and time.monotonic() < deadline:
        outbox._db.execute("UPDATE outbox SET next_try_at = 0 WHERE delivered_at IS NULL")
        outbox.flush(client.submit)
        time.sleep(0.02)
    return len(outbox.pending())


def count_on_platform(platform: Any, run: str, count: int) -> tuple[int, int]:
    """(submissions the platform holds exactly once, applications it holds beyond them)."""
    from sqlalchemy import select

    from service.db import Application

    expected = {str(uuid.uuid5(NAMESPACE, f"{run}:{i}")) for i in range(count)}
    with platform.store.read() as s:
        ids = [r[0] for r in s.execute(select(Application.application_id).where(Application.kiosk_id == run[:80]))]
    held = Counter(ids)
    once = sum(1 for a in expected if held.get(a) == 1)
    extra = sum(n for a, n in held.items() if a not in expected) + sum(n - 1 for n in held.values() if n > 1)
    return once, extra


# -- the kill harness -------------------------------------------------------------------------------
def kill_run(platform: Any, url: str, data: Path, count: int, seed: int = 1,
             max_kill_after_s: float = 0.04) -> dict[str, Any]:
    """Start the kiosk side, SIGKILL it at a random moment of its submitting, restart; until it
    finishes by itself. The moment is drawn after the process says it is ready, so kills land in
    journalling, sending, waiting for the answer and recording it, not in Python's start-up."""
    rng = random.Random(seed)
    run = f"kill-{seed}-{count}"
    kills = 0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.monotonic()
    while True:
        proc = subprocess.Popen([sys.executable, "-m", "tests.reliability", "submit", "--data", str(data),
                                 "--platform", url, "--count", str(count), "--run", run],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready"
        try:
            proc.wait(timeout=rng.uniform(0.05, max_kill_after_s) if kills < count else 300)
            if proc.returncode == 0:
                break
            raise RuntimeError(f"kiosk side failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
    outbox = open_outbox(data)
    pending = len(outbox.pending())
    outbox.close()
    once, extra = count_on_platform(platform, run, count)
    return {"submissions": count, "kills": kills, "delivered_once": once, "lost": count - once,
            "duplicated": extra, "outbox_pending": pending, "seconds": round(time.monotonic() - started, 1)}


# -- the network-fault proxy -------------------------------------------------------------------------
class FaultProxy:
    """A TCP proxy on loopback that, per connection, passes, refuses, delays, cuts the request, or cuts
    the response after the platform has acted on the request (the case idempotency exists for)."""

    KINDS = ("pass", "refuse", "delay", "cut_request", "cut_response", "partial_response")

    def __init__(self, target: tuple[str, int], seed: int = 1, fault_rate: float = 0.5) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _choose(self) -> str:
        with self._lock:
            kind = "pass" if self.rng.random() >= self.fault_rate else self.rng.choice(self.KINDS[1:])
            self.counts[kind] += 1
            return kind

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, self._choose()), daemon=True).start()

    def _serve(self, client: socket.socket, kind: str) -> None:
        try:
            if kind == "refuse":
                return
            upstream = socket.create_connection(self.target, timeout=10)
            client.settimeout(10)
            request = _read_request(client)
            if kind == "delay":
                time.sleep(self.rng.uniform(0.2, 0.8))
            if kind == "cut_request":
                upstream.sendall(request[: max(1, len(request) // 2)])
                upstream.close()
                return
            upstream.sendall(request)
            response = _read_response(upstream)
            upstream.close()
            if kind == "cut_response":
                return  # the platform decided; the kiosk never hears it
            if kind == "partial_response":
                client.sendall(response[: max(1, len(response) // 2)])
                return
            client.sendall(response)
        except OSError:
            pass
        finally:
            try:
                client.close()
            except OSError:
                pass

    def close(self) -> None:
        self._stop = True
        self.server.close()


def _read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    # one request per connection through the proxy: ask the platform to close after answering
    head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:"))
    return head + b"\r\nConnection: close\r\n\r\n" + body


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def proxy_run(platform: Any, url: str, data: Path, count: int, seed: int = 1) -> dict[str, Any]:
    """Every submission through the faulty proxy, until the outbox is empty."""
    from urllib.parse import urlsplit

    from kiosk.platform_client import PlatformClient

    parts = urlsplit(url)
    proxy = FaultProxy((parts.hostname or "127.0.0.1", parts.port or 80), seed=seed)
    run = f"proxy-{seed}-{count}"
    outbox = open_outbox(data)
    client = PlatformClient(proxy.url, timeout=3, retries=0)
    started = time.monotonic()
    try:
        pending = submit_all(outbox, client, run, count)
    finally:
        outbox.close()
        proxy.close()
    once, extra = count_on_platform(platform, run, count)
    return {"submissions": count, "connections": sum(proxy.counts.values()), "faults": dict(proxy.counts),
            "delivered_once": once, "lost": count - once, "duplicated": extra, "outbox_pending": pending,
            "seconds": round(time.monotonic() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("submit", help="the kiosk side of the kill harness")
    s.add_argument("--data", type=Path, required=True)
    s.add_argument("--platform", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--run", required=True)
    args = parser.parse_args(argv)
    from kiosk.platform_client import PlatformClient

    outbox = open_outbox(args.data)
    client = PlatformClient(args.platform, timeout=5, retries=0)
    print("ready", flush=True)
    left = submit_all(outbox, client, args.run, args.count)
    outbox.close()
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["FaultProxy", "application_for", "count_on_platform", "kill_run", "proxy_run", "submit_all"]
