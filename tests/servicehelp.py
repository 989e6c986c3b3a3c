"""Shared by the platform tests: a small reference folder with known cases, applications, a live server."""

from __future__ import annotations

import copy
import itertools
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from service.contract.ids import make_id
from service.contract.uscc import make as make_uscc

CHINA = timezone(timedelta(hours=8))
TODAY = datetime.now(CHINA).date()

# people (valid GB 11643 numbers)
ZHANG = {"name": "张伟明", "id_number": make_id("441702", date(1985, 4, 12), 31)}
LI = {"name": "李秀英", "id_number": make_id("441702", date(1990, 9, 3), 42)}
CHEN = {"name": "陈国强", "id_number": make_id("441704", date(1978, 1, 20), 13)}
MINOR = {"name": "王小明", "id_number": make_id("441702", TODAY.replace(year=TODAY.year - 16) if
                                              not (TODAY.month == 2 and TODAY.day == 29) else date(TODAY.year - 16, 3, 1), 15)}
DISHONEST = {"name": "王失信", "id_number": make_id("441702", date(1980, 6, 1), 57)}
BUSY = {"name": "赵多企", "id_number": make_id("441702", date(1975, 3, 15), 31)}

ADDRESS_OK = "441702000001"
ADDRESS_NEGATIVE = "441702000002"
ADDRESS_CROWDED = "441702000003"
SCOPE_NONE, SCOPE_PRE, SCOPE_POST = "I6511-001", "O7271-001", "H6210-001"

FRESH_ADDRESSES = 2000
_addresses = itertools.cycle(range(FRESH_ADDRESSES))
_CHARS = "鑫瑞泰丰源宏达盛隆昌兴嘉旺福润"
_names = (a + b + c for a, b, c in itertools.product(_CHARS, repeat=3))


_people = itertools.count(1)
_phones = itertools.count(13900000000)


def fresh_phone() -> str:
    return str(next(_phones))


def fresh_person(name: str = "张伟明") -> dict[str, str]:
    """Someone who represents no entity yet (approvals make their legal representatives busy)."""
    n = next(_people)
    return {"name": name, "id_number": make_id("441781", date(1960 + n % 40, 1 + n % 12, 1 + n % 28), n % 1000)}


def fresh_address() -> dict[str, str]:
    """A standard address with room left (every approval registers one more entity at its address)."""
    i = next(_addresses)
    return {"code": str(441702100000 + i), "text": f"广东省阳江市江城区南恩路{i + 1}号"}


def unique_trade() -> str:
    """A trade name no other test in this run uses (approvals register their names)."""
    return next(_names)


