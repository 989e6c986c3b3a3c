"""The outbox: journalled sealed before sending, retried with backoff, ended only by a decision; refused
and unreadable records quarantined, never dropped and never blocking the others."""

import sqlite3
import threading
import time
import uuid

import pytest

from kiosk.forwarder import Forwarder
from kiosk.outbox import Outbox, PermanentRejection, Undeliverable, classify
from kiosk.platform_client import PlatformRefused, PlatformUnavailable
from service.contract.vault import Vault, VaultError

ID = "440102199001011234"


def app_doc(number="202601010000000001"):
    return {"application_id": str(uuid.uuid4()), "acceptance_no": number,
            "applicant": {"person": {"name": "王小明", "id_number": ID}}}


@pytest.fixture
def box(tmp_path):
    now = [1000.0]
    ob = Outbox(tmp_path / "outbox.db", Vault(tmp_path / "key"), clock=lambda: now[0], base_delay_s=2)
    ob.now = now
    yield ob
    ob.close()


def approve(application):
    return {"application_id": application["application_id"], "decision": "approved"}


def test_nothing_personal_in_clear_and_key_private(tmp_path, box):
    box.put(app_doc())
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))
    assert ID.encode() not in raw and "王小明".encode() not in raw
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0


def test_retry_with_backoff_then_exactly_once(box):
    doc = app_doc()
    assert box.put(doc) is True
    assert box.put(doc) is False  # journalled twice by a retrying caller: still one record
    calls = []

    def down(application):
        calls.append(application["application_id"])
        raise ConnectionError("platform down")

    assert box.flush(down) == (0, 1)
    assert box.pending()[0].attempts == 1 and box.due() == []  # waits its backoff
    assert box.pending()[0].error_kind == "unreachable"
    box.now[0] += 2.1
    assert box.flush(down) == (0, 1)
    box.now[0] += 2.1
    assert box.due() == []  # second backoff is 4 s
    box.now[0] += 2.0

    def up(application):
        calls.append(application["application_id"])
        return approve(application)

    assert box.flush(up) == (1, 0)
    assert box.decision(doc["application_id"])["decision"] == "approved"
    assert box.flush(up) == (0, 0) and len(calls) == 3
    row = box._db.execute("SELECT sealed FROM outbox").fetchone()
    assert row[0] is None  # the personal data is gone once delivered


@pytest.mark.parametrize("status", [401, 403, 408, 429, 500, 503])
def test_refusals_not_about_the_document_keep_it_queued(box, status):
    doc = app_doc()
    box.put(doc)

    def refuse(application):
        raise PlatformUnavailable(f"HTTP {status}: nope", status=status, retry_after_s=7 if status == 429 else None)

    assert box.deliver(doc["application_id"], refuse) is None
    [pending] = box.pending()
    assert pending.last_status == status and pending.attempts == 1 and "HTTP" in pending.last_error
    if status == 429:
        assert pending.next_try_at == pytest.approx(box.now[0] + 7)  # Retry-After honoured
    assert box.quarantined() == []


def test_a_concurrent_409_is_retried_but_a_reused_id_is_refused_for_good(box):
    busy, reused = app_doc(), app_doc()
    box.put(busy)
    box.put(reused)

    def concurrent(application):
        raise PlatformRefused("HTTP 409: conflict", status=409)

    def other_body(application):
        raise PlatformRefused("HTTP 409: application_id reused with another body", status=409)

    assert box.deliver(busy["application_id"], concurrent) is None
    with pytest.raises(Undeliverable):
        box.deliver(reused["application_id"], other_body)
    assert [p.application_id for p in box.pending()] == [busy["application_id"]]
    [q] = box.quarantined()
    assert q.application_id == reused["application_id"] and q.kind == "refused" and "reused" in q.reason


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_refused_document_is_kept_sealed_in_the_quarantine(box, status):
    doc = app_doc()
    box.put(doc)

    def refuse(application):
        raise PlatformRefused(f"HTTP {status}: bad", "提交的信息有误", status=status)

    with pytest.raises(PermanentRejection) as refused:
        box.deliver(doc["application_id"], refuse)
    assert refused.value.message == "提交的信息有误"
    assert box.pending() == [] and box.decision(doc["application_id"]) is None
    [q] = box.quarantined()
    assert q.kind == "refused" and q.acceptance_no == doc["acceptance_no"]
    sealed = box._db.execute("SELECT sealed FROM quarantine").fetchone()[0]
    assert box.vault.open_json(sealed, doc["application_id"]) == doc  # never dropped
    with pytest.raises(Undeliverable):  # asked again, it says so rather than "unknown id"
        box.deliver(doc["application_id"], approve)
    assert box.requeue(doc["application_id"]) is True  # maintenance put it right: back in the queue
    assert box.deliver(doc["application_id"], approve)["decision"] == "approved"
    assert box.quarantined() == []


