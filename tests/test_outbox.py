"""The outbox: journalled encrypted before sending, retried with backoff, delivered exactly once."""

import sqlite3
import uuid

import pytest

from kiosk.outbox import Outbox, PermanentRejection
from service.contract.vault import Vault, VaultError

ID = "440102199001011234"


def app_doc():
    return {"application_id": str(uuid.uuid4()), "applicant": {"person": {"name": "王小明", "id_number": ID}}}


@pytest.fixture
def box(tmp_path):
    now = [1000.0]
    ob = Outbox(tmp_path / "outbox.db", Vault(tmp_path / "key"), clock=lambda: now[0], base_delay_s=2)
    ob.now = now
    yield ob
    ob.close()


def test_nothing_personal_in_clear_and_key_private(tmp_path, box):
    box.put(app_doc())
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("outbox.db*"))
    assert ID.encode() not in raw and "王小明".encode() not in raw
    assert (tmp_path / "key").stat().st_mode & 0o077 == 0


def test_retry_with_backoff_then_exactly_once(box):
    doc = app_doc()
    box.put(doc)
    box.put(doc)  # journalled twice by a retrying caller: still one record
    calls = []

    def down(application):
        calls.append(application["application_id"])
        raise ConnectionError("platform down")

    assert box.flush(down) == (0, 1)
    assert box.pending()[0].attempts == 1 and box.due() == []  # waits its backoff
    box.now[0] += 2.1
    assert box.flush(down) == (0, 1)
    box.now[0] += 2.1
    assert box.due() == []  # second backoff is 4 s
    box.now[0] += 2.0

    def up(application):
        calls.append(application["application_id"])
        return {"application_id": application["application_id"], "decision": "approved"}

    assert box.flush(up) == (1, 0)
    assert box.decision(doc["application_id"])["decision"] == "approved"
    assert box.flush(up) == (0, 0) and len(calls) == 3
    # the personal data is gone once delivered
    row = box._db.execute("SELECT sealed FROM outbox").fetchone()
    assert row[0] is None


def test_survives_reopen(tmp_path):
    vault = Vault(tmp_path / "key")
    first = Outbox(tmp_path / "o.db", vault)
    doc = app_doc()
    first.put(doc)
    first._db.close()  # as if the process died here
    second = Outbox(tmp_path / "o.db", Vault(tmp_path / "key"))
    assert [p.application_id for p in second.pending()] == [doc["application_id"]]
    assert second.deliver(doc["application_id"], lambda a: {"decision": "approved", "echo": a["applicant"]["person"]["name"]})["echo"] == "王小明"
    second.close()


def test_permanent_rejection_is_not_retried(box):
    doc = app_doc()
    box.put(doc)

    def refuse(application):
        raise PermanentRejection("422: bad document")

    with pytest.raises(PermanentRejection):
        box.deliver(doc["application_id"], refuse)
    assert box.pending() == [] and box.decision(doc["application_id"])["decision"] == "error"


def test_tampered_or_foreign_records_do_not_decrypt(tmp_path, box):
    doc = app_doc()
    box.put(doc)
    sealed = box._db.execute("SELECT sealed FROM outbox").fetchone()[0]
    with pytest.raises(VaultError):
        Vault(tmp_path / "other-key").open(sealed, doc["application_id"])
    with pytest.raises(VaultError):
        box.vault.open(sealed, "another-id")  # records cannot be swapped between ids
    assert isinstance(box._db, sqlite3.Connection)
