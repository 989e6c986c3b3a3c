"""A company's later life at the platform, over real HTTP on loopback: change (变更登记), deregistration
(注销, simplified and ordinary, with the one table and objections), suspension (歇业备案) and resuming,
the legal representative's record — every lifecycle reason code and a near miss of each, and what each
decision does to the registry (history, status, items, e-licence, the name). Time is driven as the
dispatcher drives it: ``service.lifecycle.finish_announcements(platform, a later day)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.platform_client import PlatformRefused
from service.contract import elicence, law
from service.contract.uscc import make as make_uscc
from tests.servicehelp import (CHEN, CHINA, DISHONEST, LI, MINOR, SCOPE_PRE, TODAY, Kiosk, application, codes,
                               fresh_address, fresh_person, fresh_phone, live_image, person, staff, start_platform,
                               unique_trade)

pytestmark = pytest.mark.timeout(240)

HUAXIN = make_uscc("441702", 900000)  # 阳江市华信科技有限公司 of the test reference data, represented by 陈国强
ABNORMAL = make_uscc("441702", 900001)  # 聚集0贸易, listed here as on the abnormal-operation list


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The platform on SQLite, then on PostgreSQL (a private cluster; skipped where it is not installed)."""
    folder = tmp_path_factory.mktemp("lifecycle")
    (folder / "reference").mkdir()
    (folder / "reference" / "abnormal.csv").write_text(f"uscc\n{ABNORMAL}\n", encoding="utf-8")
    pg = None
    settings: dict[str, Any] = {}
    if request.param == "postgresql":
        from tests.pghelp import Postgres

        pg = Postgres()
        settings["db_url"] = pg.new_database("lifecycle")
    r = start_platform(folder, **settings)
    yield r
    r.stop()
    if pg is not None:
        pg.stop()


@pytest.fixture(scope="module")
def kiosk(running: Any) -> Kiosk:
    return Kiosk(running)


# -- helpers ----------------------------------------------------------------------------------------------
class Company:
    """A company registered in this test run through the API: its USCC, its people, its documents."""

    def __init__(self, doc: dict[str, Any], decision: dict[str, Any]) -> None:
        self.doc, self.decision = doc, decision
        self.uscc: str = decision["uscc"]
        self.rep = {k: doc["officers"]["legal_representative"][k] for k in ("name", "id_number")}
        self.shareholders = [{k: s[k] for k in ("name", "id_number")} for s in doc["shareholders"]]

    @property
    def name(self) -> dict[str, str]:
        return self.doc["name"]


def register(kiosk: Kiosk, **changes: Any) -> Company:
    doc = application(**changes)
    decision = kiosk.submit(doc)
    assert decision["decision"] == "approved", decision["reasons"]
    return Company(doc, decision)


def register_until(kiosk: Kiosk, wanted: Any, tries: int = 80) -> Company:
    """Register companies until the departments' one table says what ``wanted`` looks for (the
    simulated departments answer per company, deterministically)."""
    for _ in range(tries):
        company = register(kiosk)
        if wanted(kiosk.client.clearance(company.uscc)):
            return company
    raise AssertionError("no company with that clearance in the tries allowed")


def owes(service: str) -> Any:
    return lambda table: any(m["service"] == service for m in table["open_matters"])


def clean(table: dict[str, Any]) -> bool:
    return not table["open_matters"] and table["simplified_eligible"]


def lifecycle(kind: str, uscc: str, applicant: dict[str, str], signers: list[dict[str, str]] | None = None,
              submitted: datetime | None = None, **fields: Any) -> dict[str, Any]:
    """A lifecycle document as the kiosk sends it: the applicant's verification (proved at the platform by
    ``Kiosk.submit``), and signatures of the applicant and ``signers``."""
    now = submitted or datetime.now(CHINA).replace(microsecond=0)
    people = {p["id_number"]: p for p in [applicant, *(signers or [])]}
    doc: dict[str, Any] = {
        "application_id": str(uuid.uuid4()), "kind": kind, "uscc": uscc, "kiosk_id": "YJ-TEST-01",
        "submitted_at": now.isoformat(),
        "applicant": {"person": {**person(applicant), "phone": fresh_phone()},
                      "verification": {"card_read": True, "card_valid_to": "2040-01-01", "liveness_passed": True,
                                       "face_match_score": 0.93, "face_match_threshold": 0.8,
                                       "phone_verified": True, "verified_at": now.isoformat()}},
        "signatures": [{"id_number": n, "signed_at": now.isoformat()} for n in people],
    }
    doc.update(fields)
    return doc


def change(company: Company, signers: list[dict[str, str]] | None = None, applicant: dict[str, str] | None = None,
           **changes: Any) -> dict[str, Any]:
    everyone = company.shareholders if signers is None else signers
    return lifecycle("change", company.uscc, applicant or company.rep, everyone, changes=changes)


def suspension(company: Company, start: date, end: date, address: str = "广东省阳江市江城区东风二路88号",
               submitted: datetime | None = None, applicant: dict[str, str] | None = None) -> dict[str, Any]:
    return lifecycle("suspension", company.uscc, applicant or company.rep, submitted=submitted,
                     **{"from": start.isoformat(), "to": end.isoformat(), "service_address": address})


def deregistration(company: Company, procedure: str = "simplified", signers: list[dict[str, str]] | None = None,
                   applicant: dict[str, str] | None = None) -> dict[str, Any]:
    return lifecycle("deregistration", company.uscc, applicant or company.rep,
                     company.shareholders if signers is None else signers, procedure=procedure, reason="决议解散")


