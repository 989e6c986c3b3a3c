"""The platform over real HTTP on loopback: idempotency, progress, review, SMS, names, errors."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import requests

from kiosk.platform_client import PlatformClient, PlatformRefused
from tests.servicehelp import application, codes, start_platform

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    r = start_platform(tmp_path_factory.mktemp("api"))
    yield r
    r.stop()


@pytest.fixture()
def client(running: Any) -> PlatformClient:
    return PlatformClient(running.url, retries=0)


def count(running: Any, table: str) -> int:
    from sqlalchemy import text

    with running.platform.store.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_health_and_openapi(client: PlatformClient, running: Any) -> None:
    health = client.health()
    assert health["status"] == "ok" and health["reference"]["addresses"] > 0
    spec = requests.get(running.url + "/openapi.json", timeout=5).json()
    for path in ("/api/v1/applications", "/api/v1/applications/{application_id}", "/api/v1/names/check",
                 "/api/v1/health"):
        assert path in spec["paths"]


def test_the_same_application_id_answers_the_same_decision_and_creates_nothing(client: PlatformClient,
                                                                               running: Any) -> None:
    doc = application()
    first = client.submit(doc)
    before = (count(running, "applications"), count(running, "entities"), count(running, "items"))
    again = client.submit(doc)
    changed = dict(doc, registered_capital_cny=5)  # even a changed body: the key decides
    third = client.submit(changed)
    assert first == again == third
    assert (count(running, "applications"), count(running, "entities"), count(running, "items")) == before


def test_concurrent_copies_of_one_application_make_one_entity(client: PlatformClient, running: Any) -> None:
    doc = application()
    before = count(running, "entities")
    answers: list[dict[str, Any]] = []

    def send() -> None:
        answers.append(PlatformClient(running.url, retries=0).submit(doc))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert count(running, "entities") == before + 1


def test_two_applicants_racing_for_one_name_get_one_approval(running: Any) -> None:
    trade = None
    docs = [application() for _ in range(6)]
    trade = docs[0]["name"]["trade_name"]
    for d in docs:
        d["name"].update(trade_name=trade, full=f"阳江市{trade}科技有限公司")
    answers: list[str] = []

    def send(d: dict[str, Any]) -> None:
        answers.append(PlatformClient(running.url, retries=0).submit(d)["decision"])

    threads = [threading.Thread(target=send, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["approved"] + ["rejected"] * 5


def test_progress_moves_every_linked_item_to_an_end(client: PlatformClient, running: Any) -> None:
    doc = application(mode="partial_chain")
    doc["linked_services"] = {"seal": {"shop": "诚信刻章店"}, "bank_account": {"bank": "中国银行"}}
    decision = client.submit(doc)
    assert decision["decision"] == "approved"
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = client.status(doc["application_id"])
        assert [i["service"] for i in status["items"]] == ["seal", "bank_account"]
        seen |= {i["status"] for i in status["items"]}
        if all(i["status"] in ("done", "failed") for i in status["items"]):
            break
        time.sleep(0.05)
    assert all(i["status"] in ("done", "failed") and i["detail"] for i in status["items"])
    assert seen & {"pending", "in_progress"}
    page = requests.get(f"{running.url}/progress/{doc['application_id']}", timeout=5)
    assert page.status_code == 200 and "公章刻制" in page.text and "银行预开户" in page.text
    assert doc["applicant"]["person"]["id_number"] not in page.text


def test_full_chain_files_all_five_items(client: PlatformClient) -> None:
    doc = application()
    doc["linked_services"] = {"seal": {}}
    client.submit(doc)
    items = client.status(doc["application_id"])["items"]
    assert [i["service"] for i in items] == ["seal", "tax", "social_insurance", "housing_fund", "bank_account"]


def test_a_failed_item_can_be_sent_again(client: PlatformClient, running: Any) -> None:
    from service.db import Item

    doc = application()
    client.submit(doc)
    with running.platform.store.write() as s:
        item = s.query(Item).filter_by(application_id=doc["application_id"], service="tax").one()
        item.status, item.due_at = "failed", None
    client.retry_item(doc["application_id"], "tax")
    assert next(i for i in client.status(doc["application_id"])["items"] if i["service"] == "tax")["status"] in \
        ("pending", "in_progress", "done", "failed")
    with pytest.raises(PlatformRefused) as refused:
        client.retry_item(doc["application_id"], "seal")  # not failed (or already done)
    assert refused.value.status == 409 and refused.value.message


def test_unknown_application_is_404_with_a_message(client: PlatformClient, running: Any) -> None:
    assert client.status(str(uuid.uuid4())) is None
    answer = requests.get(f"{running.url}/api/v1/applications/{uuid.uuid4()}", timeout=5)
    assert answer.status_code == 404 and answer.json()["message"]
    assert requests.get(f"{running.url}/progress/not-a-uuid", timeout=5).status_code == 404


def test_lookup_by_id_number_finds_a_persons_applications(client: PlatformClient) -> None:
    doc = application()
    client.submit(doc)
    found = client.lookup(doc["applicant"]["person"]["id_number"])
    assert [f["application_id"] for f in found] == [doc["application_id"]]
    assert client.lookup("440000000000000000") == []


def test_manual_review_approve_and_reject(client: PlatformClient, running: Any) -> None:
    from tests.servicehelp import ADDRESS_CROWDED

    docs = [application(), application()]
    for d in docs:
        d["address"]["code"] = ADDRESS_CROWDED
    for d in docs:
        assert client.submit(d)["decision"] == "manual_review"
        assert "uscc" not in client.status(d["application_id"])
    url = f"{running.url}/api/v1/applications/{docs[0]['application_id']}/review"
    body = {"action": "approve", "reviewer": "审核员甲", "comment": "经实地核查，场所真实。"}
    assert requests.post(url, json=body, timeout=5).status_code == 403
    approved = requests.post(url, json=body, headers={"X-Reviewer-Token": "test-reviewer"}, timeout=5)
    assert approved.status_code == 200 and approved.json()["decision"] == "approved" and approved.json()["uscc"]
    assert requests.post(url, json=body, headers={"X-Reviewer-Token": "test-reviewer"}, timeout=5).status_code == 409
    assert len(client.status(docs[0]["application_id"])["items"]) == 5
    rejected = requests.post(f"{running.url}/api/v1/applications/{docs[1]['application_id']}/review",
                             json={"action": "reject", "reviewer": "审核员甲", "comment": "集群注册地址已满"},
                             headers={"X-Reviewer-Token": "test-reviewer"}, timeout=5).json()
    assert rejected["decision"] == "rejected" and "REVIEW_REJECTED" in codes(rejected)
    assert client.status(docs[1]["application_id"])["items"] == []


def test_name_check_answers_with_reasons_and_suggestions(client: PlatformClient) -> None:
    taken = client.check_name("阳江市", "华信", "科技", "有限公司")
    assert not taken["available"] and {r["code"] for r in taken["reasons"]} == {"NAME_DUPLICATE"}
    assert taken["suggestions"] and all(client.check_name("阳江市", s, "科技", "有限公司")["available"]
                                        for s in taken["suggestions"])
    assert client.check_name("阳江市", "新锐达", "科技", "有限公司") == {
        "available": True, "full": "阳江市新锐达科技有限公司", "reasons": [], "suggestions": []}
    prohibited = client.check_name("阳江市", "中国通", "科技", "有限公司")
    assert not prohibited["available"] and "NAME_PROHIBITED" in {r["code"] for r in prohibited["reasons"]}


def test_address_picker_and_search(client: PlatformClient) -> None:
    districts = client.address_options(0)
    assert {d["label"] for d in districts} >= {"江城区", "阳东区"}
    streets = client.address_options(1, "441702")
    assert "东风二路" in [s["label"] for s in streets]
    units = client.address_options(2, "441702:东风二路")
    assert units[0]["text"].startswith("广东省阳江市江城区东风二路")
    assert client.search_addresses("dfel")[0]["code"] == units[0]["code"]
    assert client.search_addresses("东风", division="441704") == []


def test_scope_search_by_text_keyword_and_initials(client: PlatformClient) -> None:
    assert client.search_scopes("软件")[0]["code"] == "I6511-001"
    assert client.search_scopes("饭店")[0]["permit"] == "post"
    assert client.search_scopes("rjkf")[0]["text"] == "软件开发"


def test_sms_code_send_verify_and_limits(client: PlatformClient) -> None:
    phone = "13912345678"
    client.send_sms_code(phone)
    code = client.dev_sms_code(phone)
    assert code and len(code) == 6
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert client.verify_sms_code(phone, wrong) is False
    assert client.verify_sms_code(phone, code) is True
    with pytest.raises(PlatformRefused) as spent:
        client.verify_sms_code(phone, code)
    assert spent.value.status == 404 and "获取" in spent.value.message
    client.send_sms_code(phone)
    code = client.dev_sms_code(phone)
    for _ in range(5):
        client.verify_sms_code(phone, f"{(int(code) + 1) % 10**6:06d}")
    with pytest.raises(PlatformRefused) as locked:
        client.verify_sms_code(phone, code)
    assert locked.value.status == 429


def test_bad_bodies_get_422_with_a_message_per_field(running: Any) -> None:
    url = running.url + "/api/v1/applications"
    missing = application()
    del missing["name"]
    answer = requests.post(url, json=missing, timeout=5)
    assert answer.status_code == 422
    body = answer.json()
    assert "name" in [e["field"] for e in body["detail"]] and "name" in body["message"]
    for bad in (b"{", b"null", b"[]", json.dumps({**application(), "registered_capital_cny": "lots"}).encode(),
                json.dumps({**application(), "application_id": "not-a-uuid"}).encode(),
                json.dumps({**application(), "submitted_at": "yesterday"}).encode(),
                json.dumps({**application(), "entity_type": "partnership"}).encode(),
                json.dumps({**application(), "kiosk_id": "a\u0000b"}).encode()):
        answer = requests.post(url, data=bad, headers={"Content-Type": "application/json"}, timeout=5)
        assert answer.status_code == 422, bad[:60]
        assert answer.json()["message"]


def test_edge_dates_never_break_the_engine(client: PlatformClient) -> None:
    for when in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-12:00"):
        doc = application(submitted_at=when)
        doc["shareholders"][0]["contribution_deadline"] = "9999-12-31"
        assert client.submit(doc)["decision"] in ("approved", "rejected", "manual_review")


def test_heartbeat_and_fleet(client: PlatformClient, running: Any) -> None:
    kiosk = PlatformClient(running.url, kiosk_id="YJ-JC-001", retries=0)
    kiosk.heartbeat("阳江市政务服务中心", {"summary": "全部正常"})
    fleet = requests.get(running.url + "/api/v1/kiosks", timeout=5).json()
    assert any(k["kiosk_id"] == "YJ-JC-001" and k["site"] == "阳江市政务服务中心" for k in fleet)
    assert "YJ-JC-001" in requests.get(running.url + "/fleet", timeout=5).text


def test_a_forged_or_foreign_licence_is_not_valid(client: PlatformClient) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.contract import elicence

    foreign = elicence.sign(Ed25519PrivateKey.generate(), "91441702MA00000150", "阳江市假冒科技有限公司")
    answer = client.verify_licence(foreign)
    assert answer["valid"] is False and answer["reason"] == "unknown_key" and answer["message"]
    assert client.verify_licence("hello")["valid"] is False


def test_kiosks_must_sign_when_the_platform_holds_kiosk_keys(tmp_path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.auth import KioskKeys, public_pem

    keys = KioskKeys(tmp_path / "kiosks")
    mine = Ed25519PrivateKey.generate()
    keys.enrol("YJ-JC-001", public_pem(mine))
    running = start_platform(tmp_path / "p", kiosk_keys_dir=tmp_path / "kiosks")
    try:
        signed = PlatformClient(running.url, kiosk_id="YJ-JC-001", signing_key=mine, retries=0)
        assert signed.submit(application())["decision"] == "approved"
        signed.heartbeat("阳江市政务服务中心", {"summary": "ok"})
        for client, why in ((PlatformClient(running.url, retries=0), "kiosk signature required"),
                            (PlatformClient(running.url, kiosk_id="YJ-JC-001", retries=0,
                                            signing_key=Ed25519PrivateKey.generate()), "bad signature"),
                            (PlatformClient(running.url, kiosk_id="YJ-JC-999", retries=0, signing_key=mine),
                             "unknown kiosk")):
            with pytest.raises(PlatformRefused) as refused:
                client.submit(application())
            assert refused.value.status == 401 and why in refused.value.detail and refused.value.message
        other = PlatformClient(running.url, kiosk_id="YJ-JC-001", signing_key=mine, retries=0)
        other.kiosk_id = "YJ-JC-001"
        with pytest.raises(PlatformRefused):  # a kiosk reports only for itself
            other._call("POST", "/api/v1/kiosks/YJ-JC-002/heartbeat", json={"site": "x"})
        (tmp_path / "kiosks" / "revoked.txt").write_text("YJ-JC-001\n")
        with pytest.raises(PlatformRefused) as revoked:
            signed.submit(application())
        assert revoked.value.status == 401 and "revoked" in revoked.value.detail
        assert signed.health()["status"] == "ok"  # reading needs no signature
    finally:
        running.stop()


def test_rate_limit_and_body_size(tmp_path) -> None:
    running = start_platform(tmp_path, rate_per_s=1.0, rate_burst=3)
    try:
        client = PlatformClient(running.url, kiosk_id="K-RATE", retries=0)
        answers = []
        for _ in range(5):
            try:
                client.send_sms_code("13700000000")
                answers.append(200)
            except PlatformRefused as exc:
                answers.append(exc.status)
        assert answers[:3] == [200, 200, 200] and 429 in answers[3:]
        big = requests.post(running.url + "/api/v1/applications", data=b"{" + b" " * 2_000_000 + b"}",
                            headers={"Content-Type": "application/json"}, timeout=10)
        assert big.status_code == 413 and big.json()["message"]
    finally:
        running.stop()
