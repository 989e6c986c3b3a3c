"""The schema release 0.1.0 made with create_all (before migrations existed).

Revision ID: r0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(36), primary_key=True),
        sa.Column("kiosk_id", sa.String(80), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("entity_type", sa.String(30), nullable=False),
        sa.Column("name_full", sa.String(200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("uscc", sa.String(18)),
        sa.Column("e_license", sa.Text()),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("person_keys", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(80)),
        sa.Column("review_comment", sa.Text()),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_applications_decision", "applications", ["decision"])
    op.create_table("counters", sa.Column("name", sa.String(40), primary_key=True),
                    sa.Column("value", sa.Integer(), nullable=False))
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(60), nullable=False),
        sa.Column("trade_name", sa.String(60), nullable=False),
        sa.Column("industry", sa.String(60), nullable=False),
        sa.Column("trade_sound", sa.String(200), nullable=False),
        sa.Column("legal_rep_id", sa.String(32), nullable=False),
        sa.Column("address_code", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("region", "trade_name", "industry", name="uq_entity_name"),
    )
    op.create_index("ix_entities_address_code", "entities", ["address_code"])
    op.create_index("ix_entities_legal_rep_id", "entities", ["legal_rep_id"])
    op.create_index("ix_entity_sound", "entities", ["region", "trade_sound", "industry"])
    op.create_index("ix_entity_trade", "entities", ["region", "trade_name"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("applications.application_id"), nullable=False),
        sa.Column("service", sa.String(30), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(60), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("expected_done_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("application_id", "service", name="uq_item"),
    )
    op.create_index("ix_item_due", "items", ["status", "due_at"])
    op.create_index("ix_items_application_id", "items", ["application_id"])
    op.create_table(
        "kiosks",
        sa.Column("kiosk_id", sa.String(80), primary_key=True),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.JSON(), nullable=False),
    )
    op.create_table(
        "sms_codes",
        sa.Column("phone_key", sa.String(64), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the platform's database is upgraded only; restore a backup to go back")