def new_name(company: Company, trade: str | None = None, industry: str | None = None,
             form: str | None = None) -> dict[str, str]:
    n = dict(company.name)
    n.update({k: v for k, v in (("trade_name", trade), ("industry", industry), ("form", form)) if v})
    n["full"] = f"{n['region']}{n['trade_name']}{n['industry']}{n['form']}"
    return n


def shareholders_of(company: Company, **by_id: int) -> list[dict[str, Any]]:
    """The registered shareholders with new subscriptions (``by_id``: id_number → yuan)."""
    return [{**s, "subscribed_cny": by_id.get(s["id_number"], s["subscribed_cny"])} for s in company.doc["shareholders"]]


def record(kiosk: Kiosk, company: Company, purpose: str = "change", who: dict[str, str] | None = None) -> Any:
    who = who or company.rep
    face = kiosk.client.verify_face(who["id_number"], who["name"], live_image())
    return kiosk.client.record(company.uscc, who["id_number"], face["verification_id"], purpose)


def finish(running: Any, day: date) -> int:
    from service.lifecycle import finish_announcements

    return finish_announcements(running.platform, day)


def items_of(kiosk: Kiosk, application_id: str) -> dict[str, str]:
    status = kiosk.client.status(application_id)
    assert status is not None
    return {i["service"]: i["action"] for i in status["items"]}


def entity(running: Any, uscc: str) -> Any:
    from service import registry

    with running.platform.store.read() as s:
        found = registry.entity_by_uscc(s, uscc)
        assert found is not None
        s.expunge(found)
        return found


def name_codes(kiosk: Kiosk, n: dict[str, str], applicant: dict[str, str] | None = None,
               shareholders: list[dict[str, str]] | None = None, submitted: datetime | None = None,
               full: bool = False) -> Any:
    """What an establishment with this name gets from the rules (submitted by ``applicant``)."""
    doc = application(trade=n["trade_name"], name=n)
    if applicant is not None:
        rep = person(applicant)
        doc["officers"].update(legal_representative=rep, directors=[rep], managers=[rep], finance_officer=rep)
        doc["shareholders"][0].update(rep)
        doc["applicant"]["person"].update(rep)
        doc["signatures"][0]["id_number"] = rep["id_number"]
    second = shareholders[1] if shareholders is not None else fresh_person("冯路人")  # by default: no relation
    doc["shareholders"][1].update(person(second))
    doc["signatures"][1]["id_number"] = second["id_number"]
    doc["officers"]["supervisor"] = person(second)
    if submitted is not None:
        doc["submitted_at"] = submitted.isoformat()
    decision = kiosk.submit(doc)
    return decision if full else codes(decision) | {decision["decision"]}


# -- who may apply, and for which company --------------------------------------------------------------
def test_entity_unknown_and_its_near_miss(kiosk: Kiosk, running: Any) -> None:
    nobody = make_uscc("441702", 29_000_000)  # well formed, but the registry holds no such company
    until = TODAY + timedelta(days=30)
    doc = lifecycle("suspension", nobody, fresh_person(),
                    **{"from": TODAY.isoformat(), "to": until.isoformat(), "service_address": "阳江市某路1号"})
    refused = kiosk.submit(doc)
    assert refused["decision"] == "rejected" and codes(refused) == {"ENTITY_UNKNOWN"}
    # near miss: a company of the reference registry, by its legal representative
    known = kiosk.submit(lifecycle("suspension", HUAXIN, CHEN, **{
        "from": TODAY.isoformat(), "to": until.isoformat(), "service_address": "阳江市某路1号"}))
    assert known["decision"] == "approved" and not codes(known), known["reasons"]
    resumed = kiosk.submit(lifecycle("suspension", HUAXIN, CHEN, **{
        "from": TODAY.isoformat(), "to": TODAY.isoformat(), "service_address": "阳江市某路1号"}))
    assert resumed["decision"] == "approved" and entity(running, HUAXIN).status == "active"


def test_only_the_legal_representative_applies(kiosk: Kiosk) -> None:
    company = register(kiosk)
    shareholder = company.shareholders[1]  # 李秀英 holds 40 % but does not represent the company
    doc = change(company, applicant=shareholder, address=fresh_address())
    refused = kiosk.submit(doc)
    assert refused["decision"] == "rejected" and "APPLICANT_NOT_LEGAL_REP" in codes(refused)
    message = next(r["message"] for r in refused["reasons"] if r["code"] == "APPLICANT_NOT_LEGAL_REP")
    assert "法定代表人" in message and "窗口" in message  # and what to do instead
    for kind in ("deregistration", "suspension"):
        other = deregistration(company, applicant=shareholder) if kind == "deregistration" else \
            suspension(company, TODAY, TODAY + timedelta(days=10), applicant=shareholder)
        assert "APPLICANT_NOT_LEGAL_REP" in codes(kiosk.submit(other))
    # near miss: the same change by the legal representative
    taken = kiosk.submit(change(company, address=fresh_address()))
    assert taken["decision"] == "approved", taken["reasons"]