def test_a_poison_record_is_quarantined_and_never_blocks_the_others(tmp_path, box):
    first, poison, last = app_doc(), app_doc(), app_doc()
    for doc in (first, poison, last):
        box.put(doc)
        box.now[0] += 1
    other = Vault(tmp_path / "another-key").seal_json(poison, poison["application_id"])
    box._db.execute("UPDATE outbox SET sealed = ? WHERE application_id = ?", (other, poison["application_id"]))
    seen = []

    def send(application):
        seen.append(application["application_id"])
        return approve(application)

    assert box.flush(send) == (2, 0)
    assert seen == [first["application_id"], last["application_id"]]
    [q] = box.quarantined()
    assert q.application_id == poison["application_id"] and q.kind == "poison"
    assert box.summary()["poison"] == 1 and box.summary()["quarantined"] == 1
    assert box.requeue(poison["application_id"]) is False  # it still does not open: it stays aside


def test_status_and_summary_say_nothing_personal(box):
    doc = app_doc()
    box.put(doc)
    box.deliver(doc["application_id"], lambda a: (_ for _ in ()).throw(
        PlatformUnavailable("HTTP 401: unknown kiosk", status=401)))
    box.now[0] += 600
    status = box.status()
    [p] = status["pending"]
    assert set(p) >= {"application_id", "acceptance_no", "queued_at", "attempts", "last_error"}
    assert p["acceptance_no"] == doc["acceptance_no"] and p["attempts"] == 1 and "401" in p["last_error"]
    assert status["quarantined"] == 0
    summary = box.summary()
    assert summary["pending"] == 1 and summary["oldest_min"] == 10.0 and summary["last_error_kind"] == "auth"
    assert ID not in str(status) + str(summary) and "王小明" not in str(status) + str(summary)


def test_auth_backoff_is_capped_and_retry_now_wakes_what_waited(box):
    doc = app_doc()
    box.put(doc)
    box._db.execute("UPDATE outbox SET attempts = 20")
    box.deliver(doc["application_id"], lambda a: (_ for _ in ()).throw(
        PlatformUnavailable("HTTP 401: unknown kiosk", status=401)))
    assert box.pending()[0].next_try_at - box.now[0] == pytest.approx(60)  # an operator may enrol it any moment
    assert box.retry_now(("unreachable",)) == 0 and box.retry_now(("auth",)) == 1
    assert box.due() != []


def test_survives_reopen_and_an_old_outbox_is_upgraded(tmp_path):
    path = tmp_path / "o.db"
    old = sqlite3.connect(path)  # the 0.2.0 layout
    old.executescript("CREATE TABLE outbox (application_id TEXT PRIMARY KEY, sealed BLOB, created_at REAL NOT NULL, "
                      "attempts INTEGER NOT NULL DEFAULT 0, next_try_at REAL NOT NULL, last_error TEXT, decision BLOB, "
                      "delivered_at REAL);")
    old.close()
    vault = Vault(tmp_path / "key")
    first = Outbox(path, vault)
    doc = app_doc()
    first.put(doc)
    first._db.close()  # as if the process died here
    second = Outbox(path, Vault(tmp_path / "key"))
    assert [p.application_id for p in second.pending()] == [doc["application_id"]]
    answer = second.deliver(doc["application_id"], lambda a: {"decision": "approved",
                                                              "echo": a["applicant"]["person"]["name"]})
    assert answer["echo"] == "王小明"
    second.close()


