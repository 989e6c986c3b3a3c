"""A platform that trusts no one, tried as a stranger on the hall's network would: unsigned, forged,
replayed and stale requests; identity asserted instead of proved; personal data where it must not be;
accounts, lockout, sessions and the audit log; data at rest; crafted input."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.platform_client import PlatformRefused
from service.contract import acceptance, elicence
from tests.servicehelp import DISHONEST, LI, Kiosk, application, codes, fresh_person, person, staff, start_platform

pytestmark = pytest.mark.timeout(120)

OWNED_PHONE = "13600000001"
OWNER = fresh_person("钱有机")
FACELESS = fresh_person("孙无面")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("secure")
    r = start_platform(tmp)
    ref = r.platform.settings.reference_dir
    (ref / "phone_owners.csv").write_text(f"phone,id_number\n{OWNED_PHONE},{OWNER['id_number']}\n", encoding="utf-8")
    (ref / "face_mismatch.txt").write_text(FACELESS["id_number"] + "\n", encoding="utf-8")
    from service.identity import SimulatedIdentity

    r.platform.identity = SimulatedIdentity(ref)  # the provider reads its files at start
    yield r
    r.stop()


@pytest.fixture(scope="module")
def kiosk(running: Any) -> Kiosk:
    return Kiosk(running, "YJ-SEC-01")


# -- who may call ---------------------------------------------------------------------------------------
def test_anonymous_writes_and_personal_reads_are_refused_by_default(running: Any, kiosk: Kiosk) -> None:
    doc = kiosk.prove(application())
    for method, path, body in (("POST", "/api/v1/applications", doc),
                               ("POST", "/api/v1/sms/send", {"phone": "13900000000", "id_number": LI["id_number"],
                                                             "name": LI["name"]}),
                               ("POST", "/api/v1/applications/lookup", {"id_number": LI["id_number"]}),
                               ("GET", f"/api/v1/applications/{doc['application_id']}", None),
                               ("POST", "/api/v1/kiosks/YJ-SEC-01/heartbeat", {"site": "x"})):
        answer = requests.request(method, running.url + path, json=body, timeout=5)
        assert answer.status_code == 401, path
        assert answer.json()["message"] and "signature" in answer.json()["detail"]
    # the public part stays public
    assert requests.get(running.url + "/api/v1/health", timeout=5).status_code == 200
    assert requests.get(running.url + "/api/v1/names/check?region=阳江市&trade_name=星河&industry=科技&form=有限公司",
                        timeout=5).status_code == 200


def replayed_submission(running: Any, kiosk: Kiosk) -> None:
    """A submission's nonce is recorded in the decision's own transaction: the same signed request
    again is a 401 that decides and audits nothing; the kiosk's own resend (a fresh nonce) is answered."""
    from service.contract.signing import sign_headers

    doc = kiosk.prove(application())
    data = json.dumps(doc, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json",
               **sign_headers(kiosk.key, kiosk.kiosk_id, "POST", "/api/v1/applications", data)}

    def decided() -> int:
        return sum(1 for a in running.platform.audit_log(500, "application.decided")
                   if a["target"] == doc["application_id"])

    first = requests.post(running.url + "/api/v1/applications", data=data, headers=headers, timeout=10)
    assert first.status_code == 200 and first.json()["decision"] == "approved"
    again = requests.post(running.url + "/api/v1/applications", data=data, headers=headers, timeout=10)
    assert again.status_code == 401 and "replay" in again.json()["detail"]
    assert decided() == 1
    resent = kiosk.client.submit(doc)  # the outbox's retry: same id, same body, a new signature
    assert resent["acceptance_no"] == first.json()["acceptance_no"] and decided() == 1


