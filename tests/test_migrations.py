"""The platform's database moves from release to release: a database made by release 0.1.0 (its exact
schema, ``tests/data/schema-0.1.0-sqlite.sql``, dumped from that release) is upgraded in place with its
data — personal data sealed on the way — and one made by a newer release is refused in one line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from service.contract import acceptance
from tests.servicehelp import Kiosk, application, start_platform, write_reference

ROOT = Path(__file__).resolve().parent
pytestmark = pytest.mark.timeout(180)


def old_database(path: Path, doc: dict, entity_rep: str) -> None:
    """What release 0.1.0 left behind: its tables, one approved application with its document in clear."""
    db = sqlite3.connect(path)
    db.executescript((ROOT / "data" / "schema-0.1.0-sqlite.sql").read_text(encoding="utf-8"))
    db.execute("INSERT INTO entities (uscc, name, region, trade_name, industry, trade_sound, legal_rep_id, "
               "address_code, source, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
               ("91441702MA00000150", doc["name"]["full"], "阳江市", doc["name"]["trade_name"], "科技", "x",
                entity_rep, doc["address"]["code"], "approved", "2026-05-01 10:00:00"))
    db.execute("INSERT INTO applications (application_id, kiosk_id, mode, entity_type, name_full, submitted_at, "
               "received_at, decision, reasons, uscc, e_license, body_sha256, document, person_keys) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (doc["application_id"], "YJ-OLD-01", "full_chain", "llc", doc["name"]["full"],
                "2026-05-01 10:00:00", "2026-05-01 10:00:01", "approved",
                json.dumps([{"code": "SCOPE_POST_PERMIT", "severity": "notice", "field": "business_scope[0]",
                             "message": "许可项目"}]), "91441702MA00000150", "YZTL1.x.y", "0" * 64,
                json.dumps(doc, ensure_ascii=False), " oldkey "))
    db.execute("INSERT INTO items (application_id, service, status, params, detail, reference, attempts, "
               "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
               (doc["application_id"], "seal", "done", json.dumps({"shop": "诚信刻章店"}, ensure_ascii=False),
                "已办结", "SEA-1", 1, "2026-05-01 10:00:01", "2026-05-01 11:00:00"))
    db.execute("INSERT INTO counters (name, value) VALUES ('uscc', 150)")
    db.commit()
    db.close()


def test_a_release_0_1_0_database_is_upgraded_in_place(tmp_path: Path) -> None:
    doc = application()
    doc["applicant"]["person"]["address"] = "广东省阳江市江城区旧址路1号"
    rep = doc["officers"]["legal_representative"]["id_number"]
    data = tmp_path / "platform"
    data.mkdir()
    old_database(data / "platform.db", doc, rep)
    running = start_platform(tmp_path, platform_dir=data)
    try:
        assert running.platform.schema == "upgraded from r0001"
        kiosk = Kiosk(running, "YJ-OLD-01")
        kept = kiosk.client.status(doc["application_id"])
        assert kept["decision"] == "approved" and kept["uscc"] == "91441702MA00000150"
        assert acceptance.is_valid(kept["acceptance_no"]) and [i["service"] for i in kept["items"]] == ["seal"]
        assert [r["code"] for r in kept["reasons"]] == ["SCOPE_POST_PERMIT"]
        # the registry still knows the company, and its legal representative by keyed hash
        again = application(trade=doc["name"]["trade_name"])
        assert "NAME_DUPLICATE" in {r["code"] for r in kiosk.submit(again)["reasons"]}
        with running.platform.store.read() as s:
            from service.models import Entity

            entity = s.query(Entity).filter_by(uscc="91441702MA00000150").one()
            assert entity.legal_rep_key == running.platform.keys.person_key(rep) and entity.status == "active"
        # a new approval continues the old serials
        fresh = kiosk.submit(application())
        assert fresh["decision"] == "approved" and fresh["uscc"] != "91441702MA00000150"
    finally:
        running.stop()
    blob = b"".join(p.read_bytes() for p in data.glob("platform.db*"))
    person = doc["applicant"]["person"]
    for secret in (person["id_number"], person["name"], person["phone"], person["address"]):
        assert secret.encode() not in blob, secret  # sealed by the upgrade, and the old pages zeroed


def test_a_database_of_a_newer_release_is_refused_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "platform"
    running = start_platform(tmp_path, platform_dir=data)
    running.stop()
    db = sqlite3.connect(data / "platform.db")
    db.execute("UPDATE alembic_version SET version_num = 'r9999'")
    db.commit()
    db.close()
    done = subprocess.run([sys.executable, "-m", "service.contract.cli", "service", "--data", str(data),
                           "--reference", str(write_reference(tmp_path / "ref")), "--port", "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "r9999" in lines[0] and "newer release" in lines[0] and "Traceback" not in done.stderr


def test_tables_of_something_else_are_not_taken_for_a_platform(tmp_path: Path) -> None:
    data = tmp_path / "platform"
    data.mkdir()
    db = sqlite3.connect(data / "platform.db")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()
    from service.core.migrate import SchemaError

    with pytest.raises(SchemaError, match="not made by this platform"):
        start_platform(tmp_path, platform_dir=data)
