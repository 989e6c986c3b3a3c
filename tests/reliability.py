"""Nothing lost, nothing duplicated — driven through what the kiosk really does.

Three harnesses, each counting at the platform (applications per citizen) and at the departments (the
linked items ordered per company and service):

* **kills** (:func:`kill_run`): the kiosk is a real process (``python -m tests.reliability kiosk``) built as
  ``yzt kiosk`` builds itself (:class:`kiosk.runtime.Runtime` from a kiosk.toml, the forwarder started,
  printers on their simulators), serving a queue of citizens. Application ids come from
  ``runtime.new_visit()``; answers are journalled as the citizen goes; it signs with its enrolled key and
  proves identity at the platform. It is SIGKILLed at every step of a visit — during the answers, after the
  submission was journalled, during the HTTP call, after the decision, during printing — restarted, and
  the citizen starts again from the beginning (the kiosk recognises the card and gives the same
  application back).
* **network faults** (:func:`network_run`): a loopback proxy refuses, delays, cuts the request, cuts the
  response after the platform acted, truncates it, or answers 429/503 itself; windows where the kiosk is
  not enrolled (a real 401 from the platform), where its clock is 400 s off (a real 401: stale), and where
  the platform's rate limit answers 429 with ``Retry-After``. The forwarder delivers what was queued.
* **platform kills** (:func:`platform_kill_run`): the platform is a real ``yzt service`` process (SQLite or
  PostgreSQL) SIGKILLed while it commits submissions (right after a POST reaches it) and restarted on the
  same port; nothing the kiosk was told was approved may be missing afterwards.

Single-item visits for registered companies are mixed in (every fourth citizen), where a duplicate would
order a second bank account or seal. ``bench/bench_reliability.py`` runs the full counts.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
_CHARS = "鑫瑞泰丰源宏达盛隆昌兴嘉旺福润"
KILL_STEPS = ("answers", "submit", "http", "decision", "printing")
SINGLE_ITEMS = ("seal", "bank_account", "tax")


# -- the citizens ------------------------------------------------------------------------------------
@dataclass
class Citizen:
    i: int
    kind: str  # open (a new company) or single (items for a registered one)
    rep: dict[str, str]
    second: dict[str, str]
    trade: str
    address: dict[str, str]
    phone: str
    uscc: str = ""
    e_license: str = ""


def _trade(n: int) -> str:
    return "".join(_CHARS[(n // len(_CHARS) ** k) % len(_CHARS)] for k in range(4))


def make_citizens(run: str, count: int, single_every: int = 4) -> list[Citizen]:
    """``count`` citizens no other run meets: their own people, names, addresses and phones."""
    from service.contract.ids import make_id
    from tests.servicehelp import FRESH_ADDRESSES

    base = int(hashlib.sha256(run.encode()).hexdigest()[:8], 16)
    out = []
    for i in range(count):
        n = (base + i * 7919) % (len(_CHARS) ** 4)
        day = date(1960, 1, 1) + timedelta(days=(base + i * 3) % 12000)
        rep = {"name": "测试人", "id_number": make_id("441781", day, (base + i) % 997)}
        second = {"name": "股东乙", "id_number": make_id("441702", day + timedelta(days=1), (base + i + 500) % 997)}
        code = 441702100000 + (base + i) % FRESH_ADDRESSES
        out.append(Citizen(i=i, kind="single" if single_every and i % single_every == single_every - 1 else "open",
                           rep=rep, second=second, trade=_trade(n),
                           address={"code": str(code), "text": f"广东省阳江市江城区南恩路{code - 441702100000 + 1}号"},
                           phone=str(13000000000 + (base * 31 + i) % 999_999_999)))
    return out


def card(person: dict[str, str]) -> dict[str, Any]:
    from service.contract.ids import birth_date

    return {"card_type": "resident", "name": person["name"], "id_number": person["id_number"],
            "valid_to": "2036-01-01", "birth": birth_date(person["id_number"]).isoformat(),
            "address": "广东省阳江市江城区东风一路1号"}


def register_companies(client: Any, citizens: list[Citizen]) -> None:
    """The companies the single-item citizens come for, registered earlier (no items yet)."""
    from tests.servicehelp import application, prove_with

    for c in citizens:
        if c.kind != "single" or c.uscc:
            continue
        doc = application(trade=c.trade)
        rep = {"name": c.rep["name"], "id_type": "resident_id", "id_number": c.rep["id_number"]}
        doc["officers"].update(legal_representative=rep, directors=[rep], managers=[rep], finance_officer=rep)
        doc["shareholders"][0].update(rep)
        doc["applicant"]["person"].update(rep)
        doc["applicant"]["person"]["phone"] = c.phone
        doc["signatures"][0]["id_number"] = rep["id_number"]
        doc["address"] = c.address
        doc.update(mode="partial_chain", linked_services={})
        decision = client.submit(prove_with(client, doc))
        assert decision["decision"] == "approved", decision["reasons"]
        c.uscc, c.e_license = decision["uscc"], decision["e_license"]


# -- the kiosk, as it builds itself ----------------------------------------------------------------------
def write_config(folder: Path, kiosk_id: str, url: str) -> Path:
    """A kiosk.toml: the platform at ``url``, printers on their simulators, no reader or camera (the
    citizens' cards are handed to the journey as the card step would)."""
    folder.mkdir(parents=True, exist_ok=True)
    spool = folder / "licences"
    spool.mkdir(exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "{kiosk_id}"\ndata_dir = "{folder / "data"}"\n'
                    f'[platform]\nurl = "{url}"\ntimeout_s = 5\nheartbeat_s = 3600\n'
                    '[devices.idcard]\nurl = ""\n[devices.camera]\nurl = ""\n[devices.qr_scanner]\nurl = ""\n'
                    '[devices.receipt_printer]\nurl = "sim://?transport=tcp"\n'
                    f'[devices.document_printer]\nurl = "spool://{spool}"\n', encoding="utf-8")
    return path


def enrol(running: Any, config_path: Path) -> None:
    """Enrol the kiosk's key at the platform, as an operator does (tests/servicehelp.py ``Kiosk`` does the same)."""
    from kiosk import config
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys

    cfg = config.load(config_path)
    key = load_or_create_key(cfg.data_dir / "kiosk.key")
    KioskKeys(running.platform.settings.kiosks if hasattr(running, "platform") else running).enrol(
        cfg.kiosk.id, public_pem(key))


def boot(config_path: Path, fast: bool = True) -> tuple[Any, Any]:
    """(services, runtime) from the config, as ``yzt kiosk`` builds them; the forwarder started as the
    app's ``on_start`` does. ``fast``: short backoffs (the harness cannot wait minutes)."""
    from kiosk import config
    from kiosk.runtime import Runtime
    from kiosk.services import KioskServices

    cfg = config.load(config_path)
    runtime = Runtime.build(cfg)
    if fast:
        outbox = runtime.outbox()
        outbox.base_delay_s, outbox.max_delay_s, outbox.auth_max_delay_s = 0.1, 1.5, 1.0
    forwarder = runtime.forwarder()
    if fast:
        forwarder.probe_s = 0.3
    forwarder.start()
    return KioskServices(runtime, cfg), runtime


def live_image() -> bytes:
    from tests.servicehelp import live_image as image

    return image()


class Retry(Exception):
    """A step the citizen does again in a moment (the platform did not answer)."""


class NameTaken(Exception):
    """The name check says the citizen's name is taken: the kiosk goes no further with it."""


def walk(services: Any, runtime: Any, c: Citizen, identity: Any = None,
         after_step: Callable[[Any], None] | None = None, patience_s: float = 120.0,
         recognise: bool = True) -> dict[str, Any]:
    """One visit of citizen ``c``, from a new visit to the printed documents, through the services the
    screens use. ``identity``: the client for the identity, name and licence steps (default: the kiosk's).
    A recognised earlier visit is taken up as the app does (``recognise=False``: as a kiosk without the
    journal would, the negative control). Returns what the citizen leaves with."""
    from kiosk.journeys.registration import RegistrationJourney, Step
    from kiosk.journeys.single import SingleItemJourney
    from kiosk.platform_client import PlatformError
    from kiosk.services import ServiceError
    from service.contract import elicence
    from tests.servicehelp import SCOPE_NONE

    app_id, number = runtime.new_visit()
    cls = SingleItemJourney if c.kind == "single" else RegistrationJourney
    journey = cls(today=date.today(), kiosk_id=runtime.cfg.kiosk.id, application_id=app_id, acceptance_no=number)
    services.visit_started(journey, c.kind)
    idc = identity or services.platform()
    rep_card, second_card = card(c.rep), card(c.second)
    deadline = time.monotonic() + patience_s
    resumed = None

    def perform(step: Step) -> list[Any]:
        if step is Step.LICENCE:
            return journey.licence_read(idc.verify_licence(elicence.payload_of(c.e_license)))
        if step is Step.ENTITY_TYPE:
            return journey.choose_entity_type("llc")
        if step is Step.APPLICANT_CARD:
            return journey.card_read(rep_card)
        if step is Step.PHONE:
            idc.send_sms_code(c.phone, c.rep["id_number"], c.rep["name"])
            code = idc.dev_sms_code(c.phone)
            if not code:
                raise Retry("no code")
            return journey.phone_verified(c.phone, idc.verify_sms_code(c.phone, code, c.rep["id_number"]))
        if step is Step.LIVENESS:
            answer = idc.verify_face(c.rep["id_number"], c.rep["name"], live_image())
            return journey.liveness_result(answer["passed"], answer["score"], answer.get("verification_id"))
        if step is Step.NAME:
            check = idc.check_name("阳江市", c.trade, "科技", "有限公司")
            problems = journey.set_name("阳江市", c.trade, "科技", "有限公司", check)
            if problems:  # taken — by the citizen's own company, if a crash made the kiosk forget them
                raise NameTaken(str(check.get("reasons")))
            return problems
        if step is Step.ADDRESS:
            return journey.set_address(c.address["code"], c.address["text"])
        if step is Step.SCOPE:
            return journey.set_scope([{"code": SCOPE_NONE, "text": "软件开发"}])
        if step is Step.CAPITAL:
            return journey.set_capital(1_000_000)
        if step is Step.SHAREHOLDERS:
            until = date.today() + timedelta(days=3 * 365)
            journey.add_shareholder(rep_card, 600_000, until)
            journey.add_shareholder(second_card, 400_000, until)
            return journey.shareholders_done()
        if step is Step.CONTRIBUTIONS:
            return journey.contributions_done()
        if step is Step.OFFICERS:
            rep, second = c.rep["id_number"], c.second["id_number"]
            return journey.set_officers(rep, [rep], second, rep)
        if step is Step.LINKED:
            if c.kind == "single":
                chosen = journey.default_linked()
                return journey.set_linked({k: chosen[k] | ({"bank": "中国银行", "branch": "阳江分行"}
                                                           if k == "bank_account" else {}) for k in SINGLE_ITEMS})
            return journey.set_linked(journey.default_linked() | {"bank_account": {"bank": "中国银行",
                                                                                   "branch": "阳江分行"}})
        if step is Step.CHECK:
            return journey.confirm_answers()
        if step is Step.SIGN:
            for signer in list(journey.unsigned):
                problems = journey.signed(signer["id_number"], hashlib.sha256(signer["id_number"].encode()).hexdigest())
                if problems:
                    return problems
            return []
        raise AssertionError(f"no action for {step}")

    while journey.current not in (Step.SUBMIT, Step.RESULT):
        if time.monotonic() > deadline:
            raise TimeoutError(f"citizen {c.i} stuck at {journey.current.value}")
        step = journey.current
        try:
            problems = perform(step)
        except NameTaken as exc:
            services.visit_ended(journey, "name taken")
            return {"i": c.i, "kind": c.kind, "application_id": None, "visit_id": journey.draft.application_id,
                    "decision": "name_taken", "uscc": None, "resumed": resumed, "printed": [], "why": str(exc)}
        except (PlatformError, ServiceError, Retry, OSError):
            time.sleep(0.3)  # the platform did not answer: the citizen tries the step again
            continue
        if problems:
            raise AssertionError(f"citizen {c.i} at {step.value}: {[p.message_en for p in problems]}")
        services.visit_step(journey)
        if after_step is not None:
            after_step(journey)
        if step is Step.APPLICANT_CARD and resumed is None and recognise:
            earlier = services.recognise(journey)
            if earlier is not None:  # the kiosk knows this citizen's interrupted visit: the same application
                resumed = earlier.application_id
                journey = services.resume(earlier, journey)
                services.visit_step(journey)
    while True:
        try:
            outcome = services.submit(journey)
            break
        except ServiceError as exc:
            if time.monotonic() > deadline:
                raise
            if exc.key == "error.platform.refused":
                raise AssertionError(f"citizen {c.i}: refused for good: {exc.detail}") from None
            time.sleep(0.3)
    services.visit_ended(journey, "visit finished")
    decision = outcome["decision"]
    return {"i": c.i, "kind": c.kind, "application_id": decision.get("application_id"),
            "visit_id": journey.draft.application_id, "decision": decision.get("decision"),
            "uscc": decision.get("uscc"), "resumed": resumed,
            "printed": sorted(r["kind"] for r in outcome.get("receipts", []) if r["printed"])
            + (["licence"] if outcome.get("licence_printed") else [])}


def wait_delivered(runtime: Any, timeout_s: float = 90.0) -> int:
    """Until the forwarder has delivered everything (or the time is up): what is left."""
    deadline = time.monotonic() + timeout_s
    while runtime.outbox().pending() and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(runtime.outbox().pending())


# -- counting at the platform and at the departments -------------------------------------------------------
class CountingDepartment:
    """A department that counts what it is asked to do (per company, service and action)."""

    def __init__(self, inner: Any, orders: dict[tuple[str, str, str], list[str]]) -> None:
        self.inner, self.orders = inner, orders
        self.code = inner.code

    def submit(self, application_id: str, uscc: str, action: str, params: dict[str, Any]) -> Any:
        self.orders[(uscc, self.code, action)].append(application_id)
        return self.inner.submit(application_id, uscc, action, params)

    def finish(self, application_id: str, reference: str, action: str) -> Any:
        return self.inner.finish(application_id, reference, action)

    def open_matters(self, uscc: str) -> Any:
        return self.inner.open_matters(uscc)


def count_departments(platform: Any) -> dict[tuple[str, str, str], list[str]]:
    """Wrap the platform's departments (in-process platform) with counters; the dict fills as they are asked."""
    orders: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for code, dept in list(platform.departments.items()):
        platform.departments[code] = CountingDepartment(dept, orders)
    return orders


def count_platform(db_url: str, citizens: list[Citizen], orders: dict[tuple[str, str, str], list[str]] | None = None,
                   settle_s: float = 20.0) -> dict[str, Any]:
    """Per citizen: the applications the platform holds (lost: none live; duplicated: more than one), and
    the linked items ordered for the company (duplicated: a service ordered twice; lost: an approved
    item never handed to its department)."""
    from sqlalchemy import create_engine, select

    from service.models import Application, Item

    engine = create_engine(_driver(db_url))
    open_trades = {c.trade: c for c in citizens if c.kind == "open"}
    singles = {c.uscc: c for c in citizens if c.kind == "single"}
    deadline = time.monotonic() + settle_s
    try:
        while True:
            with engine.connect() as conn:
                apps = conn.execute(select(Application.application_id, Application.trade_name, Application.uscc,
                                           Application.mode, Application.decision, Application.reason_codes)).all()
                rows: dict[int, list[Any]] = defaultdict(list)
                for a in apps:
                    if a.mode == "single_item" and a.uscc in singles:
                        rows[singles[a.uscc].i].append(a)
                    elif a.mode != "single_item" and a.trade_name in open_trades:
                        rows[open_trades[a.trade_name].i].append(a)
                usccs = {a.uscc for rs in rows.values() for a in rs if a.uscc}
                items = conn.execute(select(Item.application_id, Item.uscc, Item.service, Item.action, Item.status)
                                     .where(Item.uscc.in_(usccs))).all() if usccs else []
            undispatched = [i for i in items if i.status == "pending"]
            if not undispatched or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        engine.dispose()
    live = {i: [a for a in rs if a.decision in ("approved", "manual_review")] for i, rs in rows.items()}
    lost = [c.i for c in citizens if not live.get(c.i)]
    duplicated = {c.i: len(rows[c.i]) - 1 for c in citizens if len(rows.get(c.i, [])) > 1}
    per_service = Counter((i.uscc, i.service, i.action) for i in items)
    item_dups = {f"{k[0]}:{k[1]}": n - 1 for k, n in per_service.items() if n > 1}
    figures: dict[str, Any] = {"citizens": len(citizens), "lost": len(lost), "lost_citizens": lost[:10],
                               "duplicated": sum(duplicated.values()) + sum(item_dups.values()),
                               "duplicated_applications": duplicated, "duplicated_items": item_dups,
                               "items": len(items), "items_never_dispatched": len(undispatched),
                               "approved": sum(1 for rs in live.values() for a in rs if a.decision == "approved")}
    if orders is not None:
        dept = {f"{k[0]}:{k[1]}": len(v) - 1 for k, v in orders.items() if k[0] in usccs and len(v) > 1}
        figures["department_orders"] = sum(len(v) for k, v in orders.items() if k[0] in usccs)
        figures["duplicated_department_orders"] = dept
        figures["duplicated"] += sum(dept.values())
        ordered = {(k[0], k[1]) for k in orders if k[0] in usccs}
        figures["lost_department_orders"] = sum(1 for i in items if (i.uscc, i.service) not in ordered)
        figures["lost"] += figures["lost_department_orders"]
    return figures


def _driver(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def db_url_of(running: Any) -> str:
    return running.platform.settings.database_url()


def clean_run(running: Any, folder: Path, count: int, seed: int = 1) -> dict[str, Any]:
    """The same visits with no fault at all: the baseline (time, and the counts must be clean too)."""
    from tests.servicehelp import Kiosk

    run = f"REL-CLEAN-{seed}-{count}"
    citizens = make_citizens(run, count)
    register_companies(Kiosk(running, "REL-REGISTRY", folder / "registry").client, citizens)
    orders = count_departments(running.platform)
    config_path = write_config(folder, run, running.url)
    enrol(running, config_path)
    services, runtime = boot(config_path)
    started = time.monotonic()
    try:
        for c in citizens:
            walk(services, runtime, c)
        left = wait_delivered(runtime)
    finally:
        runtime.close()
    figures = count_platform(db_url_of(running), citizens, orders)
    figures.update(outbox_pending=left, seconds=round(time.monotonic() - started, 1))
    return figures


# -- the kill harness -------------------------------------------------------------------------------------
def kill_plan(count: int, seed: int, second_kill_share: float = 0.3,
              steps: tuple[str, ...] = KILL_STEPS) -> list[dict[str, Any]]:
    """Every citizen's first attempt killed at one step of the visit (the steps in turn), and some of
    the retries killed again at a random step."""
    rng = random.Random(seed)
    plan = []
    for i in range(count):
        step = steps[i % len(steps)]
        plan.append({"i": i, "attempt": 0, "step": step, "param": rng.randint(1, 7) if step == "answers"
                     else rng.uniform(0.0, 0.04)})
        if rng.random() < second_kill_share:
            step = rng.choice(KILL_STEPS)
            plan.append({"i": i, "attempt": 1, "step": step, "param": rng.randint(1, 4) if step == "answers"
                         else rng.uniform(0.0, 0.04)})
    return plan


def kill_run(running: Any, folder: Path, count: int, seed: int = 1, deadline_s: float = 900.0,
             recognise: bool = True, steps: tuple[str, ...] = KILL_STEPS) -> dict[str, Any]:
    """The kiosk process killed at every step of a visit, restarted, the citizens trying again.
    ``recognise=False`` is the negative control: a kiosk that forgets the citizen, as before the journal."""
    from tests.servicehelp import Kiosk

    run = f"REL-KILL-{seed}-{count}"
    citizens = make_citizens(run, count)
    register_companies(Kiosk(running, "REL-REGISTRY", folder / "registry").client, citizens)
    orders = count_departments(running.platform)
    config_path = write_config(folder, run, running.url)
    enrol(running, config_path)
    (folder / "citizens.json").write_text(json.dumps([asdict(c) for c in citizens], ensure_ascii=False),
                                          encoding="utf-8")
    plan = kill_plan(count, seed, steps=steps)
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    kills = Counter[str]()
    runs = 0
    while True:
        runs += 1
        proc = subprocess.Popen([sys.executable, "-m", "tests.reliability", "kiosk", "--config", str(config_path),
                                 "--folder", str(folder)] + ([] if recognise else ["--forget"]), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            out, err = proc.communicate(timeout=max(10.0, deadline_s - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError(f"kiosk side hung: {err.decode()[-2000:]}") from None
        if proc.returncode == -signal.SIGKILL:
            last = [ln for ln in out.decode().splitlines() if ln.startswith("KILL ")]
            kills[last[-1].split()[1] if last else "?"] += 1
            continue
        if proc.returncode == 0:
            break
        raise RuntimeError(f"kiosk side failed ({proc.returncode}): {err.decode()[-3000:]}")
    ledger = read_ledger(folder)
    figures = count_platform(db_url_of(running), citizens, orders)
    licences = Counter(json.loads(p.read_text())["application_id"] for p in (folder / "licences").glob("*.json"))
    figures.update(kills=sum(kills.values()), kills_by_step=dict(kills), kiosk_starts=runs,
                   citizens_done=len(ledger), recognised=sum(1 for r in ledger.values() if r.get("resumed")),
                   licences_printed=sum(licences.values()),
                   licence_reprints=sum(n - 1 for n in licences.values() if n > 1),
                   approved_without_licence=sum(1 for r in ledger.values() if r["kind"] == "open"
                                                and r["decision"] == "approved" and not licences.get(
                                                    r["application_id"])),
                   seconds=round(time.monotonic() - started, 1))
    # what each citizen left with: a decision, or an acceptance receipt (queued: the platform's count above
    # says whether it arrived); anything else (a name taken by their own company) is a loss
    figures["citizens_without_result"] = count - sum(1 for r in ledger.values()
                                                     if r["decision"] in ("approved", "manual_review", "queued"))
    figures["left_with_a_receipt_only"] = sum(1 for r in ledger.values() if r["decision"] == "queued")
    figures["ledger"] = dict(Counter(str(r["decision"]) for r in ledger.values()))
    figures["lost"] += figures["citizens_without_result"]
    return figures


def read_ledger(folder: Path) -> dict[int, dict[str, Any]]:
    path = folder / "ledger.jsonl"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line torn by a kill
        out[row["i"]] = row
    return out


def _append(path: Path, row: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def kiosk_side(config_path: Path, folder: Path, recognise: bool = True) -> int:
    """The kiosk process of the kill harness: serve the citizens not yet served, die where the plan says."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    citizens = [Citizen(**c) for c in json.loads((folder / "citizens.json").read_text(encoding="utf-8"))]
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    attempts_path = folder / "attempts.jsonl"
    attempts = Counter(json.loads(ln)["i"] for ln in attempts_path.read_text().splitlines() if ln.strip()) \
        if attempts_path.exists() else Counter()
    services, runtime = boot(config_path)
    current: dict[str, Any] = {}
    saves = [0]

    def die(step: str) -> None:
        print(f"KILL {step} {current.get('i')}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    def armed(step: str) -> dict[str, Any] | None:
        return next((k for k in plan if k["i"] == current.get("i") and k["attempt"] == current.get("attempt")
                     and k["step"] == step), None)

    def later(seconds: float, step: str) -> None:
        timer = threading.Timer(seconds, die, args=(step,))
        timer.daemon = True
        timer.start()

    # the kill points, around the kiosk's own code
    outbox, journal = runtime.outbox(), runtime.journal()
    real_put, real_finish, real_save = outbox.put, outbox._finish, journal.save
    real_licence, real_receipt = services._print_licence, services._print_receipt
    client = services.platform()
    real_submit = client.submit

    def put(application: dict[str, Any]) -> bool:
        new = real_put(application)
        if armed("submit"):
            die("submit")
        return new

    def submit(application: dict[str, Any]) -> dict[str, Any]:
        k = armed("http")
        if k:
            later(k["param"], "http")
        return real_submit(application)

    def finish(application_id: str, answer: dict[str, Any]) -> None:
        real_finish(application_id, answer)
        if armed("decision"):  # whichever thread stored it (the citizen's submission or the forwarder)
            die("decision")

    def save(journey: Any, wait: bool = False) -> None:
        real_save(journey, wait)
        saves[0] += 1
        k = armed("answers")
        if k and saves[0] >= k["param"]:
            die("answers")

    def licence(*args: Any) -> bool:
        k = armed("printing")
        if k:
            later(k["param"], "printing")
        return real_licence(*args)

    def receipt(*args: Any) -> bool:
        k = armed("printing")
        if k and current.get("kind") == "single":
            later(k["param"], "printing")
        return real_receipt(*args)

    outbox.put, outbox._finish, journal.save = put, finish, save  # type: ignore[method-assign]
    services._print_licence, services._print_receipt = licence, receipt  # type: ignore[method-assign]
    client.submit = submit  # type: ignore[method-assign]
    ledger = read_ledger(folder)
    for c in citizens:
        if c.i in ledger:
            continue
        current.update(i=c.i, attempt=attempts[c.i], kind=c.kind)
        saves[0] = 0
        _append(attempts_path, {"i": c.i})
        attempts[c.i] += 1
        result = walk(services, runtime, c, recognise=recognise)
        _append(folder / "ledger.jsonl", result)
    current.clear()
    left = wait_delivered(runtime)
    runtime.close()
    return 0 if left == 0 else 1


# -- the network-fault proxy -------------------------------------------------------------------------------
class FaultProxy:
    """A TCP proxy on loopback that, per connection, passes, refuses, delays, cuts the request, cuts the
    response after the platform has acted on the request (the case idempotency exists for), truncates it,
    or answers 429 (with Retry-After) or 503 itself. ``only`` limits the faults to requests whose first
    line starts with it (e.g. ``POST /api/v1/applications``); ``on_request`` sees each one passed on."""

    KINDS = ("pass", "refuse", "delay", "cut_request", "cut_response", "partial_response", "http_429", "http_503")

    def __init__(self, target: tuple[str, int], seed: int = 1, fault_rate: float = 0.5, only: bytes = b"",
                 on_request: Callable[[bytes], None] | None = None) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.only = only
        self.on_request = on_request
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
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            request = _read_request(client)
            if not request:
                return
            faulty = not self.only or request.startswith(self.only)
            kind = self._choose() if faulty else "pass"
            if kind == "refuse":
                return
            if kind in ("http_429", "http_503"):
                status = b"429 Too Many Requests\r\nRetry-After: 1" if kind == "http_429" else \
                    b"503 Service Unavailable"
                body = json.dumps({"detail": "injected", "message": "稍后再试"}).encode()
                client.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                               + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                return  # the platform is not there: as the kiosk would find it
            if kind == "delay":
                time.sleep(self.rng.uniform(0.2, 0.8))
            if kind == "cut_request":
                upstream.sendall(request[: max(1, len(request) // 2)])
                upstream.close()
                return
            upstream.sendall(request)
            if self.on_request is not None and faulty:
                self.on_request(request)
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
        try:
            chunk = sock.recv(65536)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


# -- the network harness -----------------------------------------------------------------------------------
class ClockSkew:
    """The kiosk's clock ``offset_s`` off while on (only for its own key): the platform's 300 s window refuses
    its signatures with a real 401."""

    def __init__(self, key: Any, offset_s: float = 400.0) -> None:
        import kiosk.platform_client as pc

        self.key, self.offset_s, self.on = key, offset_s, False
        self._module, self._real = pc, pc.sign_headers

        def sign(key: Any, kiosk_id: str, method: str, path: str, body: bytes, now: float | None = None,
                 nonce: str | None = None) -> dict[str, str]:
            if self.on and key is self.key:
                now = time.time() + self.offset_s
            return self._real(key, kiosk_id, method, path, body, now=now, nonce=nonce)

        pc.sign_headers = sign  # type: ignore[assignment]

    def close(self) -> None:
        self._module.sign_headers = self._real  # type: ignore[assignment]


class FailureTally:
    """What the kiosk met: each failed delivery's kind and HTTP status, from the outbox's own warnings."""

    def __init__(self) -> None:
        import logging

        self.kinds: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        outer = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.msg.startswith("delivery of") and isinstance(record.args, tuple) and len(record.args) >= 5:
                    outer.kinds[str(record.args[2])] += 1
                    text = str(record.args[4])
                    outer.statuses[text.split("HTTP ", 1)[1][:3] if "HTTP " in text else "no answer"] += 1

        self.handler = Handler(logging.WARNING)
        self.logger = logging.getLogger("kiosk.outbox")
        self._was = (self.logger.level, self.logger.propagate)
        self.logger.setLevel(logging.WARNING)
        self.logger.propagate = False  # hundreds of expected warnings: faults are the point
        self.logger.addHandler(self.handler)

    def close(self) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self._was[0])
        self.logger.propagate = self._was[1]


class RateLimitWindow:
    """The platform's own limiter, tight for one kiosk while on: real 429s with Retry-After."""

    def __init__(self, platform: Any, kiosk_id: str) -> None:
        from service.core.security import RateLimiter

        self.platform, self.who, self.on = platform, f"kiosk:{kiosk_id}", False
        self.real = platform.limiter
        self.tight = RateLimiter(0.7, 1)
        outer = self

        class Limiter:
            def allow(self, who: str) -> float:
                if outer.on and who == outer.who:
                    return outer.tight.allow(who)
                return outer.real.allow(who)

        platform.limiter = Limiter()

    def close(self) -> None:
        self.platform.limiter = self.real


def network_run(running: Any, folder: Path, count: int, seed: int = 1) -> dict[str, Any]:
    """Every submission through the faulty proxy, with windows of 401 (not enrolled, then clock skew) and
    the platform's 429; the forwarder delivers what was queued; count."""
    from kiosk.platform_client import PlatformClient
    from service.core.security import KioskKeys
    from tests.servicehelp import Kiosk

    run = f"REL-NET-{seed}-{count}"
    citizens = make_citizens(run, count)
    helper = Kiosk(running, "REL-IDENTITY", folder / "identity")  # the identity steps: never through the faults
    register_companies(helper.client, citizens)
    orders = count_departments(running.platform)
    host, port = running.url.rsplit(":", 1)
    proxy = FaultProxy((host.rsplit("/", 1)[-1], int(port)), seed=seed, only=b"POST /api/v1/applications")
    config_path = write_config(folder, run, proxy.url)
    enrol(running, config_path)
    services, runtime = boot(config_path)
    client: PlatformClient = services.platform()
    client.backoff_s = 0.05
    keys = KioskKeys(running.platform.settings.kiosks)
    pem = (keys.folder / f"{run}.pub.pem").read_bytes()
    skew = ClockSkew(client.signing_key)
    limit = RateLimitWindow(running.platform, run)
    tally = FailureTally()
    windows = Counter[str]()
    started = time.monotonic()
    ledger = []
    try:
        for c in citizens:
            phase = ("clear", "not_enrolled", "clear", "clock_skew", "clear", "rate_limit")[(c.i * 6 // max(1, count)) % 6]
            if phase == "not_enrolled":
                (keys.folder / f"{run}.pub.pem").unlink(missing_ok=True)  # enrolled later (by the next phase)
            else:
                if not (keys.folder / f"{run}.pub.pem").exists():
                    keys.enrol(run, pem)
            skew.on = phase == "clock_skew"
            limit.on = phase == "rate_limit"
            windows[phase] += 1
            ledger.append(walk(services, runtime, c, identity=helper.client))
        if not (keys.folder / f"{run}.pub.pem").exists():
            keys.enrol(run, pem)
        skew.on = limit.on = False
        left = wait_delivered(runtime, 120)
    finally:
        skew.close()
        limit.close()
        tally.close()
        runtime.close()
        proxy.close()
    figures = count_platform(db_url_of(running), citizens, orders)
    figures.update(connections=sum(proxy.counts.values()), faults=dict(proxy.counts),
                   failed_deliveries=dict(tally.kinds), failed_statuses=dict(tally.statuses),
                   queued_at_submit=sum(1 for r in ledger if r["decision"] == "queued"),
                   windows=dict(windows), outbox_pending=left, seconds=round(time.monotonic() - started, 1))
    return figures


# -- the platform killed during its commits ---------------------------------------------------------------
class PlatformProcess:
    """``yzt service`` as its own process, on a fixed port, restartable on the same data and database."""

    def __init__(self, folder: Path, reference: Path, db_url: str | None = None) -> None:
        self.folder, self.reference, self.db_url = folder, reference, db_url
        self.keys = folder / "kiosks"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0

    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.folder / 'data' / 'platform.db'}"

    def start(self, timeout_s: float = 60.0) -> None:
        import requests

        env = {**os.environ, "PYTHONPATH": str(REPO), "YZT_SMS_COOLDOWN_S": "0", "YZT_DISPATCH_SCALE": "100",
               "YZT_DISPATCH_TICK_S": "0.05"}
        cmd = [sys.executable, "-m", "service.contract.cli", "service", "--port", str(self.port), "--data",
               str(self.folder / "data"), "--reference", str(self.reference), "--kiosk-keys", str(self.keys),
               "--identity", "simulated", "--dev-sms", "--rate", "10000", "--public-url", self.url]
        if self.db_url:
            cmd += ["--db", self.db_url]
        log = (self.folder / "service.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.starts += 1
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"yzt service exited {self.proc.returncode}: "
                                   + (self.folder / "service.log").read_text(errors="replace")[-2000:])
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).json().get("status") == "ok":
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.1)
        raise RuntimeError("yzt service did not come up")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def platform_kill_run(folder: Path, count: int, seed: int = 1, db_url: str | None = None,
                      kill_share: float = 0.35) -> dict[str, Any]:
    """Submissions to a ``yzt service`` that is SIGKILLed right after a POST of an application reaches it
    (while it decides and commits) at ``kill_share`` of them, and restarted at once."""
    from kiosk.platform_client import PlatformClient
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys
    from tests.servicehelp import write_reference

    run = f"REL-PK-{seed}-{count}"
    reference = write_reference(folder / "reference")
    platform = PlatformProcess(folder / "platform", reference, db_url)
    KioskKeys(platform.keys)  # the folder, 0700
    helper_key = load_or_create_key(folder / "identity" / "REL-IDENTITY.key")
    KioskKeys(platform.keys).enrol("REL-IDENTITY", public_pem(helper_key))
    platform.start()
    citizens = make_citizens(run, count)
    helper = PlatformClient(platform.url, kiosk_id="REL-IDENTITY", signing_key=helper_key, retries=0)
    register_companies(helper, citizens)
    rng = random.Random(seed)
    restarting = threading.Lock()
    posts = itertools.count()
    every = max(1, round(1 / kill_share))  # a fixed share, not a draw: a faster platform sees fewer resends

    def maybe_kill(request: bytes) -> None:
        if next(posts) % every or not restarting.acquire(blocking=False):
            return

        def kill_and_restart() -> None:
            try:
                time.sleep(rng.uniform(0.0, 0.025))  # into the decision and its commit
                platform.kill()
                platform.start()
            finally:
                restarting.release()

        threading.Thread(target=kill_and_restart, daemon=True).start()

    proxy = FaultProxy(("127.0.0.1", platform.port), seed=seed, fault_rate=0.0, only=b"POST /api/v1/applications",
                       on_request=maybe_kill)
    config_path = write_config(folder / "kiosk", run, proxy.url)
    from kiosk import config

    cfg = config.load(config_path)
    KioskKeys(platform.keys).enrol(run, public_pem(load_or_create_key(cfg.data_dir / "kiosk.key")))
    services, runtime = boot(config_path)
    services.platform().backoff_s = 0.05
    tally = FailureTally()
    started = time.monotonic()
    told: dict[str, dict[str, Any]] = {}
    try:
        helper_direct = PlatformClient(platform.url, kiosk_id="REL-IDENTITY", signing_key=helper_key, retries=3,
                                       backoff_s=0.3)
        ledger = [walk(services, runtime, c, identity=helper_direct, patience_s=240) for c in citizens]
        with restarting:  # no kill in flight
            pass
        left = wait_delivered(runtime, 180)
        outbox = runtime.outbox()
        for r in ledger:  # what the kiosk was told: at the counter, or later through the forwarder
            decision = outbox.decision(r["visit_id"]) or {}
            told[r["visit_id"]] = decision
    finally:
        tally.close()
        runtime.close()
        proxy.close()
    with restarting:
        pass
    figures = count_platform(platform.database_url(), citizens, settle_s=2.0)
    figures["items_waiting"] = figures.pop("items_never_dispatched")  # an item claimed when the platform died
    # waits out its lease (60 s) and is handed over then: it is in the database, not lost
    approved_told = {d.get("uscc") for d in told.values() if d.get("decision") == "approved" and d.get("uscc")}
    from sqlalchemy import create_engine, select

    from service.models import Entity

    engine = create_engine(_driver(platform.database_url()))
    with engine.connect() as conn:
        registered = {r[0] for r in conn.execute(select(Entity.uscc).where(Entity.uscc.in_(approved_told)))} \
            if approved_told else set()
    engine.dispose()
    platform.stop()
    figures.update(platform_kills=platform.kills, platform_starts=platform.starts, outbox_pending=left,
                   failed_deliveries=dict(tally.kinds),
                   approved_told=len(approved_told), approved_told_missing=len(approved_told - registered),
                   queued_at_submit=sum(1 for r in ledger if r["decision"] == "queued"),
                   database="postgresql" if db_url else "sqlite", seconds=round(time.monotonic() - started, 1))
    figures["lost"] += figures["approved_told_missing"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("kiosk", help="the kiosk process of the kill harness")
    s.add_argument("--config", type=Path, required=True)
    s.add_argument("--folder", type=Path, required=True)
    s.add_argument("--forget", action="store_true", help="the negative control: no recognition after a crash")
    args = parser.parse_args(argv)
    return kiosk_side(args.config, args.folder, recognise=not args.forget)


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["FaultProxy", "PlatformProcess", "clean_run", "count_platform", "kill_run", "make_citizens",
           "network_run", "platform_kill_run", "walk"]
