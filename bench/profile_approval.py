"""Where the CPU of one approval goes (a tool for whoever works on ``bench/bench_platform.py``).

Two ways to look, both on distinct clean companies whose identity was proved at the platform
beforehand (SMS + face, done directly on a :class:`service.platform.Platform` over the same data folder,
so the proofs are not part of what is measured):

``server`` (default)
    The real ``yzt service`` process (SQLite, synchronous=FULL, uvloop/httptools) as the benchmark starts
    it, sampled by ``py-spy`` (in the venv) while ``--kiosks`` signed kiosks submit ``-n`` approvals in a
    closed loop. Reports the server's CPU ms per approval (from /proc), the client's, and the samples
    grouped by what the server was doing (HTTP, auth, pydantic, rules, ORM, commit, dispatcher, ...)::

        .venv/bin/python bench/profile_approval.py server -n 600 --kiosks 32

``inproc``
    The same app in this process through an in-memory ASGI adapter (no sockets, no uvicorn, FastAPI's
    threadpool replaced by inline calls so every frame is on one thread), under ``cProfile``: top
    functions by tottime, cumulative time of the main steps, SQL statements and commits per approval.
    ``--spy`` also samples a second, unprofiled in-process run with py-spy and groups it::

        .venv/bin/python bench/profile_approval.py inproc -n 200 --top 15 [--spy] [--out approval.prof]

The grouping (``classify``) gives each sample to the deepest frame that names a step of an approval;
the second column is what the leaf was (SQL execution, ORM, pydantic, ...). Edit ``GROUPS`` to split
further. Nothing here changes the platform; the data folder is a temporary one.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import os
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PY_SPY = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
ENV = {"YZT_DISPATCH_SCALE": "1000", "YZT_SMS_COOLDOWN_S": "0"}


# -- preparing companies with proofs (not measured) ------------------------------------------------------
def settings_for(tmp: Path) -> Any:
    from service.core.settings import Settings
    from tests.servicehelp import write_reference

    ref = tmp / "ref"
    if not ref.exists():
        write_reference(ref)
    return Settings(platform_dir=tmp / "platform", reference_dir=ref, kiosk_keys_dir=tmp / "kiosks",
                    identity="simulated", dev_sms=True, sms_cooldown_s=0, rate_per_s=100000.0,
                    rate_burst=400000, dispatch_scale=1000.0)


def enrol(tmp: Path, kiosks: int) -> dict[str, Any]:
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys

    keys = {f"YJ-BENCH-{i:02d}": load_or_create_key(tmp / f"k{i}.key") for i in range(kiosks)}
    for kiosk_id, key in keys.items():
        KioskKeys(tmp / "kiosks").enrol(kiosk_id, public_pem(key))
    return keys


def prepare(platform: Any, n: int, kiosk_id: str) -> list[dict[str, Any]]:
    """``n`` distinct clean companies, SMS and face proved directly on ``platform`` (as prove_with does
    over HTTP): what is measured afterwards is approvals only."""
    from service.platform import Actor
    from tests.servicehelp import application, live_image

    actor = Actor(f"kiosk:{kiosk_id}", "127.0.0.1")
    docs = []
    for _ in range(n):
        doc = application()
        p, v = doc["applicant"]["person"], doc["applicant"]["verification"]
        platform.send_sms(actor, p["phone"], p["id_number"], p["name"])
        v["phone_verification_id"] = platform.verify_sms(actor, p["phone"], platform.sms.dev_last[p["phone"]],
                                                         p["id_number"])
        v["face_verification_id"] = platform.verify_face(actor, p["id_number"], p["name"], live_image())[2]
        docs.append(doc)
    return docs


# -- grouping sampled stacks ----------------------------------------------------------------------------
# (group, function regex, file regex): a sample goes to the DEEPEST frame matching one of these.
GROUPS: list[tuple[str, str, str]] = [
    ("http: uvicorn + httptools", r".", r"^(uvicorn|httptools|h11)/"),
    ("event loop / asyncio", r".", r"^(asyncio|uvloop|selectors)"),
    ("threadpool hops (anyio/threads)", r".", r"^(anyio|threading|concurrent|starlette/concurrency)"),
    ("framework: middleware + routing", r".", r"^(starlette|fastapi)/"),
    ("fastapi: body read + JSON decode", r"^(Request\.body|Request\.json|Request\.stream|loads|decode|raw_decode)$",
     r"^(starlette/requests|json/)"),
    ("pydantic: validate ApplicationIn", r"(request_body_to_args|_validate_value_with_model_field|_get_value)",
     r"^fastapi/"),
    ("pydantic: validate + serialise Decision", r"serialize_response|ModelField\.(validate|serialize)", r"^fastapi/"),
    ("JSON encode response", r"render", r"^(starlette|fastapi)/responses"),
    ("auth: signed_kiosk / limiter", r".", r"^service/api/deps"),
    ("auth: Ed25519 verify", r"KioskKeys\.|check_signature|canonical|unb64url", r"^service/(core/security|contract/signing)"),
    ("auth: kiosk-key folder rescan (glob+stat)", r"KioskKeys\.(_refresh|revoked)", r"^service/core/security"),
    ("auth: nonce INSERT (in the decision's transaction, or write_light)", r"write_light|remember_nonce",
     r"^service/core/(db|security)"),
    ("submit: model_dump + sha256 + idempotency get", r"Platform\.submit|canonical_body", r"^service/platform"),
    ("commit of the approval (flush + COMMIT)", r"Store\.write$", r"^service/core/db"),
    ("decide: _first_of_visit query", r"_first_of_visit", r"^service/platform"),
    ("decide: identity proofs (2 gets + owner)", r"Platform\._identity|Proofs\.valid|SimulatedIdentity", r"^service/(platform|identity)"),
    ("decide: context (entity lookup)", r"Platform\._context", r"^service/platform"),
    ("rules:", r".", r"^service/(engine|registry)"),  # refined per rule below
    ("decide: acceptance no + serial UPDATE", r"_acceptance_no|next_serial|acceptance\.", r"^service/(platform|core/db|contract/acceptance)"),
    ("seal (json + AES-GCM) x9", r"seal|Vault\.", r"^service/(core/keys|contract/vault)"),
    ("person_key HMAC", r"person_key|phone_key|token_key|_mac|normalise", r"^service/(core/keys|contract/ids)"),
    ("decide: Application row + spend proofs", r"_decide_and_store|Proofs\.spend", r"^service/(platform|identity)"),
    ("issue: entity + event (USCC, sealed state)", r"Platform\.(_issue|_establish)|entity_state|make$",
     r"^service/(platform|contract/uscc)"),
    ("issue: e-licence sign (Ed25519)", r".", r"^service/contract/elicence"),
    ("issue: items INSERT (6) + calendar", r"queue_items|_queue_opening|WorkCalendar", r"^service/(platform|core/calendar)"),
    ("audit entry", r"Platform\.audit", r"^service/platform"),
    ("Decision build", r"_decision|progress_url", r"^service/(platform|contract/acceptance)"),
    ("logging", r".", r"^logging/"),
    ("dispatch: claim due items (UPDATE..RETURNING)", r"_claim_due", r"^service/platform"),
    ("dispatch: department step + unseal params", r"Platform\._step", r"^service/platform"),
    ("dispatch: department step + unseal params", r".", r"^service/departments"),
    ("dispatch: per-item UPDATE + notices", r"dispatch_once|_notice|Platform\.document", r"^service/platform"),
    ("dispatch: finish_announcements", r".", r"^service/lifecycle"),
]
_GROUPS = [(g, re.compile(f), re.compile(p)) for g, f, p in GROUPS]
LEAF = [("sqlite3 COMMIT (C)", r"do_commit|_commit_impl"), ("sqlite3 execute (C)", r"do_execute|do_executemany"),
        ("SQL compile", r"sqlalchemy/sql/compiler"), ("SQL build", r"sqlalchemy/sql/"),
        ("ORM", r"sqlalchemy/orm/"), ("SQL engine/result", r"sqlalchemy/"), ("pydantic", r"pydantic"),
        ("json", r"json/"), ("logging", r"logging/"), ("crypto", r"cryptography/"),
        ("framework", r"(starlette|fastapi)/"), ("http", r"(uvicorn|httptools|h11)/"),
        ("async/threads", r"(asyncio|anyio|threading|concurrent|selectors|queue)"), ("service code", r"service/")]
_LEAF = [(g, re.compile(p)) for g, p in LEAF]
SKIP = re.compile(r"_find_and_load|Platform\.__init__ \(|create_app|app_from_environment|LifespanOn|Platform\.stop|"
                  r"Platform\.seed|\bupgrade \(|Server\.(startup|shutdown)|bind_socket|_prepare_phase")
# leaves where a thread waits rather than runs (py-spy's own idle detection misses these here)
IDLE = re.compile(r"^(Condition\.wait|Event\.wait|Thread\.join|Thread\._wait_for_tstate_lock|_worker|"
                  r"(Base|Epoll|Poll|Select)Selector\.select|Queue\.get) \(")
WAITING = {"uvloop C (I/O + epoll wait)": re.compile(r"^Runner\.run \(asyncio/runners"),
           "sqlite3 COMMIT (fsync wait + CPU)": re.compile(r"^DefaultDialect\.do_commit \(")}
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*):?(?P<line>\d*)\)$")


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for part in stack.split(";"):
        m = FRAME.match(part)
        if m:
            out.append((m["func"], m["file"]))
    return out


def classify(frames: list[tuple[str, str]]) -> tuple[str, str]:
    group = "other"
    for i in range(len(frames) - 1, -1, -1):
        func, file = frames[i]
        hit = next((g for g, fr, pr in _GROUPS if pr.search(file) and fr.search(func)), None)
        if hit is not None:
            group = hit
            if hit == "rules:":  # the rule that asked, named by its outermost frame in the engine
                engine = [f for f, p in frames if p.startswith(("service/engine", "service/registry"))]
                group = "rule: " + next((f for f in engine if f.startswith("rule_")), engine[-1])
            break
    if any(f in ("Platform._dispatch_loop", "Platform.dispatch_once") for f, _ in frames):
        group = "dispatcher thread: " + (group if group != "other" else "-")
    leaf_file = f"{frames[-1][0]} {frames[-1][1]}" if frames else ""
    leaf = next((g for g, p in _LEAF if p.search(leaf_file)), frames[-1][1].split("/")[0] if frames else "?")
    return group, leaf


def _acquire_lines() -> set[str]:
    """``service/core/db.py:N`` of every ``lock.acquire()`` (a thread there waits for the one writer)."""
    src = (REPO / "service/core/db.py").read_text(encoding="utf-8").splitlines()
    return {f"service/core/db.py:{i}" for i, line in enumerate(src, 1) if "acquire(" in line}


def read_raw(path: Path, must: "re.Pattern[str] | None" = None
             ) -> tuple[collections.Counter, collections.Counter, int, collections.Counter]:
    """py-spy raw output → samples by group, by (group, leaf), how many kept, and the left-out ones
    (startup, idle, waiting for the write lock, uvloop's C, COMMIT)."""
    groups: collections.Counter = collections.Counter()
    detail: collections.Counter = collections.Counter()
    left: collections.Counter = collections.Counter()
    kept = 0
    acquire = _acquire_lines()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        if SKIP.search(stack) or (must is not None and not must.search(stack)):
            left["startup/shutdown/other phase"] += n
            continue
        leaf_text = stack.rsplit(";", 1)[-1]
        if IDLE.search(leaf_text) or ";" not in stack:
            left["idle threads"] += n
            continue
        if leaf_text.rsplit("(", 1)[-1].rstrip(")") in acquire:
            left["waiting for the SQLite write lock (Store._write_lock)"] += n
            continue
        wait = next((k for k, r in WAITING.items() if r.search(leaf_text)), None)
        if wait is not None:
            left[wait + (" [dispatcher]" if "_dispatch_loop" in stack else "")] += n
            continue
        frames = _frames(stack)
        if not frames:
            left["unparsed"] += n
            continue
        g, leaf = classify(frames)
        groups[g] += n
        detail[(g, leaf)] += n
        kept += n
    return groups, detail, kept, left


def report_groups(groups: collections.Counter, detail: collections.Counter, kept: int, ms_per: float | None,
                  title: str, left: collections.Counter | None = None) -> None:
    print(f"\n{title}: {kept} samples on CPU" + (f", scaled to {ms_per:.2f} ms CPU per approval" if ms_per else ""))
    for k, v in (left or {}).items():
        print(f"  left out: {k}: {v} samples ({100 * v / max(1, kept):.0f}% of the kept)")
    print(f"  {'group':50s} {'%':>6s} {'ms/appr':>8s}  leaf breakdown (% of group)")
    for g, n in groups.most_common():
        leaves = sorted(((c, leaf) for (gg, leaf), c in detail.items() if gg == g), reverse=True)[:3]
        share = n / kept
        leaf_txt = ", ".join(f"{leaf} {100 * c / n:.0f}" for c, leaf in leaves)
        print(f"  {g:50s} {100 * share:6.1f} {share * ms_per if ms_per else float('nan'):8.2f}  {leaf_txt}")
    by_leaf: collections.Counter = collections.Counter()
    for (_g, leaf), c in detail.items():
        by_leaf[leaf] += c
    print("  by leaf (what was on top of the stack): " + ", ".join(
        f"{leaf} {100 * c / kept:.0f}%" for leaf, c in by_leaf.most_common(12)))


# -- server mode ------------------------------------------------------------------------------------------
def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child_of(pid: int) -> int | None:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def server_mode(args: argparse.Namespace) -> None:
    from kiosk.platform_client import PlatformClient
    from service.platform import Platform

    tmp = Path(tempfile.mkdtemp(prefix="yzt-prof-"))
    try:
        keys = enrol(tmp, args.kiosks)
        settings = settings_for(tmp)
        platform = Platform(settings)
        t = time.perf_counter()
        docs = prepare(platform, args.n, next(iter(keys)))
        platform.stop()
        print(f"prepared {len(docs)} companies with proofs in {time.perf_counter() - t:.1f} s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        serve = [sys.executable, "-m", "service.contract.cli", "service", "--port", str(port),
                 "--data", str(settings.platform_dir), "--reference", str(settings.reference_dir),
                 "--kiosk-keys", str(tmp / "kiosks"), "--rate", "100000", "--identity", "simulated", "--dev-sms"]
        out = Path(args.raw or tmp / "server.txt")
        spy = bool(PY_SPY) and not args.no_spy
        cmd = ([PY_SPY, "record", "-r", str(args.rate), "-f", "raw", "-t", "--nonblocking", "-o", str(out)]
               + (["--idle"] if args.idle else []) + (["--native"] if args.native else []) + ["--"] + serve
               if spy else serve)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                                env={**os.environ, **ENV})
        from bench.bench_platform import wait_until_serving

        wait_until_serving(proc, url)
        server = (_child_of(proc.pid) if spy else proc.pid) or proc.pid
        clients = [PlatformClient(url, kiosk_id=k, signing_key=key, retries=0) for k, key in keys.items()]
        per = len(docs) // len(clients)
        errors: list[str] = []

        def worker(i: int, c: Any) -> None:
            for doc in docs[i * per:(i + 1) * per]:
                answer = c.submit(doc)
                if answer["decision"] != "approved":
                    errors.append(str(answer["reasons"]))

        def closed_loop(target: Any) -> None:
            threads = [threading.Thread(target=target, args=(i, c)) for i, c in enumerate(clients)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()

        time.sleep(1.0)
        if not spy:  # the floor the benchmark compares with: /health from the same kiosks
            hn = 3 * per

            def health(_i: int, c: Any) -> None:
                for _ in range(hn):
                    c.health()

            h0, hc0, ho0 = time.perf_counter(), _cpu_s(server), time.process_time()
            closed_loop(health)
            hw, hc, ho = time.perf_counter() - h0, _cpu_s(server) - hc0, time.process_time() - ho0
            total = hn * len(clients)
            print(f"/health: {total / hw:.0f}/s, server CPU {1000 * hc / total:.2f} ms/request "
                  f"({100 * hc / hw:.0f}% of one core), client CPU {1000 * ho / total:.2f} ms/request")
        cpu0, own0, t0 = _cpu_s(server), time.process_time(), time.perf_counter()
        closed_loop(worker)
        wall, cpu, own = time.perf_counter() - t0, _cpu_s(server) - cpu0, time.process_time() - own0
        done = per * len(clients)
        os.kill(server, signal.SIGTERM)
        proc.wait(timeout=60)
        print(f"{done} approvals in {wall:.2f} s = {done / wall:.1f}/s from {len(clients)} kiosks"
              f" ({len(errors)} not approved){' [under py-spy]' if spy else ''}")
        print(f"server CPU {cpu:.2f} s = {1000 * cpu / done:.2f} ms/approval ({100 * cpu / wall:.0f}% of one core); "
              f"client CPU {1000 * own / done:.2f} ms/approval (this process: requests, signing, json)")
        if spy and out.exists():
            groups, detail, kept, left = read_raw(out)
            report_groups(groups, detail, kept, 1000 * cpu / done, "yzt service under py-spy", left)
            if args.raw:
                print(f"raw stacks kept in {out}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


# -- in-process mode ------------------------------------------------------------------------------------------
class ASGIAdapter:
    """A requests transport adapter that calls an ASGI app on one event loop in this thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.profiler: cProfile.Profile | None = None
        self.cpu_s = 0.0  # CPU of the app's own work (not the client's: requests, signing, json)

    def timed(self, call: Any, *a: Any) -> Any:
        t = time.thread_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            return call(*a)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
            self.cpu_s += time.thread_time() - t

    def send(self, request: Any, **_kw: Any) -> Any:
        import requests

        parts = urlsplit(request.url)
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": request.method, "scheme": "http", "path": unquote(parts.path),
                 "raw_path": parts.path.encode(), "query_string": parts.query.encode(), "root_path": "",
                 "headers": [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in request.headers.items()],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {}}
        sent: list[dict[str, Any]] = []
        done = asyncio.Event()
        first = True

        async def receive() -> dict[str, Any]:
            nonlocal first
            if first:
                first = False
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        self.timed(self.loop.run_until_complete, self.app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        response = requests.Response()
        response.status_code = start["status"]
        response.headers = requests.structures.CaseInsensitiveDict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", []))
        response._content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        response.url, response.request, response.encoding = request.url, request, "utf-8"
        return response

    def close(self) -> None:
        self.loop.close()


def _inline_threadpool() -> None:
    """FastAPI's sync dependencies, endpoints and response validation run inline (one thread to profile)."""
    import fastapi.dependencies.utils as dep_utils
    import fastapi.routing as routing

    async def inline(func: Any, *a: Any, **kw: Any) -> Any:
        return func(*a, **kw)

    routing.run_in_threadpool = inline  # type: ignore[assignment]
    dep_utils.run_in_threadpool = inline  # type: ignore[assignment]


def _inproc_setup(args: argparse.Namespace, tmp: Path) -> tuple[Any, list[Any], list[dict[str, Any]], Any]:
    import requests

    from kiosk.platform_client import PlatformClient
    from service.main import create_app
    from service.platform import Platform

    keys = enrol(tmp, args.kiosks)
    platform = Platform(settings_for(tmp))
    platform.settings.public_url = "http://127.0.0.1:8700"
    docs = prepare(platform, args.n + args.warmup, next(iter(keys)))
    _inline_threadpool()
    app = create_app(platform, run_dispatcher=False)  # the dispatcher is driven below, in this thread
    adapter = ASGIAdapter(app)
    clients = []
    for k, key in keys.items():
        c = PlatformClient("http://inproc", kiosk_id=k, signing_key=key, retries=0)
        c.http.mount("http://inproc", adapter)  # type: ignore[arg-type]
        clients.append(c)
    assert isinstance(clients[0].http, requests.Session)
    return platform, clients, docs, adapter


def _approval_phase(platform: Any, clients: list[Any], docs: list[dict[str, Any]], dispatch_every: int,
                    adapter: Any) -> int:
    bad = 0
    for i, doc in enumerate(docs):
        answer = clients[i % len(clients)].submit(doc)
        bad += answer["decision"] != "approved"
        if dispatch_every and (i + 1) % dispatch_every == 0:
            adapter.timed(platform.dispatch_once)  # what the dispatcher thread does meanwhile in the server
    return bad


def _prepare_phase(args: argparse.Namespace, tmp: Path) -> Any:
    return _inproc_setup(args, tmp)


def inproc_mode(args: argparse.Namespace) -> None:
    from sqlalchemy import event

    import logging

    logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))  # as `yzt service` logs (INFO)
    tmp = Path(tempfile.mkdtemp(prefix="yzt-prof-"))
    try:
        platform, clients, docs, adapter = _prepare_phase(args, tmp)
        warm, docs = docs[:args.warmup], docs[args.warmup:]
        _approval_phase(platform, clients, warm, args.dispatch_every, adapter)
        if args.worker:  # under py-spy (--spy): unprofiled, grouped by the parent
            adapter.cpu_s = 0.0
            _approval_phase(platform, clients, docs, args.dispatch_every, adapter)
            print(f"CPU {1000 * adapter.cpu_s / len(docs):.2f} ms/approval", flush=True)
            return
        statements: collections.Counter = collections.Counter()
        misses: collections.Counter = collections.Counter()

        @event.listens_for(platform.store.engine, "before_cursor_execute")
        def _count(_c: Any, _cur: Any, sql: str, _params: Any, context: Any, _many: bool) -> None:
            statements[sql.split(None, 1)[0].upper()] += 1
            hit = getattr(context, "cache_hit", None)
            if hit is not None and hit != getattr(context, "CACHE_HIT", hit):  # compiled afresh (or uncacheable)
                statements["(compiled, not from cache)"] += 1
                misses[" ".join(sql.split())[:90]] += 1

        @event.listens_for(platform.store.engine, "commit")
        def _commits(_c: Any) -> None:
            statements["(commit)"] += 1

        dialect, commit_cost = platform.store.engine.dialect, [0.0, 0.0]
        real_commit = dialect.do_commit

        def timed_commit(dbapi_connection: Any) -> None:  # COMMIT = fsync of the WAL (synchronous=FULL)
            t, c = time.perf_counter(), time.thread_time()
            try:
                real_commit(dbapi_connection)
            finally:
                commit_cost[0] += time.perf_counter() - t
                commit_cost[1] += time.thread_time() - c

        dialect.do_commit = timed_commit  # type: ignore[method-assign]
        half = len(docs) // 2
        adapter.cpu_s, t0, w0 = 0.0, time.process_time(), time.perf_counter()
        bad = _approval_phase(platform, clients, docs[:half], args.dispatch_every, adapter)
        cpu, wall, everything = adapter.cpu_s, time.perf_counter() - w0, time.process_time() - t0
        print(f"unprofiled: {half} approvals, app {1000 * cpu / half:.2f} ms CPU each (client side + app "
              f"{1000 * everything / half:.2f} ms CPU, {1000 * wall / half:.2f} ms wall); {bad} not approved; "
              f"no sockets, uvicorn or threadpool")
        dialect.do_commit = real_commit  # type: ignore[method-assign]
        print(f"COMMIT (all commits, incl. nonce + dispatcher): {1000 * commit_cost[0] / half:.2f} ms wall, "
              f"{1000 * commit_cost[1] / half:.2f} ms CPU per approval")
        per = {k: v / half for k, v in statements.items()}
        print("per approval (incl. dispatcher share): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per.items())))
        for sql, count in misses.most_common(5):
            print(f"  not from the compiled cache, {count / half:.1f}/approval: {sql}")
        profiler = adapter.profiler = cProfile.Profile()
        rest = docs[half:]
        _approval_phase(platform, clients, rest, args.dispatch_every, adapter)
        adapter.profiler = None
        if args.out:
            profiler.dump_stats(args.out)
        stats = pstats.Stats(profiler)
        total = stats.total_tt  # type: ignore[attr-defined]
        print(f"\ncProfile: {len(rest)} approvals, {1000 * total / len(rest):.2f} ms each under the profiler")
        print(f"\ntop {args.top} by tottime (ms per approval, % of profiled time, calls per approval):")
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
        for (file, line, func), (_cc, nc, tt, _ct, _callers) in rows[:args.top]:
            where = _short(file, line)
            print(f"  {1000 * tt / len(rest):6.3f} {100 * tt / total:5.1f}% {nc / len(rest):7.1f}  {func}  {where}")
        print("\ncumulative (inclusive, overlapping) of the main steps, ms per approval and %:")
        wanted = [("fastapi/dependencies/utils.py", "solve_dependencies"), ("service/api/deps.py", "signed_kiosk"),
                  ("service/core/security.py", "verify"), ("service/core/db.py", "write_light"),
                  ("fastapi/dependencies/utils.py", "request_body_to_args"), ("fastapi/routing.py", "run_endpoint_function"),
                  ("fastapi/routing.py", "serialize_response"),
                  ("starlette/responses.py", "render"), ("service/platform.py", "submit"),
                  ("service/platform.py", "_decide_and_store"), ("service/platform.py", "_first_of_visit"),
                  ("service/platform.py", "_identity"), ("service/platform.py", "_context"),
                  ("service/engine/approval.py", "evaluate"), ("service/engine/rules.py", "rule_"),
                  ("service/platform.py", "_acceptance_no"), ("service/platform.py", "_issue"),
                  ("service/platform.py", "queue_items"), ("service/core/keys.py", "seal"),
                  ("service/core/keys.py", "person_key"), ("service/contract/elicence.py", "sign"),
                  ("sqlalchemy/orm/session.py", "commit"), ("sqlalchemy/orm/session.py", "flush"),
                  ("sqlalchemy/engine/default.py", "do_commit"), ("sqlalchemy/engine/default.py", "do_execute"),
                  ("sqlalchemy/sql/elements.py", "_compile_w_cache"), ("sqlalchemy/sql/cache_key.py", "_generate_cache_key"),
                  ("sqlalchemy/sql/coercions.py", "expect"), ("logging/__init__.py", "_log"),
                  ("service/platform.py", "dispatch_once")]
        for suffix, name in wanted:
            hits = [(k, v) for k, v in stats.stats.items()  # type: ignore[attr-defined]
                    if k[0].endswith(suffix) and (k[2] == name or (name.endswith("_") and k[2].startswith(name)))]
            if name.endswith("_"):  # every rule, each on its own line
                for (_file, _line, func), v in sorted(hits, key=lambda kv: -kv[1][3]):
                    print(f"  {1000 * v[3] / len(rest):7.3f} {100 * v[3] / total:5.1f}%  {func}")
                continue
            ct = sum(v[3] for _k, v in hits)
            calls = sum(v[1] for _k, v in hits)
            print(f"  {1000 * ct / len(rest):7.3f} {100 * ct / total:5.1f}%  {suffix}:{name} ({calls / len(rest):.1f} calls)")
        if args.spy and PY_SPY:
            out = Path(args.raw or tmp / "inproc.txt")
            cmd = [PY_SPY, "record", "-r", str(args.rate), "-f", "raw", "-t", "-o", str(out), "--",
                   sys.executable, __file__, "inproc", "--worker", "-n", str(args.n), "--kiosks", str(args.kiosks),
                   "--warmup", str(args.warmup), "--dispatch-every", str(args.dispatch_every)]
            result = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, **ENV})
            line = next((x for x in result.stdout.splitlines() if x.startswith("CPU")), "")
            ms = float(line.split()[1]) if line else None
            groups, detail, kept, left = read_raw(out, must=re.compile(r"ASGIAdapter\.timed"))
            report_groups(groups, detail, kept, ms, "in-process, unprofiled, under py-spy", left)
        adapter.close()
        platform.stop()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _short(file: str, line: int) -> str:
    for marker in ("site-packages/", str(REPO) + "/"):
        if marker in file:
            return f"{file.split(marker, 1)[1]}:{line}"
    return f"{file}:{line}"