def test_forged_unknown_revoked_stale_and_replayed_requests_get_401(running: Any, kiosk: Kiosk) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.contract.signing import sign_headers

    body = {"id_number": LI["id_number"]}
    data = json.dumps(body).encode()
    path = "/api/v1/identity/card-read"

    def send(headers: dict[str, str], url_path: str = path, payload: bytes = data) -> requests.Response:
        return requests.post(running.url + url_path, data=payload,
                             headers={"Content-Type": "application/json", **headers}, timeout=5)

    good = sign_headers(kiosk.key, kiosk.kiosk_id, "POST", path, data)
    assert send(good).status_code == 204
    assert send(good).status_code == 401  # the same nonce again: a replay
    assert "replay" in send(good).json()["detail"]
    forged = sign_headers(Ed25519PrivateKey.generate(), kiosk.kiosk_id, "POST", path, data)
    assert send(forged).json()["detail"] == "bad signature"
    stranger = sign_headers(kiosk.key, "YJ-NOBODY", "POST", path, data)
    assert "unknown kiosk" in send(stranger).json()["detail"]
    stale = sign_headers(kiosk.key, kiosk.kiosk_id, "POST", path, data, now=time.time() - 400)
    assert "clock" in send(stale).json()["detail"]
    other_body = sign_headers(kiosk.key, kiosk.kiosk_id, "POST", path, data)
    assert send(other_body, payload=json.dumps({"id_number": DISHONEST["id_number"]}).encode()).status_code == 401
    query = sign_headers(kiosk.key, kiosk.kiosk_id, "POST", path, data)
    assert send(query, url_path=path + "?extra=1").status_code == 401  # the query string is signed too
    bad_nonce = {**sign_headers(kiosk.key, kiosk.kiosk_id, "POST", path, data), "X-Kiosk-Nonce": "short"}
    assert send(bad_nonce).status_code == 401
    replayed_submission(running, kiosk)
    revoked = Kiosk(running, "YJ-SEC-REVOKED")
    assert revoked.raw("POST", path, body).status_code == 204
    from service.core.security import KioskKeys

    KioskKeys(running.platform.settings.kiosks).revoke("YJ-SEC-REVOKED")
    assert "revoked" in revoked.raw("POST", path, body).json()["detail"]


def test_a_kiosk_reports_only_for_itself_and_its_applications_are_its_own(running: Any, kiosk: Kiosk) -> None:
    doc = application()
    kiosk.submit(doc)
    other = Kiosk(running, "YJ-SEC-02")
    assert other.client.status(doc["application_id"]) is None  # another kiosk: as if unknown
    assert kiosk.client.status(doc["application_id"])["application_id"] == doc["application_id"]
    answer = other.raw("POST", "/api/v1/kiosks/YJ-SEC-01/heartbeat", {"site": "冒充"})
    assert answer.status_code == 401
    with running.platform.store.read() as s:
        from service.models import Application

        row = s.get(Application, doc["application_id"])
        assert row is not None and row.kiosk_id == "YJ-SEC-01"  # the signer, not what the body says
    doc2 = application(kiosk_id="SOMEONE-ELSE")
    kiosk.submit(doc2)
    with running.platform.store.read() as s:
        assert s.get(Application, doc2["application_id"]).kiosk_id == "YJ-SEC-01"