def test_entity_not_active_and_its_near_miss(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    assert kiosk.submit(suspension(company, TODAY, TODAY + timedelta(days=90)))["decision"] == "approved"
    assert entity(running, company.uscc).status == "suspended"
    refused = kiosk.submit(change(company, address=fresh_address()))
    assert refused["decision"] == "rejected" and codes(refused) == {"ENTITY_NOT_ACTIVE"}
    assert "恢复营业" in refused["reasons"][0]["message"]  # the way forward
    # near miss: the suspended company may file a suspension again (here: resume) and then change
    resumed = kiosk.submit(suspension(company, TODAY, TODAY))
    assert resumed["decision"] == "approved" and entity(running, company.uscc).status == "active"
    assert kiosk.submit(change(company, address=fresh_address()))["decision"] == "approved"
    # a company being deregistered can do nothing else; a deregistered one neither
    going = register_until(kiosk, clean)
    assert kiosk.submit(deregistration(going))["decision"] == "approved"
    for doc in (change(going, address=fresh_address()), suspension(going, TODAY, TODAY + timedelta(days=9)),
                deregistration(going)):
        assert codes(kiosk.submit(doc)) == {"ENTITY_NOT_ACTIVE"}


# -- change -------------------------------------------------------------------------------------------
def test_change_empty_and_its_near_miss(kiosk: Kiosk) -> None:
    company = register(kiosk)
    same = kiosk.submit(change(company, address=company.doc["address"], name=company.name,
                               business_scope=company.doc["business_scope"]))
    assert same["decision"] == "rejected" and codes(same) == {"CHANGE_EMPTY"}
    assert codes(kiosk.submit(change(company))) == {"CHANGE_EMPTY"}  # nothing at all
    moved = kiosk.submit(change(company, address=fresh_address(), name=company.name))
    assert moved["decision"] == "approved" and moved["uscc"] == company.uscc


def test_a_name_change_keeps_the_uscc_issues_a_new_licence_and_orders_a_new_seal(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    renamed = new_name(company, trade=unique_trade())
    decision = kiosk.submit(change(company, name=renamed))
    assert decision["decision"] == "approved" and decision["kind"] == "change", decision["reasons"]
    assert decision["uscc"] == company.uscc and decision["effective_on"] == TODAY.isoformat()
    checked = kiosk.client.verify_licence(decision["e_license"])
    assert (checked["valid"], checked["uscc"], checked["name"], checked["current_name"]) == \
        (True, company.uscc, renamed["full"], renamed["full"])
    old = kiosk.client.verify_licence(company.decision["e_license"])  # the old licence still verifies, but says so
    assert old["valid"] and old["name"] == company.name["full"] and old["current_name"] == renamed["full"]
    assert items_of(kiosk, decision["application_id"]) == {"seal": "update", "tax": "update",
                                                           "social_insurance": "update", "housing_fund": "update",
                                                           "bank_account": "update"}
    shown = record(kiosk, company)
    assert shown["name"] == renamed["full"] and shown["state"]["name"]["trade_name"] == renamed["trade_name"]
    assert [(h["kind"], h["fields"]) for h in shown["history"]] == [("establishment", []), ("change", ["name"])]
    assert elicence.verify(shown["e_license"], running.platform.key.public_key()).name == renamed["full"]
    # the new name is taken now; the rules speak of it as of any registered name
    assert "NAME_DUPLICATE" in name_codes(kiosk, renamed)
    # the old one is not free for others for a year (NAME art. 17) …
    assert "NAME_DUPLICATE" in name_codes(kiosk, company.name)
    with running.platform.store.read() as s:
        from service.models import FormerName

        former = s.query(FormerName).filter_by(uscc=company.uscc).one()
        assert (former.trade_name, former.released_on) == (company.name["trade_name"], TODAY)
    # progress shows the change like an establishment's
    progress = requests.get(f"{running.url}/api/v1/progress/{decision['acceptance_no']}", timeout=5).json()
    assert progress["kind"] == "change" and progress["name"] == renamed["full"] and len(progress["items"]) == 5
    # … but the company that gave it up may take it back (an investment relation)
    back = kiosk.submit(change(company, name=company.name))
    assert back["decision"] == "approved", back["reasons"]


def test_a_name_change_is_judged_by_the_name_rules_but_not_against_the_company_itself(kiosk: Kiosk) -> None:
    company = register(kiosk)
    other = register(kiosk)
    taken = kiosk.submit(change(company, name=new_name(company, trade=other.name["trade_name"])))
    assert taken["decision"] == "rejected" and "NAME_DUPLICATE" in codes(taken)
    assert any(r["field"].startswith("changes.name") for r in taken["reasons"])
    prohibited = kiosk.submit(change(company, name=new_name(company, trade="国家" + unique_trade())))
    assert "NAME_PROHIBITED" in codes(prohibited)
    # near misses: its own trade name in another industry, or in another form, is no conflict with itself
    industry = kiosk.submit(change(company, name=new_name(company, industry="贸易")))
    assert industry["decision"] == "approved", industry["reasons"]
    company.doc["name"] = new_name(company, industry="贸易")
    form = kiosk.submit(change(company, name=new_name(company, form="有限责任公司")))
    assert form["decision"] == "approved", form["reasons"]


def test_an_address_change_tells_four_departments_and_no_seal(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    moved_to = fresh_address()
    decision = kiosk.submit(change(company, address=moved_to))
    assert decision["decision"] == "approved" and decision["uscc"] == company.uscc
    assert items_of(kiosk, decision["application_id"]) == {"tax": "update", "social_insurance": "update",
                                                           "housing_fund": "update", "bank_account": "update"}
    assert entity(running, company.uscc).address_code == moved_to["code"]
    assert record(kiosk, company)["state"]["address"] == moved_to
    restricted = kiosk.submit(change(company, address={"code": "441702000002", "text": "保护区"}))
    assert "ADDRESS_RESTRICTED" in codes(restricted)
    crowded = kiosk.submit(change(company, address={"code": "441702000003", "text": "集群注册"}))
    assert crowded["decision"] == "manual_review" and "ADDRESS_CROWDED" in codes(crowded)


def test_scope_and_officers_changes_are_judged_by_the_establishment_rules(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    assert codes(kiosk.submit(change(company, business_scope=[]))) == {"SCOPE_EMPTY"}
    permit = kiosk.submit(change(company, business_scope=[{"code": SCOPE_PRE, "text": "保安服务"}]))
    assert permit["decision"] == "manual_review" and "SCOPE_PRE_APPROVAL" in codes(permit)
    wider = [*company.doc["business_scope"], {"code": "F5211-001", "text": "日用百货销售"}]
    assert kiosk.submit(change(company, business_scope=wider))["decision"] == "approved"
    rep = person(company.rep)
    li = person(LI)
    bad = kiosk.submit(change(company, officers={"legal_representative": rep, "directors": [rep], "managers": [rep],
                                                 "supervisor": rep}))
    assert "OFFICERS_INVALID" in codes(bad)
    dishonest = kiosk.submit(change(company, officers={"legal_representative": rep, "directors": [rep],
                                                       "supervisor": li, "finance_officer": person(DISHONEST)}))
    assert "PERSON_DISHONEST" in codes(dishonest)
    minor = kiosk.submit(change(company, officers={"legal_representative": rep, "directors": [rep],
                                                   "supervisor": person(MINOR)}))
    assert "PERSON_UNDERAGE" in codes(minor)
    finance = fresh_person("周会计")
    ok = kiosk.submit(change(company, signers=[], officers={"legal_representative": rep, "directors": [rep],
                                                            "supervisor": li, "finance_officer": person(finance)}))
    assert ok["decision"] == "approved", ok["reasons"]  # officers only: the legal representative alone signs
    assert items_of(kiosk, ok["application_id"]) == {"tax": "update", "social_insurance": "update",
                                                     "housing_fund": "update", "bank_account": "update"}
    assert record(kiosk, company)["state"]["officers"]["finance_officer"]["name"] == "周会计"


def test_a_new_legal_representative_signs_and_represents_the_company_afterwards(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    newcomer = fresh_person("吴新任")
    officers = {"legal_representative": person(newcomer), "directors": [person(newcomer)],
                "supervisor": person(LI)}
    unsigned = kiosk.submit(change(company, signers=[], officers=officers))
    assert unsigned["decision"] == "rejected" and codes(unsigned) == {"SIGNATURE_MISSING"}
    assert "吴新任" in unsigned["reasons"][0]["message"]  # CL art. 35: the new legal representative signs
    done = kiosk.submit(change(company, signers=[newcomer], officers=officers))
    assert done["decision"] == "approved", done["reasons"]
    # the new legal representative is the one who applies from now on; the former one is refused
    assert "APPLICANT_NOT_LEGAL_REP" in codes(kiosk.submit(change(company, address=fresh_address())))
    company.rep = newcomer
    assert kiosk.submit(change(company, address=fresh_address()))["decision"] == "approved"
    assert record(kiosk, company, "reprint")["state"]["officers"]["legal_representative"]["name"] == "吴新任"
    with pytest.raises(PlatformRefused) as refused:
        record(kiosk, company, who=company.shareholders[0])
    assert refused.value.status == 404


def test_a_new_legal_representative_who_already_represents_many_goes_to_review(kiosk: Kiosk) -> None:
    from tests.servicehelp import BUSY

    company = register(kiosk)
    officers = {"legal_representative": person(BUSY), "directors": [person(BUSY)], "supervisor": person(LI)}
    busy = kiosk.submit(change(company, signers=[BUSY], officers=officers))
    assert busy["decision"] == "manual_review" and "PERSON_MANY_ENTITIES" in codes(busy)


def test_every_shareholder_signs_a_change_of_the_articles_and_the_near_miss(kiosk: Kiosk) -> None:
    company = register(kiosk)
    missing = kiosk.submit(change(company, signers=[], name=new_name(company, trade=unique_trade())))
    assert missing["decision"] == "rejected" and codes(missing) == {"SIGNATURE_MISSING"}
    assert "李秀英" in missing["reasons"][0]["message"]
    signed = kiosk.submit(change(company, name=new_name(company, trade=unique_trade())))
    assert signed["decision"] == "approved"


def test_equity_transfer_and_capital(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    rep, li = company.doc["shareholders"]
    buyer = {**person(fresh_person("郑受让")), "subscribed_cny": 400_000,
             "contribution_deadline": li["contribution_deadline"]}
    transfer = [rep, buyer]  # 李秀英 transfers her 40 % to 郑受让
    unsigned = kiosk.submit(change(company, shareholders=transfer))
    assert codes(unsigned) == {"SIGNATURE_MISSING"} and "郑受让" in unsigned["reasons"][0]["message"]
    done = kiosk.submit(change(company, signers=[*company.shareholders, buyer], shareholders=transfer))
    assert done["decision"] == "approved", done["reasons"]
    shown = record(kiosk, company)
    assert sorted(s["name"] for s in shown["state"]["shareholders"]) == sorted([rep["name"], "郑受让"])
    company.doc["shareholders"], company.shareholders = transfer, [company.rep, {k: buyer[k] for k in
                                                                                 ("name", "id_number")}]
    # subscriptions must still add up to the capital
    wrong = kiosk.submit(change(company, shareholders=[rep, {**buyer, "subscribed_cny": 1}]))
    assert "CAPITAL_INVALID" in codes(wrong)
    late = kiosk.submit(change(company, shareholders=[rep, {**buyer, "contribution_deadline":
                                                           (TODAY + timedelta(days=6 * 365)).isoformat()}]))
    assert "CONTRIBUTION_TOO_LATE" in codes(late)
    # an increase of capital with the subscriptions that make it up: approved at once
    more = kiosk.submit(change(company, registered_capital_cny=2_000_000,
                               shareholders=[{**rep, "subscribed_cny": 1_600_000}, buyer]))
    assert more["decision"] == "approved", more["reasons"]
    assert record(kiosk, company)["state"]["registered_capital_cny"] == 2_000_000


def test_a_capital_reduction_goes_to_review_and_takes_effect_when_a_reviewer_approves(kiosk: Kiosk,
                                                                                        running: Any) -> None:
    company = register(kiosk)
    rep, li = company.doc["shareholders"]
    reduction = change(company, registered_capital_cny=500_000,
                       shareholders=[{**rep, "subscribed_cny": 300_000}, {**li, "subscribed_cny": 200_000}])
    decided = kiosk.submit(reduction)
    assert decided["decision"] == "manual_review" and codes(decided) == {"CAPITAL_REDUCTION"}
    message = decided["reasons"][0]["message"]
    assert str(law.CAPITAL_REDUCTION_ANNOUNCE_DAYS) in message and "债权人" in message
    assert record(kiosk, company)["state"]["registered_capital_cny"] == 1_000_000  # nothing changed yet
    # near miss: the same capital, differently split, is no reduction
    split = kiosk.submit(change(company, shareholders=[{**rep, "subscribed_cny": 500_000},
                                                       {**li, "subscribed_cny": 500_000}]))
    assert split["decision"] == "approved", split["reasons"]
    reviewer = staff(running, "reviewer")
    answer = reviewer.post(f"{running.url}/api/v1/applications/{decided['application_id']}/review",
                           json={"action": "approve", "comment": "公告期满，无债权人异议"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["uscc"] == company.uscc and answer.json()["e_license"]
    shown = record(kiosk, company)
    assert shown["state"]["registered_capital_cny"] == 500_000
    assert sorted(s["subscribed_cny"] for s in shown["state"]["shareholders"]) == [200_000, 300_000]
    assert [h["fields"] for h in shown["history"] if h["kind"] == "change"][-1] == ["registered_capital_cny",
                                                                                  "shareholders"]


# -- deregistration ------------------------------------------------------------------------------------
def test_the_one_table_says_what_is_open_and_who_to_see(kiosk: Kiosk) -> None:
    owing = register_until(kiosk, owes("tax"))
    table = kiosk.client.clearance(owing.uscc)
    tax = next(m for m in table["open_matters"] if m["service"] == "tax")
    assert tax["what"] and "办税服务厅" in tax["see"]
    assert table["simplified_eligible"] is False and any("税" in w for w in table["why_not"])
    assert kiosk.client.clearance(owing.uscc) == table  # the same answer every time
    with pytest.raises(PlatformRefused) as unknown:
        kiosk.client.clearance(make_uscc("441702", 29_000_001))
    assert unknown.value.status == 404
    assert requests.get(f"{kiosk.url}/api/v1/entities/{owing.uscc}/clearance", timeout=5).status_code == 401


def test_simplified_deregistration_when_ineligible_and_its_near_miss(kiosk: Kiosk, running: Any) -> None:
    owing = register_until(kiosk, owes("tax"))
    refused = kiosk.submit(deregistration(owing))
    assert refused["decision"] == "rejected" and codes(refused) == {"DEREG_SIMPLE_INELIGIBLE"}
    assert "办税服务厅" in refused["reasons"][0]["message"] and "普通注销" in refused["reasons"][0]["message"]
    assert entity(running, owing.uscc).status == "active"
    abnormal = kiosk.submit(lifecycle("deregistration", ABNORMAL, CHEN, procedure="simplified", reason="歇业"))
    assert codes(abnormal) == {"DEREG_SIMPLE_INELIGIBLE"} and "异常名录" in abnormal["reasons"][0]["message"]
    # near miss: the same company, the ordinary way, goes to an officer who follows up what is open
    ordinary = kiosk.submit(deregistration(owing, "ordinary"))
    assert ordinary["decision"] == "manual_review" and codes(ordinary) == {"DEREG_OPEN_ITEMS"}
    assert "办税服务厅" in ordinary["reasons"][0]["message"]


def test_simplified_deregistration_announces_then_takes_effect_and_frees_the_name(kiosk: Kiosk,
                                                                                   running: Any) -> None:
    company = register_until(kiosk, clean)
    unsigned = kiosk.submit(deregistration(company, signers=[]))
    assert codes(unsigned) == {"SIGNATURE_MISSING"}  # every investor commits in writing (REG art. 33)
    decision = kiosk.submit(deregistration(company))
    until = TODAY + timedelta(days=law.SIMPLE_DEREG_ANNOUNCE_DAYS)
    assert decision["decision"] == "approved" and decision["kind"] == "deregistration", decision["reasons"]
    assert decision["announcement_until"] == until.isoformat()
    assert decision["effective_on"] == (until + timedelta(days=1)).isoformat()
    assert decision.get("e_license") is None and decision["uscc"] == company.uscc
    assert entity(running, company.uscc).status == "deregistering"
    assert items_of(kiosk, decision["application_id"]) == {}  # the departments close when it takes effect
    progress = requests.get(f"{running.url}/api/v1/progress/{decision['acceptance_no']}", timeout=5).json()
    assert progress["announcement_until"] == until.isoformat() and progress["kind"] == "deregistration"
    # the announcement runs: nothing happens on its last day
    finish(running, until)
    assert entity(running, company.uscc).status == "deregistering"
    assert "NAME_DUPLICATE" in name_codes(kiosk, company.name)
    finish(running, until + timedelta(days=1))
    gone = entity(running, company.uscc)
    assert gone.status == "deregistered" and gone.name_live is None and gone.deregistered_on == until + timedelta(1)
    assert items_of(kiosk, decision["application_id"]) == {s: "close" for s in ("seal", "tax", "social_insurance",
                                                                                "housing_fund", "bank_account")}
    status = kiosk.client.status(decision["application_id"])
    assert status["effective_on"] == (until + timedelta(days=1)).isoformat()
    assert kiosk.client.verify_licence(company.decision["e_license"])["status"] == "deregistered"
    shown = record(kiosk, company, "reprint")
    assert [h["kind"] for h in shown["history"]] == ["establishment", "deregistration_announced", "deregistration"]
    # the name: its own investors may take it again at once; others after the year the naming rules protect it
    others = name_codes(kiosk, company.name)
    assert "NAME_DUPLICATE" in others and "rejected" in others
    later = datetime.combine(until + timedelta(days=1 + law.NAME_PROTECTED_AFTER_CANCEL_DAYS + 1),
                             datetime.min.time(), CHINA).replace(hour=10)
    judged = running.platform.judge  # offline, registering nothing: a stranger a year and a day later
    from service.contract.models import ApplicationIn

    stranger = application(trade=company.name["trade_name"], name=company.name, submitted_at=later.isoformat())
    nobody = person(fresh_person("冯路人"))
    stranger["shareholders"][1].update(nobody)
    stranger["officers"]["supervisor"], stranger["signatures"][1]["id_number"] = nobody, nobody["id_number"]
    assert judged(ApplicationIn.model_validate(stranger))["decision"] == "approved"
    stranger["submitted_at"] = datetime.now(CHINA).isoformat()
    assert [r["code"] for r in judged(ApplicationIn.model_validate(stranger))["reasons"]] == ["NAME_DUPLICATE"]
    again = name_codes(kiosk, company.name, applicant=company.rep, shareholders=company.shareholders, full=True)
    assert again["decision"] == "approved" and not again["reasons"], again
    assert again["uscc"] != company.uscc  # a new company under the old name, not the old one answered again


def test_ordinary_deregistration_takes_the_creditor_announcement(kiosk: Kiosk, running: Any) -> None:
    company = register_until(kiosk, clean)
    decision = kiosk.submit(deregistration(company, "ordinary"))
    until = TODAY + timedelta(days=law.LIQUIDATION_ANNOUNCE_DAYS)
    assert decision["decision"] == "approved" and decision["announcement_until"] == until.isoformat()
    finish(running, TODAY + timedelta(days=law.SIMPLE_DEREG_ANNOUNCE_DAYS + 1))
    assert entity(running, company.uscc).status == "deregistering"
    finish(running, until + timedelta(days=1))
    assert entity(running, company.uscc).status == "deregistered"


def test_an_open_items_deregistration_approved_by_a_reviewer_announces_from_the_approval(kiosk: Kiosk,
                                                                                         running: Any) -> None:
    owing = register_until(kiosk, owes("bank_account"))
    decided = kiosk.submit(deregistration(owing, "ordinary"))
    assert decided["decision"] == "manual_review" and codes(decided) == {"DEREG_OPEN_ITEMS"}
    assert entity(running, owing.uscc).status == "active"
    reviewer = staff(running, "reviewer")
    answer = reviewer.post(f"{running.url}/api/v1/applications/{decided['application_id']}/review",
                           json={"action": "approve", "comment": "已销户"}, timeout=10)
    assert answer.status_code == 200, answer.text
    approved = answer.json()
    assert approved["announcement_until"] == (TODAY + timedelta(days=law.LIQUIDATION_ANNOUNCE_DAYS)).isoformat()
    assert entity(running, owing.uscc).status == "deregistering"


def test_an_objection_stops_the_announcement_and_a_reviewer_decides(kiosk: Kiosk, running: Any) -> None:
    company = register_until(kiosk, clean)
    decision = kiosk.submit(deregistration(company))
    number = decision["acceptance_no"]
    url = f"{running.url}/api/v1/announcements/{number}/objection"
    assert requests.post(url, timeout=5).status_code == 204  # anyone: a creditor has no kiosk
    assert requests.post(url, timeout=5).status_code == 409  # no longer in its announcement
    other = "1" * 17 + "0"
    assert requests.post(f"{running.url}/api/v1/announcements/{other}/objection", timeout=5).status_code in (404, 422)
    status = kiosk.client.status(decision["application_id"])
    assert status["decision"] == "manual_review" and "DEREG_OBJECTION" in {r["code"] for r in status["reasons"]}
    assert entity(running, company.uscc).status == "active"  # stopped: the company lives on meanwhile
    finish(running, TODAY + timedelta(days=60))
    assert entity(running, company.uscc).status == "active"
    reviewer = staff(running, "reviewer")
    answer = reviewer.post(f"{running.url}/api/v1/applications/{decision['application_id']}/review",
                           json={"action": "reject", "comment": "债权人异议成立"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["decision"] == "rejected"
    assert entity(running, company.uscc).status == "active"
    # the company may apply again once it has settled with the creditor
    assert kiosk.submit(deregistration(company))["decision"] == "approved"


def test_an_individual_business_is_not_announced_but_the_departments_have_ten_days(kiosk: Kiosk,
                                                                                  running: Any) -> None:
    for _ in range(60):
        operator = fresh_person("孙个体")
        rep = person(operator)
        doc = application(entity_type="individual_business", shareholders=[],
                          officers={"legal_representative": rep},
                          name={"region": "阳江市", "trade_name": (t := unique_trade()), "industry": "餐饮",
                                "form": "店", "full": f"阳江市{t}餐饮店"})
        doc["applicant"]["person"].update(rep)
        doc["signatures"] = [{"id_number": rep["id_number"], "signed_at": doc["submitted_at"]}]
        decided = kiosk.submit(doc)
        assert decided["decision"] == "approved", decided["reasons"]
        if clean(kiosk.client.clearance(decided["uscc"])):
            break
    shop = Company(doc, decided)
    shop.shareholders = []
    decision = kiosk.submit(deregistration(shop))
    assert decision["decision"] == "approved", decision["reasons"]
    assert decision.get("announcement_until") is None  # REG art. 33: no public announcement
    assert decision["effective_on"] == (TODAY + timedelta(days=law.INDIVIDUAL_DEREG_OBJECTION_DAYS + 1)).isoformat()
    assert entity(running, shop.uscc).status == "deregistering"
    finish(running, TODAY + timedelta(days=law.INDIVIDUAL_DEREG_OBJECTION_DAYS + 1))
    assert entity(running, shop.uscc).status == "deregistered"


# -- suspension -------------------------------------------------------------------------------------------
def test_suspension_too_long_and_its_near_miss(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    three = law.years_after(TODAY, law.SUSPENSION_MAX_YEARS)
    too_long = kiosk.submit(suspension(company, TODAY, three + timedelta(days=1)))
    assert too_long["decision"] == "rejected" and codes(too_long) == {"SUSPENSION_TOO_LONG"}
    exactly = kiosk.submit(suspension(company, TODAY, three))
    assert exactly["decision"] == "approved" and exactly["effective_on"] == TODAY.isoformat()
    assert entity(running, company.uscc).status == "suspended"
    progress = requests.get(f"{running.url}/api/v1/progress/{exactly['acceptance_no']}", timeout=5).json()
    assert progress["kind"] == "suspension" and progress["decision"] == "approved"


def test_suspension_days_add_up_over_the_company_s_life(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    earlier = TODAY - timedelta(days=2 * 365)
    back_then = datetime.combine(earlier, datetime.min.time(), CHINA).replace(hour=9)
    first = kiosk.submit(suspension(company, earlier, TODAY - timedelta(days=10), submitted=back_then))
    assert first["decision"] == "approved", first["reasons"]
    finish(running, TODAY)
    assert entity(running, company.uscc).status == "active"  # its end has passed: trading again (RULES art. 42)
    used = (TODAY - timedelta(days=10) - earlier).days
    limit = (law.years_after(earlier, law.SUSPENSION_MAX_YEARS) - earlier).days  # three years of days
    over = kiosk.submit(suspension(company, TODAY, TODAY + timedelta(days=limit - used + 1)))
    assert codes(over) == {"SUSPENSION_TOO_LONG"} and f"已备案歇业{used}天" in over["reasons"][0]["message"]
    fits = kiosk.submit(suspension(company, TODAY, TODAY + timedelta(days=limit - used)))
    assert fits["decision"] == "approved", fits["reasons"]


def test_suspension_invalid_and_its_near_miss(kiosk: Kiosk) -> None:
    company = register(kiosk)
    cases = {
        "service_address": suspension(company, TODAY, TODAY + timedelta(days=30), address=""),
        "to": suspension(company, TODAY + timedelta(days=10), TODAY + timedelta(days=5)),
        "from": suspension(company, TODAY - timedelta(days=1), TODAY + timedelta(days=30)),
    }
    for field, doc in cases.items():
        decided = kiosk.submit(doc)
        assert decided["decision"] == "rejected" and codes(decided) == {"SUSPENSION_INVALID"}, (field, decided)
        assert decided["reasons"][0]["field"] == field
    later = kiosk.submit(suspension(company, TODAY + timedelta(days=1), TODAY + timedelta(days=30)))
    assert later["decision"] == "approved" and later["effective_on"] == (TODAY + timedelta(days=1)).isoformat()


def test_a_suspension_starts_on_its_day_and_ends_on_time_or_is_called_off(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    start, end = TODAY + timedelta(days=3), TODAY + timedelta(days=200)
    filed = kiosk.submit(suspension(company, start, end))
    assert filed["decision"] == "approved" and filed["effective_on"] == start.isoformat()
    assert entity(running, company.uscc).status == "active"  # filed before it starts (REG art. 30)
    finish(running, start)
    assert entity(running, company.uscc).status == "suspended"
    finish(running, end)
    assert entity(running, company.uscc).status == "active"  # its end: trading again by itself (RULES art. 42)
    finish(running, TODAY)
    overlapping = kiosk.submit(suspension(company, TODAY + timedelta(days=100), TODAY + timedelta(days=300)))
    assert codes(overlapping) == {"SUSPENSION_INVALID"} and "重叠" in overlapping["reasons"][0]["message"]
    called_off = kiosk.submit(suspension(company, TODAY, TODAY))  # the company decides to trade on after all
    assert called_off["decision"] == "approved"
    finish(running, start + timedelta(days=1))
    assert entity(running, company.uscc).status == "active"  # the called-off suspension never starts
    assert [h["kind"] for h in record(kiosk, company)["history"]] == ["establishment", "suspension", "resumption"]


def test_resuming_early_and_extending_in_the_last_thirty_days(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    assert kiosk.submit(suspension(company, TODAY, TODAY + timedelta(days=400)))["decision"] == "approved"
    assert entity(running, company.uscc).status == "suspended"
    early = kiosk.submit(suspension(company, TODAY + timedelta(days=400), TODAY + timedelta(days=500)))
    assert codes(early) == {"SUSPENSION_INVALID"} and "30日内" in early["reasons"][0]["message"]
    resumed = kiosk.submit(suspension(company, TODAY, TODAY))
    assert resumed["decision"] == "approved" and entity(running, company.uscc).status == "active"
    finish(running, TODAY + timedelta(days=1))
    assert entity(running, company.uscc).status == "active"  # the ended suspension does not come back
    nothing = kiosk.submit(suspension(company, TODAY, TODAY))  # nothing in force: no resumption to file
    assert codes(nothing) == {"SUSPENSION_INVALID"}
    # near miss of the window: a suspension ending within 30 days may be extended from its last day
    other = register(kiosk)
    assert kiosk.submit(suspension(other, TODAY, TODAY + timedelta(days=20)))["decision"] == "approved"
    longer = kiosk.submit(suspension(other, TODAY + timedelta(days=20), TODAY + timedelta(days=120)))
    assert longer["decision"] == "approved", longer["reasons"]
    finish(running, TODAY + timedelta(days=60))
    assert entity(running, other.uscc).status == "suspended"
    finish(running, TODAY + timedelta(days=120))
    assert entity(running, other.uscc).status == "active"


# -- the record, and who sees it ---------------------------------------------------------------------------
def test_the_record_is_for_the_legal_representative_after_the_face_check(kiosk: Kiosk, running: Any) -> None:
    company = register(kiosk)
    shown = record(kiosk, company, "reprint")
    state = shown["state"]
    assert shown["uscc"] == company.uscc and shown["status"] == "active" and shown["entity_type"] == "llc"
    assert state["registered_capital_cny"] == 1_000_000 and state["address"] == company.doc["address"]
    assert [s["name"] for s in state["shareholders"]] == [s["name"] for s in company.shareholders]
    assert shown["type_label"] == "有限责任公司（自然人投资或控股）"
    assert elicence.verify(shown["e_license"], running.platform.key.public_key()).uscc == company.uscc
    with pytest.raises(PlatformRefused) as no_face:
        kiosk.client.record(company.uscc, company.rep["id_number"], "fa_not-a-real-proof-at-all", "reprint")
    assert no_face.value.status == 404
    other_face = kiosk.client.verify_face(LI["id_number"], LI["name"], live_image())["verification_id"]
    with pytest.raises(PlatformRefused):
        kiosk.client.record(company.uscc, company.rep["id_number"], other_face, "reprint")  # someone else's face
    unsigned = requests.post(f"{running.url}/api/v1/entities/{company.uscc}/record",
                             json={"id_number": company.rep["id_number"], "face_verification_id": "x" * 20}, timeout=5)
    assert unsigned.status_code == 401
    actions = [a["action"] for a in running.platform.audit_log(50, "entity.record")]
    assert "entity.record" in actions and "entity.record_refused" in actions


# -- offline --------------------------------------------------------------------------------------------
def test_yzt_review_decides_lifecycle_documents_offline(tmp_path: Path) -> None:
    from tests.servicehelp import write_reference

    ref = write_reference(tmp_path / "ref")
    (ref / "abnormal.csv").write_text(f"uscc\n{ABNORMAL}\n", encoding="utf-8")
    v = {"card_read": True, "liveness_passed": True, "face_match_score": 0.95, "phone_verified": True}

    def doc(kind: str, uscc: str, who: dict[str, str], **fields: Any) -> dict[str, Any]:
        d = lifecycle(kind, uscc, who, **fields)
        d["applicant"]["verification"] = dict(v)
        return d

    address = {"code": "441702000001", "text": "东风二路88号"}
    docs = [
        doc("change", HUAXIN, CHEN, changes={"address": address}),
        doc("change", HUAXIN, CHEN, changes={"address": {"code": "441704000001", "text": "东华路8号"}}),
        doc("change", HUAXIN, LI, changes={"address": address}),
        doc("deregistration", ABNORMAL, CHEN, procedure="simplified", reason="决议解散"),
        doc("deregistration", HUAXIN, CHEN, procedure="simplified", reason="决议解散"),
        doc("suspension", HUAXIN, CHEN, **{"from": TODAY.isoformat(),
                                           "to": (TODAY + timedelta(days=3 * 366)).isoformat(),
                                           "service_address": "东风二路88号"}),
        doc("suspension", make_uscc("441702", 29_000_002), CHEN, **{"from": TODAY.isoformat(),
                                                                    "to": TODAY.isoformat(), "service_address": "x"}),
    ]
    (tmp_path / "life.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n",
                                         encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "service.contract.cli", "review", str(tmp_path / "life.jsonl"),
                           "--reference", str(ref), "--json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "YZT_PLATFORM_KEYS": str(tmp_path / "keys")})
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    got = [(d["decision"], sorted({r["code"] for r in d["reasons"]})) for d in out]
    assert got == [("approved", []), ("rejected", ["CHANGE_EMPTY"]), ("rejected", ["APPLICANT_NOT_LEGAL_REP"]),
                   ("rejected", ["DEREG_SIMPLE_INELIGIBLE"]), ("approved", []), ("rejected", ["SUSPENSION_TOO_LONG"]),
                   ("rejected", ["ENTITY_UNKNOWN"])], got
    assert out[0]["uscc"] == HUAXIN and out[0]["e_license"]  # a change keeps its code and gets a new licence
    assert "e_license" not in out[4]
