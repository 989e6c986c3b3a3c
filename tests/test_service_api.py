"""The platform over real HTTP on loopback, driven by signed kiosks: idempotency, acceptance numbers,
progress, review by accounts, identity proofs, names, addresses, errors."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
import requests

from kiosk.platform_client import PlatformRefused, PlatformUnavailable
from service.contract import acceptance
from tests.servicehelp import ADDRESS_CROWDED, Kiosk, application, codes, staff, start_platform

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    r = start_platform(tmp_path_factory.mktemp("api"))
    yield r
    r.stop()


@pytest.fixture(scope="module")
def kiosk(running: Any) -> Kiosk:
    return Kiosk(running)


def count(running: Any, table: str) -> int:
    from sqlalchemy import text

    with running.platform.store.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_health_and_openapi(kiosk: Kiosk, running: Any) -> None:
    health = kiosk.client.health()
    assert health["status"] == "ok" and health["reference"]["addresses"] > 0 and health["identity"] == "simulated"
    spec = requests.get(running.url + "/openapi.json", timeout=5).json()
    for path in ("/api/v1/applications", "/api/v1/applications/{application_id}", "/api/v1/names/check",
                 "/api/v1/health", "/api/v1/progress/{acceptance_no}", "/api/v1/sms/send", "/api/v1/identity/face"):
        assert path in spec["paths"]
    assert requests.get(running.url + "/docs", timeout=5).status_code == 404  # Swagger UI would load a CDN


def test_the_same_application_id_answers_the_same_decision_and_creates_nothing(kiosk: Kiosk, running: Any) -> None:
    doc = kiosk.prove(application())
    first = kiosk.client.submit(doc)
    assert first["decision"] == "approved" and acceptance.is_valid(first["acceptance_no"])
    before = (count(running, "applications"), count(running, "entities"), count(running, "items"))
    assert kiosk.client.submit(doc) == first
    assert (count(running, "applications"), count(running, "entities"), count(running, "items")) == before


def test_a_different_body_under_a_known_id_is_409_and_changes_nothing(kiosk: Kiosk, running: Any) -> None:
    doc = kiosk.prove(application())
    first = kiosk.client.submit(doc)
    before = (count(running, "applications"), count(running, "entities"))
    for changed in (dict(doc, registered_capital_cny=5),
                    dict(doc, name={**doc["name"], "trade_name": "冒名", "full": "阳江市冒名科技有限公司"})):
        with pytest.raises(PlatformRefused) as refused:
            kiosk.client.submit(changed)
        assert refused.value.status == 409 and refused.value.message
    assert (count(running, "applications"), count(running, "entities")) == before
    assert kiosk.client.status(doc["application_id"])["uscc"] == first["uscc"]


def test_the_kiosk_s_acceptance_number_is_kept_and_the_platform_numbers_the_rest(kiosk: Kiosk) -> None:
    from datetime import date

    mine = acceptance.make(date.today(), 17, 5, b"a kiosk secret".ljust(32, b"-"))
    doc = kiosk.prove(application(acceptance_no=mine))
    assert kiosk.client.submit(doc)["acceptance_no"] == mine
    other = kiosk.submit(application())
    assert acceptance.fleet_number_of(other["acceptance_no"]) == acceptance.PLATFORM_NUMBER
    again = kiosk.prove(application(acceptance_no=mine))  # a number already used: the platform numbers it
    assert kiosk.client.submit(again)["acceptance_no"] not in (mine, other["acceptance_no"])


def test_concurrent_copies_of_one_application_make_one_entity(kiosk: Kiosk, running: Any) -> None:
    doc = kiosk.prove(application())
    before = count(running, "entities")
    answers: list[dict[str, Any]] = []

    def send() -> None:
        answers.append(kiosk.client.submit(doc))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert count(running, "entities") == before + 1


def test_two_applicants_racing_for_one_name_get_one_approval(kiosk: Kiosk) -> None:
    docs = [kiosk.prove(application()) for _ in range(6)]
    trade = docs[0]["name"]["trade_name"]
    for d in docs:
        d["name"].update(trade_name=trade, full=f"阳江市{trade}科技有限公司")
    answers: list[str] = []

    def send(d: dict[str, Any]) -> None:
        answers.append(kiosk.client.submit(d)["decision"])

    threads = [threading.Thread(target=send, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["approved"] + ["rejected"] * 5


def test_the_same_applicant_starting_again_gets_the_first_application(kiosk: Kiosk, running: Any) -> None:
    """A crash, then the citizen's natural retry with a new application id: the same company, not a
    NAME_DUPLICATE against their own."""
    doc = kiosk.prove(application())
    first = kiosk.client.submit(doc)
    retry = json.loads(json.dumps(doc))
    retry["application_id"] = str(uuid.uuid4())
    retry.pop("acceptance_no", None)
    kiosk.prove(retry)
    again = kiosk.client.submit(retry)
    assert again["application_id"] == first["application_id"] and again["uscc"] == first["uscc"]
    assert again["acceptance_no"] == first["acceptance_no"]


def test_progress_moves_every_linked_item_to_an_end(kiosk: Kiosk, running: Any) -> None:
    doc = application(mode="partial_chain")
    doc["linked_services"] = {"seal": {"shop": "诚信刻章店"}, "bank_account": {"bank": "中国银行"}}
    decision = kiosk.submit(doc)
    assert decision["decision"] == "approved" and decision["progress_url"].endswith(decision["acceptance_no"])
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = kiosk.client.status(doc["application_id"])
        assert [i["service"] for i in status["items"]] == ["seal", "bank_account"]
        seen |= {i["status"] for i in status["items"]}
        if all(i["status"] in ("done", "failed") for i in status["items"]):
            break
        time.sleep(0.05)
    assert all(i["status"] in ("done", "failed") and i["detail"] and i["expected_by"] for i in status["items"])
    assert seen & {"pending", "in_progress"}
    public = requests.get(f"{running.url}/api/v1/progress/{decision['acceptance_no']}", timeout=5).json()
    assert [i["service"] for i in public["items"]] == ["seal", "bank_account"] and public["name"] == doc["name"]["full"]
    page = requests.get(f"{running.url}/p/{decision['acceptance_no']}", timeout=5)
    assert page.status_code == 200 and "公章刻制" in page.text and "银行预开户" in page.text


def test_full_chain_files_all_five_items(kiosk: Kiosk) -> None:
    doc = application()
    doc["linked_services"] = {"seal": {}}
    kiosk.submit(doc)
    items = kiosk.client.status(doc["application_id"])["items"]
    assert [i["service"] for i in items] == ["seal", "tax", "social_insurance", "housing_fund", "bank_account"]


def test_a_failed_item_can_be_sent_again(kiosk: Kiosk, running: Any) -> None:
    """The tax office's simulator fails one new company in twenty, as a function of the application id:
    an application it fails is chosen, filed like any other, and its failed item sent again by the kiosk."""
    tax, seal = running.platform.departments["tax"], running.platform.departments["seal"]
    doc = application()
    while tax.finish(doc["application_id"], "-", "open").done or not seal.finish(doc["application_id"], "-",
                                                                                  "open").done:
        doc["application_id"] = str(uuid.uuid4())
    kiosk.submit(doc)
    deadline = time.monotonic() + 20
    while (tax_item := item_of(kiosk, doc, "tax"))["status"] != "failed":
        assert time.monotonic() < deadline, f"the tax item never failed: {tax_item}"
        time.sleep(0.05)
    assert "办税服务厅" in tax_item["detail"]  # the department's words: what the citizen does next
    kiosk.client.retry_item(doc["application_id"], "tax")
    assert item_of(kiosk, doc, "tax")["status"] in ("pending", "in_progress", "failed")
    assert any(a["target"] == f"{doc['application_id']}:tax" for a in running.platform.audit_log(500, "item.retry"))
    with pytest.raises(PlatformRefused) as refused:
        kiosk.client.retry_item(doc["application_id"], "seal")  # not failed
    assert refused.value.status == 409 and refused.value.message


def item_of(kiosk: Kiosk, doc: dict[str, Any], service: str) -> dict[str, Any]:
    return next(i for i in kiosk.client.status(doc["application_id"])["items"] if i["service"] == service)


def test_unknown_application_is_404_with_a_message(kiosk: Kiosk, running: Any) -> None:
    assert kiosk.client.status(str(uuid.uuid4())) is None
    answer = kiosk.raw("GET", f"/api/v1/applications/{uuid.uuid4()}")
    assert answer.status_code == 404 and answer.json()["message"]
    assert requests.get(f"{running.url}/p/not-a-number", timeout=5).status_code == 404
    assert requests.get(f"{running.url}/api/v1/progress/123456789012345678", timeout=5).status_code == 404


def test_lookup_by_card_finds_a_persons_applications(kiosk: Kiosk) -> None:
    doc = application()
    kiosk.submit(doc)
    number = doc["applicant"]["person"]["id_number"]
    with pytest.raises(PlatformRefused) as not_read:  # no card read at this kiosk: no lookup
        kiosk.client.lookup(number)
    assert not_read.value.status == 404 and "读取" in not_read.value.message
    kiosk.client.card_read(number)
    found = kiosk.client.lookup(number)
    assert [f["application_id"] for f in found] == [doc["application_id"]]


def test_manual_review_by_a_signed_in_reviewer(kiosk: Kiosk, running: Any) -> None:
    docs = [application(), application()]
    for d in docs:
        d["address"]["code"] = ADDRESS_CROWDED
    for d in docs:
        assert kiosk.submit(d)["decision"] == "manual_review"
        assert "uscc" not in kiosk.client.status(d["application_id"])
    url = f"{running.url}/api/v1/applications/{docs[0]['application_id']}/review"
    body = {"action": "approve", "comment": "经实地核查，场所真实。"}
    assert requests.post(url, json=body, timeout=5).status_code == 401  # nobody signed in
    operator = staff(running, "operator")
    assert operator.post(url, json=body, timeout=5).status_code == 403  # an operator is not a reviewer
    reviewer = staff(running, "reviewer")
    no_csrf = requests.post(url, json=body, cookies=reviewer.cookies, timeout=5)
    assert no_csrf.status_code == 403  # the session cookie alone does not make a write
    approved = reviewer.post(url, json=body, timeout=5)
    assert approved.status_code == 200 and approved.json()["decision"] == "approved" and approved.json()["uscc"]
    assert reviewer.post(url, json=body, timeout=5).status_code == 409
    assert len(kiosk.client.status(docs[0]["application_id"])["items"]) == 5
    rejected = reviewer.post(f"{running.url}/api/v1/applications/{docs[1]['application_id']}/review",
                             json={"action": "reject", "comment": "集群注册地址已满"}, timeout=5).json()
    assert rejected["decision"] == "rejected" and "REVIEW_REJECTED" in codes(rejected)
    assert kiosk.client.status(docs[1]["application_id"])["items"] == []
    actions = {(a["actor"], a["action"]) for a in running.platform.audit_log(50)}
    assert (f"account:{reviewer.username}", "review.approve") in actions
    assert (f"account:{reviewer.username}", "review.reject") in actions


def test_name_check_answers_with_reasons_and_suggestions(kiosk: Kiosk) -> None:
    client = kiosk.client
    taken = client.check_name("阳江市", "华信", "科技", "有限公司")
    assert not taken["available"] and {r["code"] for r in taken["reasons"]} == {"NAME_DUPLICATE"}
    assert taken["suggestions"] and all(client.check_name("阳江市", s, "科技", "有限公司")["available"]
                                        for s in taken["suggestions"])
    assert client.check_name("阳江市", "青松岭", "科技", "有限公司") == {  # no homophone of a generated name
        "available": True, "full": "阳江市青松岭科技有限公司", "reasons": [], "suggestions": []}
    prohibited = client.check_name("阳江市", "中国通", "科技", "有限公司")
    assert not prohibited["available"] and "NAME_PROHIBITED" in {r["code"] for r in prohibited["reasons"]}


def test_address_picker_and_search(kiosk: Kiosk) -> None:
    client = kiosk.client
    districts = client.address_options(0)
    assert {d["label"] for d in districts} >= {"江城区", "阳东区"}
    streets = client.address_options(1, "441702")
    assert "东风二路" in [s["label"] for s in streets]
    units = client.address_options(2, "441702:东风二路")
    assert units[0]["text"].startswith("广东省阳江市江城区东风二路")
    assert client.search_addresses("dfel")[0]["code"] == units[0]["code"]
    assert client.search_addresses("东风", division="441704") == []


def test_scope_search_by_text_keyword_and_initials(kiosk: Kiosk) -> None:
    client = kiosk.client
    assert client.search_scopes("软件")[0]["code"] == "I6511-001"
    assert client.search_scopes("饭店")[0]["permit"] == "post"
    assert client.search_scopes("rjkf")[0]["text"] == "软件开发"


def test_sms_code_send_verify_and_limits(kiosk: Kiosk) -> None:
    client = kiosk.client
    phone, number, name = "13912345678", application()["applicant"]["person"]["id_number"], "张伟明"
    client.send_sms_code(phone, number, name)
    code = client.dev_sms_code(phone)
    assert code and len(code) == 6
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert client.verify_sms_code(phone, wrong, number) is None
    other_person = application()["applicant"]["person"]["id_number"]
    with pytest.raises(PlatformRefused):  # the code was sent for someone else
        client.verify_sms_code(phone, code, other_person)
    proof = client.verify_sms_code(phone, code, number)
    assert proof and proof.startswith("ph_")
    with pytest.raises(PlatformRefused) as spent:
        client.verify_sms_code(phone, code, number)
    assert spent.value.status == 404 and "获取" in spent.value.message
    client.send_sms_code(phone, number, name)
    code = client.dev_sms_code(phone)
    for _ in range(5):
        client.verify_sms_code(phone, f"{(int(code) + 1) % 10**6:06d}", number)
    with pytest.raises(PlatformUnavailable) as locked:
        client.verify_sms_code(phone, code, number)
    assert locked.value.status == 429


def test_bad_bodies_get_422_with_a_message_per_field(kiosk: Kiosk) -> None:
    missing = application()
    del missing["name"]
    answer = kiosk.raw("POST", "/api/v1/applications", missing)
    assert answer.status_code == 422
    body = answer.json()
    assert "name" in body["message"]
    for bad in (b"{", b"null", b"[]", json.dumps({**application(), "registered_capital_cny": "lots"}).encode(),
                json.dumps({**application(), "application_id": "not-a-uuid"}).encode(),
                json.dumps({**application(), "submitted_at": "yesterday"}).encode(),
                json.dumps({**application(), "entity_type": "partnership"}).encode(),
                json.dumps({**application(), "kind": "merger"}).encode(),
                json.dumps({**application(), "kind": "change"}).encode(),  # a change without uscc and changes
                json.dumps({**application(), "kiosk_id": "a\u0000b"}).encode()):
        answer = kiosk.raw("POST", "/api/v1/applications", bad)
        assert answer.status_code == 422, bad[:60]
        assert answer.json()["message"]


def test_edge_dates_never_break_the_engine(kiosk: Kiosk) -> None:
    for when in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00-12:00"):
        doc = application(submitted_at=when)
        doc["shareholders"][0]["contribution_deadline"] = "9999-12-31"
        assert kiosk.submit(doc)["decision"] in ("approved", "rejected", "manual_review")


def test_heartbeat_reaches_the_fleet_that_only_operators_see(running: Any) -> None:
    kiosk = Kiosk(running, "YJ-JC-001")
    kiosk.client.heartbeat("阳江市政务服务中心", {"health": "ok"}, fleet_number=101)
    assert requests.get(running.url + "/api/v1/kiosks", timeout=5).status_code == 401
    assert "YJ-JC-001" not in requests.get(running.url + "/fleet", timeout=5).text
    operator = staff(running, "operator")
    fleet = operator.get(running.url + "/api/v1/kiosks", timeout=5).json()
    assert any(k["kiosk_id"] == "YJ-JC-001" and k["site"] == "阳江市政务服务中心" and k["fleet_number"] == 101
               for k in fleet)
    assert "YJ-JC-001" in operator.get(running.url + "/fleet", timeout=5).text
    with pytest.raises(PlatformRefused) as taken:  # two kiosks cannot share a fleet number
        Kiosk(running, "YJ-JC-002").client.heartbeat("阳东", {"health": "ok"}, fleet_number=101)
    assert taken.value.status == 409


def test_a_forged_or_foreign_licence_is_not_valid(kiosk: Kiosk) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.contract import elicence

    foreign = elicence.sign(Ed25519PrivateKey.generate(), "91441702MA00000150", "阳江市假冒科技有限公司")
    answer = kiosk.client.verify_licence(foreign)
    assert answer["valid"] is False and answer["reason"] == "unknown_key" and answer["message"]
    assert kiosk.client.verify_licence("hello")["valid"] is False


def test_rate_limit_and_body_size(tmp_path) -> None:
    running = start_platform(tmp_path, rate_per_s=1.0, rate_burst=3)
    try:
        kiosk = Kiosk(running, "K-RATE")
        answers = []
        for _ in range(5):
            try:
                kiosk.client.check_name("阳江市", "华信", "科技", "有限公司")
                answers.append(200)
            except PlatformUnavailable as exc:
                answers.append(exc.status or 0)
                assert exc.retry_after_s and exc.retry_after_s >= 1
        assert answers[:3] == [200, 200, 200] and 429 in answers[3:]
        big = requests.post(running.url + "/api/v1/applications", data=b"{" + b" " * 2_000_000 + b"}",
                            headers={"Content-Type": "application/json"}, timeout=10)
        assert big.status_code == 413 and big.json()["message"]
    finally:
        running.stop()