def main(argv: Iterable[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", nargs="?", choices=["server", "inproc"], default="server")
    p.add_argument("-n", type=int, default=400, help="approvals measured (distinct companies)")
    p.add_argument("--kiosks", type=int, default=32, help="signed kiosks (server: concurrent clients)")
    p.add_argument("--rate", type=int, default=100, help="py-spy samples a second")
    p.add_argument("--top", type=int, default=15, help="inproc: functions listed by tottime")
    p.add_argument("--out", help="inproc: write the cProfile stats here (snakeviz, pstats)")
    p.add_argument("--raw", help="keep py-spy's raw stacks here")
    p.add_argument("--spy", action="store_true", help="inproc: also group an unprofiled run sampled by py-spy")
    p.add_argument("--no-spy", action="store_true", help="server: no py-spy (CPU per approval only)")
    p.add_argument("--idle", action="store_true", help="server: py-spy counts waiting threads too (wall, not CPU)")
    p.add_argument("--native", action="store_true", help="py-spy --native (C frames; slower)")
    p.add_argument("--warmup", type=int, default=20, help="inproc: approvals before measuring")
    p.add_argument("--dispatch-every", type=int, default=10, help="inproc: one dispatcher round every N approvals")
    p.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(list(argv) if argv is not None else None)
    if args.mode == "server" and not PY_SPY and not args.no_spy:
        print("py-spy not found: server CPU per approval only (use inproc for cProfile)")
        args.no_spy = True
    server_mode(args) if args.mode == "server" else inproc_mode(args)


if __name__ == "__main__":
    main()