def test_two_threads_delivering_one_record_send_it_once(box):
    doc = app_doc()
    box.put(doc)
    sent = []
    gate = threading.Event()

    def slow(application):
        sent.append(1)
        gate.wait(2)
        return approve(application)

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(box.deliver(doc["application_id"], slow)))
               for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(5)
    assert len(sent) == 1 and [a["decision"] for a in answers] == ["approved", "approved"]


def test_tampered_or_foreign_records_do_not_decrypt(tmp_path, box):
    doc = app_doc()
    box.put(doc)
    sealed = box._db.execute("SELECT sealed FROM outbox").fetchone()[0]
    with pytest.raises(VaultError):
        Vault(tmp_path / "other-key").open(sealed, doc["application_id"])
    with pytest.raises(VaultError):
        box.vault.open(sealed, "another-id")  # records cannot be swapped between ids


def test_classify():
    assert classify(ConnectionError("x"))[0] == "unreachable"
    assert classify(PlatformUnavailable("HTTP 429", status=429, retry_after_s=3)) == ("busy", 429, 3)
    assert classify(PlatformRefused("HTTP 404: not found", status=404))[0] == "server"  # a wrong URL, not the document
    assert classify(PlatformRefused("HTTP 422: x", status=422))[0] == "refused"


def test_the_forwarder_delivers_by_itself_and_as_soon_as_the_platform_is_back(tmp_path):
    box = Outbox(tmp_path / "o.db", Vault(tmp_path / "key"), base_delay_s=60)  # a long backoff
    up = threading.Event()
    delivered = []

    class Client:
        def submit(self, application):
            if not up.is_set():
                raise PlatformUnavailable("connection refused")
            return approve(application)

        def health(self):
            if not up.is_set():
                raise PlatformUnavailable("connection refused")
            return {"status": "ok"}

    forwarder = Forwarder(box, Client, on_decided=lambda i, d: delivered.append(i), probe_s=0.1).start()
    try:
        doc = app_doc()
        box.put(doc)  # wakes the forwarder: tried at once, fails, backs off 60 s
        deadline = time.monotonic() + 5
        while not box.pending()[0].attempts and time.monotonic() < deadline:
            time.sleep(0.02)
        assert box.pending()[0].attempts == 1
        up.set()  # the platform is back: the health probe notices well before the backoff ends
        deadline = time.monotonic() + 5
        while (box.pending() or not delivered) and time.monotonic() < deadline:  # the decision is handed on
            time.sleep(0.02)                                                    # just after it is stored
        assert box.pending() == [] and delivered == [doc["application_id"]]
    finally:
        assert forwarder.stop(2)
        box.close()


def test_the_alarm_in_doctor_and_the_heartbeat(tmp_path):
    """'N waiting, oldest M min, last error' in `yzt doctor`'s outbox row and in the heartbeat, whose
    schema at the platform takes it."""
    from kiosk import config
    from kiosk.diagnostics import heartbeat_status, outbox_check
    from kiosk.runtime import Runtime
    from service.schemas import KioskReport

    cfg = config.load(None)
    cfg["kiosk"]["data_dir"] = str(tmp_path / "data")
    for kind in ("idcard", "camera", "qr_scanner", "receipt_printer", "document_printer"):
        cfg[f"devices.{kind}"]["url"] = ""
    rt = Runtime(cfg)
    box = rt.outbox()
    assert outbox_check(rt).ok and outbox_check(rt).message == "outbox: empty (everything delivered)"
    doc = app_doc()
    box.put(doc)
    box._db.execute("UPDATE outbox SET created_at = created_at - 720")
    box.deliver(doc["application_id"], lambda a: (_ for _ in ()).throw(
        PlatformUnavailable("HTTP 401: unknown kiosk", status=401)))
    check = outbox_check(rt)
    assert not check.ok and not check.required
    assert check.message.startswith("outbox: 1 waiting, oldest 12 min; last error: PlatformUnavailable: HTTP 401")
    assert "等待提交" in check.message_zh and "未登记" in check.message_zh
    beat = heartbeat_status(rt, level=None)
    assert beat["outbox_pending"] == 1 and beat["outbox_quarantined"] == 0 and beat["outbox_oldest_min"] >= 12
    assert "401" in beat["outbox_last_error"]
    report = KioskReport(**beat)
    assert report.outbox_pending == 1 and report.outbox_last_error == beat["outbox_last_error"]
    rt.close()
