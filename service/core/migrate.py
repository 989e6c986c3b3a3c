"""Bringing a database to the schema this release needs, at every start and before any worker serves.

* an empty database is built by the migrations from the first;
* a database made by release 0.1.0 (``create_all``, no ``alembic_version``) is recognised by its
  tables, stamped as revision ``r0001`` and upgraded in place — its personal data sealed on the way;
* a database at a revision this release does not know (made by a newer release) is refused with
  one line: :class:`SchemaError`.

Several workers may start at once: on PostgreSQL the upgrade holds an advisory lock, so one
migrates and the others wait and then find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from service.core.keys import PlatformKeys

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
RELEASE_0_1_0_TABLES = {"applications", "counters", "entities", "items", "kiosks", "sms_codes"}
_LOCK_ID = 7_254_911  # pg_advisory_lock key of the platform's migrations


class SchemaError(RuntimeError):
    """The database cannot be brought to this release's schema (one line for the operator)."""


def _config(connection: Connection, keys: PlatformKeys) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes["keys"] = keys
    return cfg


def head() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    found = script.get_current_head()
    assert found is not None
    return found


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, keys: PlatformKeys) -> str:
    """Upgrade to this release's head; returns what was done (``created``, ``upgraded from X``, ``current``)."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_ID})
        if connection.dialect.name == "sqlite":  # batch migrations rebuild tables that others reference
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            return _upgrade(connection, keys)
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_ID})
            connection.commit()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def _upgrade(connection: Connection, keys: PlatformKeys) -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    target = head()
    at = current(connection)
    tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    cfg = _config(connection, keys)
    if at is None and tables:
        if not RELEASE_0_1_0_TABLES <= tables:
            raise SchemaError(f"the database holds tables {', '.join(sorted(tables))} but no schema version: "
                              "it was not made by this platform; use an empty database")
        command.stamp(cfg, "r0001")
        connection.commit()
        at = "r0001"
    if at is not None and at not in known:
        raise SchemaError(f"the database is at schema {at}, which this release does not know "
                          f"(it knows up to {target}): it was made by a newer release; install that release")
    if at == target:
        return "current"
    command.upgrade(cfg, "head")
    connection.commit()
    return "created" if at is None else f"upgraded from {at}"