def write_reference(folder: Path) -> Path:
    """The known cases every rule test relies on."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "divisions.csv").write_text("code,name,parent\n441700,阳江市,\n441702,江城区,441700\n"
                                          "441704,阳东区,441700\n", encoding="utf-8")
    (folder / "addresses.csv").write_text(
        "code,division,text,negative,street,building,unit\n"
        f"{ADDRESS_OK},441702,广东省阳江市江城区东风二路88号华润大厦1201室,0,东风二路,88号华润大厦,1201室\n"
        f"{ADDRESS_NEGATIVE},441702,广东省阳江市江城区漠阳江饮用水源保护区1号,1,漠阳江路,1号,\n"
        f"{ADDRESS_CROWDED},441702,广东省阳江市江城区创业孵化基地集群注册,0,新江北路,创业孵化基地,集群注册\n"
        "441704000001,441704,广东省阳江市阳东区东城镇东华路8号,0,东华路,8号,\n"
        + "".join(f"{441702100000 + i},441702,广东省阳江市江城区南恩路{i + 1}号,0,南恩路,{i + 1}号,\n"
                  for i in range(FRESH_ADDRESSES)), encoding="utf-8")
    (folder / "scopes.csv").write_text(
        "code,text,permit,category,keywords\n"
        f"{SCOPE_NONE},软件开发,none,信息技术,软件 编程\n"
        f"{SCOPE_PRE},保安服务,pre,商务服务,保安\n"
        f"{SCOPE_POST},餐饮服务,post,住宿和餐饮业,饭店 餐馆\n"
        "F5211-001,日用百货销售,none,批发和零售业,百货\n"
        "M7320-001,技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广,none,科学研究和技术服务业,技术\n",
        encoding="utf-8")
    rows = ["uscc,name,region,trade_name,industry,legal_rep_id,address_code"]
    serial = itertools.count(900000)

    def entity(trade: str, industry: str, rep: str, address: str) -> None:
        rows.append(f"{make_uscc('441702', next(serial))},阳江市{trade}{industry}有限公司,阳江市,{trade},{industry},"
                    f"{rep},{address}")

    entity("华信", "科技", CHEN["id_number"], "441704000001")
    for i in range(10):
        entity(f"聚集{i}", "贸易", CHEN["id_number"], ADDRESS_CROWDED)
    for i in range(5):
        entity(f"多企{i}", "咨询", BUSY["id_number"], "441704000001")
    (folder / "entities.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "dishonest.csv").write_text(f"id_number,name\n{DISHONEST['id_number']},{DISHONEST['name']}\n",
                                          encoding="utf-8")
    (folder / "prohibited_words.txt").write_text("中国\n国家\n赌\n", encoding="utf-8")
    return folder


def person(p: dict[str, str]) -> dict[str, Any]:
    return {"name": p["name"], "id_type": "resident_id", "id_number": p["id_number"]}


def application(trade: str | None = None, **changes: Any) -> dict[str, Any]:
    """A two-shareholder LLC, full chain, that the rules approve; ``changes`` replace top-level keys."""
    trade = trade or unique_trade()
    rep = fresh_person()
    now = datetime.now(CHINA).replace(microsecond=0)
    deadline = (TODAY + timedelta(days=3 * 365)).isoformat()
    doc: dict[str, Any] = {
        "application_id": str(uuid.uuid4()),
        "kiosk_id": "YJ-TEST-01",
        "entity_type": "llc",
        "mode": "full_chain",
        "submitted_at": now.isoformat(),
        "name": {"region": "阳江市", "trade_name": trade, "industry": "科技", "form": "有限公司",
                 "full": f"阳江市{trade}科技有限公司"},
        "address": fresh_address(),
        "business_scope": [{"code": SCOPE_NONE, "text": "软件开发"}],
        "registered_capital_cny": 1_000_000,
        "shareholders": [
            {**person(rep), "subscribed_cny": 600_000, "contribution_deadline": deadline},
            {**person(LI), "subscribed_cny": 400_000, "contribution_deadline": deadline},
        ],
        "officers": {"legal_representative": person(rep), "directors": [person(rep)], "managers": [person(rep)],
                     "supervisor": person(LI), "finance_officer": person(rep)},
        "applicant": {"person": {**person(rep), "phone": fresh_phone()},
                      "verification": {"card_read": True, "card_valid_to": "2035-01-01", "liveness_passed": True,
                                       "face_match_score": 0.93, "face_match_threshold": 0.8, "phone_verified": True,
                                       "verified_at": now.isoformat()}},
        "linked_services": {"seal": {"shop": "阳江市江城区诚信刻章店", "kinds": ["公章", "财务专用章"]},
                            "tax": {"invoice_kinds": ["增值税普通发票"], "ukey": True},
                            "social_insurance": {"employees": []},
                            "housing_fund": {"deposit_ratio_percent": 5},
                            "bank_account": {"bank": "中国工商银行", "branch": "阳江分行"}},
        "signatures": [{"id_number": rep["id_number"], "signed_at": now.isoformat()},
                       {"id_number": LI["id_number"], "signed_at": now.isoformat()}],
    }
    doc.update(copy.deepcopy(changes))
    return doc


def codes(decision: dict[str, Any]) -> set[str]:
    return {r["code"] for r in decision["reasons"]}


def start_platform(tmp: Path, **settings: Any) -> Any:
    """A real platform on a loopback port over its own SQLite file and the known reference cases:
    secure as shipped (kiosks must sign), with the simulated identity provider and the dev SMS endpoint."""
    from service.core.settings import Settings
    from service.server import serve_in_thread

    options: dict[str, Any] = {"platform_dir": tmp / "platform", "reference_dir": write_reference(tmp / "reference"),
                               "dispatch_scale": 0.002, "dispatch_tick_s": 0.05, "dev_sms": True, "identity": "simulated",
                               "sms_cooldown_s": 0, "rate_per_s": 10_000.0, "rate_burst": 10_000}
    options.update(settings)
    return serve_in_thread(Settings(**options))


JPEG = b""


def live_image() -> bytes:
    """A camera frame as the kiosk sends it (JPEG, 640×480)."""
    global JPEG
    if not JPEG:
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (640, 480), (120, 110, 100)).save(out, "JPEG")
        JPEG = out.getvalue()
    return JPEG


def prove_with(client: Any, doc: dict[str, Any], face: bool = True, phone: bool = True) -> dict[str, Any]:
    """Do the identity steps at the platform for the applicant, as the kiosk does; the proofs go in."""
    person = doc["applicant"]["person"]
    v = doc["applicant"]["verification"]
    if phone:
        client.send_sms_code(person["phone"], person["id_number"], person["name"])
        code = client.dev_sms_code(person["phone"])
        v["phone_verification_id"] = client.verify_sms_code(person["phone"], code or "", person["id_number"])
    if face:
        answer = client.verify_face(person["id_number"], person["name"], live_image())
        v["face_verification_id"] = answer.get("verification_id")
    return doc


class Kiosk:
    """An enrolled kiosk as the platform meets one: its own Ed25519 key, the product's own client."""

    def __init__(self, running: Any, kiosk_id: str = "YJ-TEST-01", folder: Path | None = None) -> None:
        from kiosk.platform_client import PlatformClient
        from service.contract.signing import load_or_create_key, public_pem
        from service.core.security import KioskKeys

        folder = folder or running.platform.settings.platform_dir / "test-kiosks"
        self.kiosk_id, self.url = kiosk_id, running.url
        self.key = load_or_create_key(folder / f"{kiosk_id}.key")
        KioskKeys(running.platform.settings.kiosks).enrol(kiosk_id, public_pem(self.key))
        self.client = PlatformClient(running.url, kiosk_id=kiosk_id, signing_key=self.key, retries=0)

    def prove(self, doc: dict[str, Any], face: bool = True, phone: bool = True) -> dict[str, Any]:
        return prove_with(self.client, doc, face, phone)

    def submit(self, doc: dict[str, Any], prove: bool = True) -> dict[str, Any]:
        return self.client.submit(self.prove(doc) if prove else doc)

    def raw(self, method: str, path: str, body: Any = None, sign: bool = True, tamper: dict[str, Any] | None = None,
            **kw: Any) -> Any:
        """A request signed (or not) by hand, for what a stranger on the network would try."""
        import json

        import requests

        from service.contract.signing import sign_headers

        data = b"" if body is None else (body if isinstance(body, bytes) else
                                         json.dumps(body, ensure_ascii=False).encode())
        headers = {"Content-Type": "application/json"}
        if sign:
            headers.update(sign_headers(self.key, self.kiosk_id, method, path, data, **(tamper or {})))
        headers.update(kw.pop("headers", {}))
        return requests.request(method, self.url + path, data=data or None, headers=headers, timeout=10, **kw)


def staff(running: Any, role: str, username: str | None = None) -> Any:
    """A signed-in person of the platform (an account made as ``yzt platform account add`` makes one)."""
    import requests

    from service.core.security import hash_password
    from service.models import Account

    username = username or f"{role}-{uuid.uuid4().hex[:6]}"
    with running.platform.store.write() as s:
        s.add(Account(username=username, display_name=username, role=role, failures=0, disabled=False,
                      password_hash=hash_password("correct horse battery")))
    session = requests.Session()
    answer = session.post(running.url + "/api/v1/session", json={"username": username,
                                                                 "password": "correct horse battery"}, timeout=10)
    answer.raise_for_status()
    session.headers["X-CSRF-Token"] = answer.json()["csrf"]
    session.username = username  # type: ignore[attr-defined]
    return session