def test_the_open_api_exists_only_behind_its_flag_and_only_on_loopback(tmp_path: Path) -> None:
    from service.core.settings import InsecureSettings, Settings, check_secure

    with pytest.raises(InsecureSettings):
        check_secure(Settings(open_api=True, host="0.0.0.0", platform_dir=tmp_path))
    with pytest.raises(InsecureSettings):
        check_secure(Settings(dev_sms=True, host="192.168.1.10", platform_dir=tmp_path))
    assert any("DEVELOPMENT" in w for w in check_secure(Settings(open_api=True, platform_dir=tmp_path)))
    yzt = str(Path(sys.executable).parent / "yzt")
    refused = subprocess.run([yzt, "service", "--insecure-open-api", "--host", "0.0.0.0", "--data", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "loopback" in refused.stderr
    running = start_platform(tmp_path / "open", open_api=True)
    try:
        answer = requests.post(running.url + "/api/v1/identity/card-read", json={"id_number": LI["id_number"]},
                               timeout=5)
        assert answer.status_code == 204  # development: unsigned is accepted
    finally:
        running.stop()


# -- identity proved, never asserted ------------------------------------------------------------------------
def test_identity_the_document_asserts_is_not_believed(kiosk: Kiosk) -> None:
    doc = application()  # phone_verified true, liveness passed, a fine score: all asserted, nothing proved
    doc["applicant"]["verification"].update(face_match_score=0.01, face_match_threshold=0.0)
    decision = kiosk.client.submit(doc)
    assert decision["decision"] == "rejected" and "IDENTITY_NOT_VERIFIED" in codes(decision)
    fields = {r["field"] for r in decision["reasons"] if r["code"] == "IDENTITY_NOT_VERIFIED"}
    assert fields == {"applicant.verification.liveness", "applicant.verification.phone"}


def test_proofs_are_bound_to_the_person_single_use_and_expire(kiosk: Kiosk, running: Any) -> None:
    mine = kiosk.prove(application())
    theirs = application()  # someone else's document carrying my proofs
    theirs["applicant"]["verification"].update(
        phone_verification_id=mine["applicant"]["verification"]["phone_verification_id"],
        face_verification_id=mine["applicant"]["verification"]["face_verification_id"])
    assert "IDENTITY_NOT_VERIFIED" in codes(kiosk.client.submit(theirs))
    assert kiosk.client.submit(mine)["decision"] == "approved"
    again = json.loads(json.dumps(mine))
    again["application_id"] = str(uuid.uuid4())
    again["name"] = {**mine["name"], "trade_name": "复用", "full": "阳江市复用科技有限公司"}
    assert "IDENTITY_NOT_VERIFIED" in codes(kiosk.client.submit(again))  # spent by the first application
    late = kiosk.prove(application())
    from service.models import Verification, utcnow

    with running.platform.store.write() as s:
        s.query(Verification).filter(Verification.used_by.is_(None)).update({"expires_at": utcnow()})
    assert "IDENTITY_NOT_VERIFIED" in codes(kiosk.client.submit(late))


def test_a_phone_registered_to_another_person_is_phone_not_owner(kiosk: Kiosk) -> None:
    someone = fresh_person("周别人")
    with pytest.raises(PlatformRefused) as refused:
        kiosk.client.send_sms_code(OWNED_PHONE, someone["id_number"], someone["name"])
    assert refused.value.status == 422 and "PHONE_NOT_OWNER" in refused.value.detail and "本人" in refused.value.message
    kiosk.client.send_sms_code(OWNED_PHONE, OWNER["id_number"], OWNER["name"])  # its owner may
    doc = application()
    doc["applicant"]["person"]["phone"] = OWNED_PHONE  # a document naming another's phone
    kiosk.prove(doc, phone=False)
    assert "PHONE_NOT_OWNER" in codes(kiosk.client.submit(doc))


def test_the_face_comparison_is_the_platform_s_and_the_image_is_not_kept(kiosk: Kiosk, running: Any) -> None:
    from tests.servicehelp import live_image

    answer = kiosk.client.verify_face(FACELESS["id_number"], FACELESS["name"], live_image())
    assert answer["passed"] is False and "verification_id" not in answer
    with pytest.raises(PlatformRefused) as tiny:
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (100, 80)).save(out, "PNG")
        kiosk.client.verify_face(LI["id_number"], LI["name"], out.getvalue())
    assert tiny.value.status == 422
    db = running.platform.settings.platform_dir / "platform.db"
    assert live_image()[200:260] not in db.read_bytes()


def test_without_a_provider_identity_checks_are_refused_clearly(tmp_path: Path) -> None:
    running = start_platform(tmp_path, identity="none")
    try:
        kiosk = Kiosk(running, "YJ-NOID")
        with pytest.raises(Exception) as refused:
            kiosk.client.send_sms_code("13900000009", LI["id_number"], LI["name"])
        assert "实名核验服务" in getattr(refused.value, "message", "")
    finally:
        running.stop()


# -- who sees what ---------------------------------------------------------------------------------------------
def test_public_progress_holds_no_personal_data(kiosk: Kiosk, running: Any) -> None:
    approved = application()
    kiosk.submit(approved)
    rejected = application()
    rejected["shareholders"][1].update(person(DISHONEST))
    rejected["signatures"][1]["id_number"] = DISHONEST["id_number"]
    refused = kiosk.submit(rejected)
    assert "PERSON_DISHONEST" in codes(refused) and DISHONEST["name"] in json.dumps(refused, ensure_ascii=False)
    for doc, number in ((approved, kiosk.client.status(approved["application_id"])["acceptance_no"]),
                        (rejected, refused["acceptance_no"])):
        public = requests.get(f"{running.url}/api/v1/progress/{number}", timeout=5)
        page = requests.get(f"{running.url}/p/{number}", timeout=5)
        assert public.status_code == 200 and page.status_code == 200
        text = public.text + page.text
        names = [p["name"] for p in (doc["applicant"]["person"], *doc["shareholders"])]
        numbers = [p["id_number"] for p in (doc["applicant"]["person"], *doc["shareholders"])]
        for secret in [*names, *numbers, doc["applicant"]["person"]["phone"], doc["address"]["text"]]:
            assert secret not in text and secret not in public.content.decode("unicode_escape", "ignore")
        assert "reasons" not in public.json() and "失信" not in text


def test_lookups_by_id_number_need_the_card_here_and_are_limited(tmp_path: Path) -> None:
    running = start_platform(tmp_path, lookup_per_hour=3)
    try:
        kiosk = Kiosk(running, "YJ-LOOK")
        doc = application()
        kiosk.submit(doc)
        number = doc["applicant"]["person"]["id_number"]
        elsewhere = Kiosk(running, "YJ-ELSEWHERE")
        kiosk.client.card_read(number)
        with pytest.raises(PlatformRefused):  # the card was read at the other kiosk
            elsewhere.client.lookup(number)
        answers = []
        for _ in range(4):
            try:
                answers.append(len(kiosk.client.lookup(number)))
            except Exception as exc:
                answers.append(getattr(exc, "status", 0))
        assert answers == [1, 1, 1, 429]
        logged = [a["action"] for a in running.platform.audit_log(100)]
        assert logged.count("lookup") == 3 and "lookup.limited" in logged and "lookup.refused" in logged
    finally:
        running.stop()


# -- people who run the platform ---------------------------------------------------------------------------------
def test_sign_in_lockout_session_expiry_and_the_audit_page(running: Any) -> None:
    admin = staff(running, "admin", "admin-a")
    operator = staff(running, "operator", "operator-a")
    bad = [requests.post(running.url + "/api/v1/session", json={"username": "operator-a", "password": "wrong!"},
                         timeout=5).status_code for _ in range(5)]
    assert bad == [401] * 5
    locked = requests.post(running.url + "/api/v1/session",
                           json={"username": "operator-a", "password": "correct horse battery"}, timeout=5)
    assert locked.status_code == 401 and "锁定" in locked.json()["message"]  # even the right password now
    assert operator.get(running.url + "/api/v1/kiosks", timeout=5).status_code == 200  # a live session stays
    assert operator.get(running.url + "/audit", timeout=5).status_code == 403  # not an administrator
    page = admin.get(running.url + "/audit", timeout=5)
    assert page.status_code == 200 and "account.sign_in_refused" in page.text
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert header in page.headers
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    from service.models import SignIn, utcnow

    with running.platform.store.write() as s:
        s.query(SignIn).update({"expires_at": utcnow()})
    assert admin.get(running.url + "/api/v1/audit", timeout=5).status_code == 401  # sessions expire
    signin = requests.get(running.url + "/fleet", headers={"Accept": "text/html"}, timeout=5)
    assert signin.url.endswith("/signin?next=/fleet") and "登录" in signin.text


def test_the_audit_log_records_and_cannot_be_rewritten(running: Any, kiosk: Kiosk) -> None:
    doc = application()
    kiosk.submit(doc)
    entries = running.platform.audit_log(500)
    assert any(e["action"] == "application.decided" and e["target"] == doc["application_id"]
               and e["actor"] == "kiosk:YJ-SEC-01" for e in entries)
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    for statement in ("UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"):
        with pytest.raises(DatabaseError):
            with running.platform.store.write() as s:
                s.execute(text(statement))
    whole = json.dumps(entries, ensure_ascii=False, default=str)
    assert doc["applicant"]["person"]["id_number"] not in whole and doc["applicant"]["person"]["name"] not in whole


def test_enrolment_from_the_command_line_is_audited(tmp_path: Path) -> None:
    from service.contract.signing import load_or_create_key

    data = tmp_path / "platform"
    load_or_create_key(tmp_path / "k.key")
    yzt = str(Path(sys.executable).parent / "yzt")
    env = {**os.environ, "YZT_IDENTITY": "simulated"}
    done = subprocess.run([yzt, "platform", "enrol", "YJ-CLI-1", str(tmp_path / "k.pub.pem"), "--data", str(data)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert (data / "kiosks" / "YJ-CLI-1.pub.pem").exists()
    listed = subprocess.run([yzt, "platform", "kiosks", "--data", str(data)], capture_output=True, text=True,
                            timeout=60)
    assert "YJ-CLI-1" in listed.stdout
    account = subprocess.run([yzt, "platform", "account", "add", "li.reviewer", "--role", "reviewer",
                              "--password-stdin", "--data", str(data)], input="short\n", capture_output=True,
                             text=True, timeout=60)
    assert account.returncode == 2 and "12" in account.stderr
    account = subprocess.run([yzt, "platform", "account", "add", "li.reviewer", "--role", "reviewer",
                              "--password-stdin", "--data", str(data)], input="a long enough pass\n",
                             capture_output=True, text=True, timeout=60)
    assert account.returncode == 0, account.stderr
    audit = subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(list(sqlite3.connect(sys.argv[1])"
                            ".execute('select actor, action, target from audit')))", str(data / "platform.db")],
                           capture_output=True, text=True, timeout=30)
    assert "'kiosk.enrol', 'YJ-CLI-1'" in audit.stdout and "'account.add', 'li.reviewer'" in audit.stdout


# -- data at rest ---------------------------------------------------------------------------------------------------
def test_the_database_holds_no_phone_address_name_or_id_number_in_clear(running: Any, kiosk: Kiosk) -> None:
    docs = [application() for _ in range(3)]
    for d in docs:
        d["applicant"]["person"]["address"] = "广东省阳江市江城区秘密路99号"
        kiosk.submit(d)
    db = running.platform.settings.platform_dir / "platform.db"
    folder = db.parent
    running.platform.store.engine.dispose()  # checkpoint nothing away: read the files as they are
    blob = b"".join(p.read_bytes() for p in folder.glob("platform.db*"))
    for d in docs:
        p = d["applicant"]["person"]
        for secret in (p["phone"], p["id_number"], p["name"], p["address"], d["shareholders"][1]["name"]):
            for encoding in ("utf-8", "utf-16-le", "gb18030"):
                assert secret.encode(encoding) not in blob, (secret, encoding)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    with running.platform.store.read() as s:
        from sqlalchemy import text

        assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL


def test_rejected_documents_are_purged_after_the_retention_period(running: Any, kiosk: Kiosk) -> None:
    doc = application()
    doc["name"]["trade_name"] = "华信"
    doc["name"]["full"] = "阳江市华信科技有限公司"
    decision = kiosk.submit(doc)
    assert decision["decision"] == "rejected"
    from datetime import timedelta

    from service.models import Application, utcnow

    assert running.platform.purge() == 0 or True
    with running.platform.store.write() as s:
        s.query(Application).filter_by(application_id=doc["application_id"]).update(
            {"received_at": utcnow() - timedelta(days=running.platform.settings.purge_after_days + 1)})
    assert running.platform.purge() >= 1
    with running.platform.store.read() as s:
        row = s.get(Application, doc["application_id"])
        assert row.document is None and row.decision == "rejected" and row.purged_at is not None


# -- input hygiene -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("trade, code", [("星<script>", "NAME_FORMAT"), ("阳江", "NAME_TRADE_IS_REGION"),
                                         ("江城", "NAME_TRADE_IS_REGION"), ("ABC", "NAME_FORMAT"),
                                         ("星 河", "NAME_FORMAT")])
def test_trade_names_of_markup_symbols_or_regions_are_refused(kiosk: Kiosk, trade: str, code: str) -> None:
    doc = application()
    doc["name"].update(trade_name=trade, full=f"阳江市{trade}科技有限公司")
    assert code in codes(kiosk.submit(doc))
    assert code in {r["code"] for r in kiosk.client.check_name("阳江市", trade, "科技", "有限公司")["reasons"]}


def test_near_misses_of_the_name_rules_pass(kiosk: Kiosk) -> None:
    near = kiosk.client.check_name("阳江市", "阳江湾", "科技", "有限公司")  # contains a region, is not one
    assert "NAME_TRADE_IS_REGION" not in {r["code"] for r in near["reasons"]}


def test_heartbeats_are_bounded_in_size_and_shape(running: Any, kiosk: Kiosk) -> None:
    huge = {"site": "x", "status": {"health": "ok", "devices": {f"d{i}": {"state": "online"} for i in range(50)}}}
    assert kiosk.raw("POST", f"/api/v1/kiosks/{kiosk.kiosk_id}/heartbeat", huge).status_code == 422
    odd = {"site": "x", "status": {"health": "ok", "anything": "x" * 100_000, "devices": {}}}
    assert kiosk.raw("POST", f"/api/v1/kiosks/{kiosk.kiosk_id}/heartbeat", odd).status_code == 204
    with running.platform.store.read() as s:
        from service.models import Kiosk as KioskRow

        assert "anything" not in s.get(KioskRow, kiosk.kiosk_id).status  # unknown keys are dropped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.builds(lambda body: "YZTL1." + elicence.b64url(json.dumps(body).encode()) + ".AAAA",
              st.dictionaries(st.sampled_from(["v", "uscc", "name", "iat", "exp", "kid"]),
                              st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.none(),
                                        st.lists(st.integers(), max_size=3)))),
    st.builds(lambda s: "YZTL1." + s, st.text(alphabet="ABCDabcd0123-_.", max_size=120)),
    st.builds(lambda s: "https://x/v/YZTL1." + s, st.text(max_size=60)),
))
def test_no_crafted_licence_code_gives_500(running: Any, code: str) -> None:
    answer = requests.get(running.url + "/api/v1/licences/verify", params={"code": code}, timeout=5)
    assert answer.status_code in (200, 422) and (answer.status_code == 422 or answer.json()["valid"] in (True, False))


