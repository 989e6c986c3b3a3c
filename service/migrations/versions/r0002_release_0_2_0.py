"""Release 0.2.0: personal data sealed, acceptance numbers, the company's life, accounts and audit.

Revision ID: r0002
Revises: r0001

Data moves with it: every application gets a platform acceptance number, its document and reasons
are sealed with the platform's data key, entities are found by keyed hashes of their legal
representatives' numbers instead of the numbers, linked-item answers are sealed too.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def _keys() -> Any:
    config = op.get_context().config
    assert config is not None, "the platform runs its migrations with its keys (service.core.migrate)"
    return config.attributes["keys"]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _people(doc: dict[str, Any]) -> list[str]:
    numbers = [((doc.get("applicant") or {}).get("person") or {}).get("id_number")]
    officers = doc.get("officers") or {}
    numbers.append((officers.get("legal_representative") or {}).get("id_number"))
    numbers += [s.get("id_number") for s in doc.get("shareholders") or []]
    return [n for n in numbers if n]


def upgrade() -> None:
    keys = _keys()
    bind = op.get_bind()

    # -- new tables ------------------------------------------------------------------------------
    op.create_table("entity_events",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("uscc", sa.String(18), nullable=False, index=True),
                    sa.Column("at", UTC, nullable=False),
                    sa.Column("effective_on", sa.Date()),
                    sa.Column("kind", sa.String(30), nullable=False),
                    sa.Column("application_id", sa.String(36)),
                    sa.Column("summary", sa.JSON(), nullable=False))
    op.create_table("former_names",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("uscc", sa.String(18), nullable=False, index=True),
                    sa.Column("region", sa.String(60), nullable=False),
                    sa.Column("trade_name", sa.String(60), nullable=False),
                    sa.Column("industry", sa.String(60), nullable=False),
                    sa.Column("released_on", sa.Date(), nullable=False),
                    sa.Column("investor_keys", sa.Text(), nullable=False))
    op.create_index("ix_former_name", "former_names", ["region", "trade_name", "industry"])
    op.create_table("nonces",
                    sa.Column("kiosk_id", sa.String(80), primary_key=True),
                    sa.Column("nonce", sa.String(64), primary_key=True),
                    sa.Column("seen_at", UTC, nullable=False, index=True))
    op.create_table("verifications",
                    sa.Column("id", sa.String(64), primary_key=True),
                    sa.Column("kind", sa.String(10), nullable=False),
                    sa.Column("person_key", sa.String(32), nullable=False, index=True),
                    sa.Column("phone_key", sa.String(64), nullable=False),
                    sa.Column("score", sa.Float()),
                    sa.Column("kiosk_id", sa.String(80), nullable=False),
                    sa.Column("created_at", UTC, nullable=False),
                    sa.Column("expires_at", UTC, nullable=False),
                    sa.Column("used_by", sa.String(36)))
    op.create_table("lookups",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("kiosk_id", sa.String(80), nullable=False, index=True),
                    sa.Column("person_key", sa.String(32), nullable=False, index=True),
                    sa.Column("at", UTC, nullable=False, index=True))
    op.create_table("card_reads",
                    sa.Column("kiosk_id", sa.String(80), primary_key=True),
                    sa.Column("person_key", sa.String(32), primary_key=True),
                    sa.Column("at", UTC, nullable=False))
    op.create_table("accounts",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("username", sa.String(60), nullable=False, unique=True),
                    sa.Column("display_name", sa.String(80), nullable=False),
                    sa.Column("role", sa.String(20), nullable=False),
                    sa.Column("password_hash", sa.String(200), nullable=False),
                    sa.Column("failures", sa.Integer(), nullable=False),
                    sa.Column("locked_until", UTC),
                    sa.Column("disabled", sa.Boolean(), nullable=False),
                    sa.Column("created_at", UTC, nullable=False))
    op.create_table("sign_ins",
                    sa.Column("token_hash", sa.String(64), primary_key=True),
                    sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
                    sa.Column("created_at", UTC, nullable=False),
                    sa.Column("expires_at", UTC, nullable=False),
                    sa.Column("csrf", sa.String(64), nullable=False))
    op.create_table("audit",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("at", UTC, nullable=False, index=True),
                    sa.Column("actor", sa.String(100), nullable=False),
                    sa.Column("action", sa.String(40), nullable=False, index=True),
                    sa.Column("target", sa.String(100), nullable=False),
                    sa.Column("detail", sa.JSON(), nullable=False),
                    sa.Column("address", sa.String(64), nullable=False))
    op.create_table("ratings",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("kiosk_id", sa.String(80), nullable=False, index=True),
                    sa.Column("journey", sa.String(30), nullable=False),
                    sa.Column("level", sa.Integer(), nullable=False),
                    sa.Column("reasons", sa.JSON(), nullable=False),
                    sa.Column("at", UTC, nullable=False))
    op.create_table("help_requests",
                    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column("kiosk_id", sa.String(80), nullable=False, index=True),
                    sa.Column("step", sa.String(40), nullable=False),
                    sa.Column("at", UTC, nullable=False),
                    sa.Column("answered_at", UTC),
                    sa.Column("answered_by", sa.String(60)))
    # the audit log is append-only in the database itself, whatever code runs against it
    if bind.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()")

    # -- applications: acceptance numbers, sealed documents and reasons ---------------------------
    with op.batch_alter_table("applications") as t:
        for column in (sa.Column("acceptance_no", sa.String(18)), sa.Column("kind", sa.String(20)),
                       sa.Column("region", sa.String(60)), sa.Column("trade_name", sa.String(60)),
                       sa.Column("industry", sa.String(60)), sa.Column("applicant_key", sa.String(32)),
                       sa.Column("reason_codes", sa.Text()), sa.Column("reasons_sealed", sa.LargeBinary()),
                       sa.Column("document_sealed", sa.LargeBinary()), sa.Column("review_sealed", sa.LargeBinary()),
                       sa.Column("effective_on", sa.Date()), sa.Column("announcement_until", sa.Date()),
                       sa.Column("lifecycle_state", sa.String(20)), sa.Column("purged_at", UTC)):
            t.add_column(column)
    apps = sa.table("applications", sa.column("received_at", sa.DateTime()), *(sa.column(c) for c in (
        "application_id", "document", "reasons", "review_comment", "acceptance_no", "kind", "region",
        "trade_name", "industry", "applicant_key", "reason_codes", "reasons_sealed", "document_sealed",
        "review_sealed", "lifecycle_state", "person_keys")))
    from service.contract import acceptance

    rows = bind.execute(sa.select(apps.c.application_id, apps.c.document, apps.c.reasons, apps.c.review_comment,
                                  apps.c.received_at)).all()
    for serial, row in enumerate(rows):
        doc = _json(row.document) or {}
        reasons = _json(row.reasons) or []
        name = doc.get("name") or {}
        applicant = ((doc.get("applicant") or {}).get("person") or {}).get("id_number")
        day = row.received_at.date() if row.received_at else date.today()
        people = {keys.person_key(n) for n in _people(doc)}
        bind.execute(apps.update().where(apps.c.application_id == row.application_id).values(
            acceptance_no=acceptance.make(day, acceptance.PLATFORM_NUMBER, serial, keys.acceptance),
            kind="establishment", region=name.get("region", ""), trade_name=name.get("trade_name", ""),
            industry=name.get("industry", ""), applicant_key=keys.person_key(applicant) if applicant else "",
            reason_codes=",".join(r.get("code", "") for r in reasons),
            reasons_sealed=keys.seal(reasons, row.application_id + ":reasons"),
            document_sealed=keys.seal(doc, row.application_id),
            review_sealed=keys.seal(row.review_comment, row.application_id + ":review")
            if row.review_comment else None,
            lifecycle_state="", person_keys=" " + " ".join(sorted(people)) + " "))
    if rows:
        counters = sa.table("counters", sa.column("name"), sa.column("value"))
        bind.execute(counters.insert().values(name=f"acceptance:{date.today():%y%m%d}", value=len(rows)))
    with op.batch_alter_table("applications") as t:
        t.drop_column("document")
        t.drop_column("reasons")
        t.drop_column("review_comment")
        t.alter_column("document_sealed", new_column_name="document")
        t.alter_column("acceptance_no", nullable=False)
        for name in ("kind", "region", "trade_name", "industry", "applicant_key", "reason_codes", "lifecycle_state"):
            t.alter_column(name, nullable=False, server_default="")
        t.create_unique_constraint("uq_application_acceptance_no", ["acceptance_no"])
        t.create_index("ix_applications_uscc", ["uscc"])
        t.create_index("ix_applications_applicant_key", ["applicant_key"])
        t.create_index("ix_application_name", ["region", "trade_name", "industry", "applicant_key"])

    # -- entities: keyed legal representatives, status, the live-name index ------------------------
    with op.batch_alter_table("entities") as t:
        for entity_column in (sa.Column("legal_rep_key", sa.String(32)), sa.Column("entity_type", sa.String(30)),
                       sa.Column("status", sa.String(20)), sa.Column("name_live", sa.Integer()),
                       sa.Column("established_on", sa.Date()), sa.Column("deregistered_on", sa.Date()),
                       sa.Column("investor_keys", sa.Text()), sa.Column("state", sa.LargeBinary()),
                       sa.Column("updated_at", UTC)):
            t.add_column(entity_column)
    entities = sa.table("entities", sa.column("created_at", sa.DateTime()), sa.column("updated_at", sa.DateTime()),
                        *(sa.column(c) for c in ("id", "uscc", "legal_rep_id", "legal_rep_key", "entity_type",
                                                 "status", "name_live", "investor_keys")))
    for ent in bind.execute(sa.select(entities.c.id, entities.c.uscc, entities.c.legal_rep_id,
                                      entities.c.created_at)).all():
        bind.execute(entities.update().where(entities.c.id == ent.id).values(
            legal_rep_key=keys.person_key(ent.legal_rep_id) if ent.legal_rep_id else "",
            entity_type="individual_business" if ent.uscc[:2] == "92" else "llc", status="active", name_live=1,
            investor_keys="", updated_at=ent.created_at))
    with op.batch_alter_table("entities") as t:
        t.drop_index("ix_entities_legal_rep_id")
        t.drop_column("legal_rep_id")
        t.drop_constraint("uq_entity_name", type_="unique")
        for name in ("legal_rep_key", "entity_type", "status", "investor_keys"):
            t.alter_column(name, nullable=False, server_default="")
        t.alter_column("updated_at", nullable=False)
        t.create_index("ix_entities_legal_rep_key", ["legal_rep_key"])
        t.create_index("ix_entities_status", ["status"])
        t.create_index("uq_entity_live_name", ["region", "trade_name", "industry", "name_live"], unique=True)

    # -- items: sealed answers, actions, dead letters, working-day promises ------------------------
    with op.batch_alter_table("items") as t:
        for item_column in (sa.Column("action", sa.String(20)), sa.Column("uscc", sa.String(18)),
                       sa.Column("params_sealed", sa.LargeBinary()), sa.Column("failures", sa.Integer()),
                       sa.Column("last_error", sa.Text()), sa.Column("dead", sa.Boolean()),
                       sa.Column("notified", sa.String(20))):
            t.add_column(item_column)
        t.alter_column("expected_done_at", new_column_name="expected_by")
    items = sa.table("items", *(sa.column(c) for c in ("id", "application_id", "service", "params", "params_sealed",
                                                       "action", "uscc", "failures", "dead", "notified")))
    usccs: dict[str, str] = dict(bind.execute(sa.select(sa.column("application_id"), sa.column("uscc"))
                              .select_from(sa.table("applications"))).all())
    for it in bind.execute(sa.select(items.c.id, items.c.application_id, items.c.service, items.c.params)).all():
        bind.execute(items.update().where(items.c.id == it.id).values(
            params_sealed=keys.seal(_json(it.params) or {}, f"{it.application_id}:{it.service}"),
            action="open", uscc=usccs.get(it.application_id) or "", failures=0, dead=False, notified=""))
    with op.batch_alter_table("items") as t:
        t.drop_column("params")
        t.alter_column("params_sealed", new_column_name="params")
        for name in ("action", "uscc", "notified"):
            t.alter_column(name, nullable=False, server_default="")
        t.alter_column("failures", nullable=False, server_default="0")
        t.alter_column("dead", nullable=False, server_default=sa.false())
        t.create_index("ix_items_uscc", ["uscc"])
        t.create_index("ix_items_dead", ["dead"])

    # -- kiosks and SMS codes ------------------------------------------------------------------------
    with op.batch_alter_table("kiosks") as t:
        t.add_column(sa.Column("fleet_number", sa.Integer()))
        t.create_unique_constraint("uq_kiosk_fleet_number", ["fleet_number"])
    with op.batch_alter_table("sms_codes") as t:
        t.add_column(sa.Column("person_key", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("the platform's database is upgraded only; restore a backup to go back")