def test_the_1e999_licence_is_not_valid_and_not_500(running: Any) -> None:
    body = {"v": 1, "uscc": "91441702MA00000150", "name": "x", "iat": 1e999, "exp": 1e999, "kid": "k"}
    code = "YZTL1." + elicence.b64url(json.dumps(body).encode()) + ".AAAA"
    answer = requests.get(running.url + "/api/v1/licences/verify", params={"code": code}, timeout=5)
    assert answer.status_code == 200 and answer.json()["valid"] is False
    page = requests.get(running.url + "/v/" + code, timeout=5)
    assert page.status_code == 404 and "核验未通过" in page.text


# -- SMS ---------------------------------------------------------------------------------------------------------------
def test_the_log_gateway_masks_the_code_and_the_http_gateway_posts_to_its_url(caplog: Any) -> None:
    import logging
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from service.identity import HttpGateway, LogGateway

    with caplog.at_level(logging.INFO, logger="service.identity"):
        LogGateway().send("13812345678", "【银政通】您的验证码为482913，5分钟内有效。")
    assert "482913" not in caplog.text and "138****5678" in caplog.text
    got: list[dict[str, Any]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append({"auth": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        HttpGateway(f"http://127.0.0.1:{server.server_port}/send", "yzt", "secret").send("13812345678", "hello")
    finally:
        server.shutdown()
    assert got and got[0]["body"] == {"phone": "13812345678", "text": "hello"} and got[0]["auth"].startswith("Basic ")


def test_the_development_sms_endpoint_exists_only_with_its_flag(tmp_path: Path) -> None:
    running = start_platform(tmp_path, dev_sms=False)
    try:
        assert requests.get(running.url + "/api/v1/dev/sms/13800000000", timeout=5).status_code == 404
        assert "/api/v1/dev/sms/{phone}" not in requests.get(running.url + "/openapi.json", timeout=5).json()["paths"]
    finally:
        running.stop()


def test_acceptance_numbers_are_not_guessable_from_one_another() -> None:
    from datetime import date

    key = os.urandom(32)
    numbers = [acceptance.make(date(2026, 12, 1), 12, n, key) for n in range(2000)]
    assert len(set(numbers)) == 2000 and all(acceptance.is_valid(n) and len(n) == 18 for n in numbers)
    tails = [int(n[10:17]) for n in numbers]
    steps = {b - a for a, b in zip(tails, tails[1:])}
    assert len(steps) > 1900  # consecutive visits do not step by a constant
    assert not re.fullmatch(r"\d{17}[\dX]", "x")  # (the pattern the receipt test uses)


def test_kiosk_keys_see_enrolments_and_revocations_at_once_and_rewritten_keys_soon(tmp_path):
    """The key folder is not listed on every request, yet a revocation (however written), a key dropped in
    or removed is seen by the very next one; a key rewritten in place within ``RESCAN_S``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.contract.signing import public_pem, sign_headers
    from service.core.security import AuthError, KioskKeys

    keys = KioskKeys(tmp_path / "kiosks")
    a, b = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()

    def check(kiosk_id, key):
        h = sign_headers(key, kiosk_id, "POST", "/api/v1/x", b"{}")
        return keys.verify(h["X-Kiosk-Id"], h["X-Kiosk-Time"], h["X-Kiosk-Nonce"], h["X-Kiosk-Signature"],
                           "POST", "/api/v1/x", b"{}")

    keys.enrol("k-a", public_pem(a))
    assert check("k-a", a) == "k-a"
    keys.revoke("k-a")
    with pytest.raises(AuthError, match="revoked"):
        check("k-a", a)
    (tmp_path / "kiosks" / "revoked.txt").write_text("")  # an operator's editor, in place
    assert check("k-a", a) == "k-a"
    (tmp_path / "kiosks" / "k-b.pub.pem").write_bytes(public_pem(b))  # dropped in by hand
    assert check("k-b", b) == "k-b"
    (tmp_path / "kiosks" / "k-b.pub.pem").unlink()
    with pytest.raises(AuthError, match="unknown"):
        check("k-b", b)
    # a.pub.pem rewritten in place with b's key: seen at the next full look (made due now)
    with open(tmp_path / "kiosks" / "k-a.pub.pem", "r+b") as fh:
        fh.write(public_pem(b))
    keys._scanned -= keys.RESCAN_S
    with pytest.raises(AuthError):
        check("k-a", a)
    assert check("k-a", b) == "k-a"
