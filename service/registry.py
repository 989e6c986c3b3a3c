"""Questions the approval rules ask of the registered entities, each one indexed query.

The name index is the ``entities`` table itself: (region, trade_name) and (region, trade_sound,
industry) are B-tree indexes, so a name check costs a few index probes whether the city holds a
thousand names or millions (``bench/bench_platform.py`` measures it). Only entities that hold their
name (``name_live``) count as "registered"; a deregistered one, and a name changed away from
(``former_names``), still block it for a year (:data:`service.contract.law.NAME_PROTECTED_AFTER_CANCEL_DAYS`). People are keyed hashes.

Every question is a statement built once, at import, run through :func:`service.core.db.run`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from service.core.db import run
from service.models import Entity, FormerName

_LIVE = Entity.name_live.is_not(None)


_SAME_TRADE = (select(Entity.industry, Entity.name)
               .where(Entity.region == bindparam("region"), Entity.trade_name == bindparam("trade"), _LIVE).limit(50))
_GONE = (select(Entity.uscc, Entity.investor_keys)
         .where(Entity.region == bindparam("region"), Entity.trade_name == bindparam("trade"),
                Entity.industry == bindparam("industry"), Entity.name_live.is_(None),
                Entity.deregistered_on >= bindparam("since")).limit(5))
_RENAMED = (select(FormerName.uscc, FormerName.investor_keys)
            .where(FormerName.region == bindparam("region"), FormerName.trade_name == bindparam("trade"),
                   FormerName.industry == bindparam("industry"), FormerName.released_on >= bindparam("since"))
            .limit(5))
_ALIKE = (select(Entity.name)
          .where(Entity.region == bindparam("region"), Entity.trade_sound == bindparam("sound"),
                 Entity.industry == bindparam("industry"), Entity.trade_name != bindparam("trade"), _LIVE).limit(10))
_TAKEN = (select(Entity.id).where(Entity.region == bindparam("region"), Entity.trade_name == bindparam("trade"),
                                  Entity.industry == bindparam("industry"), _LIVE).limit(1))
_AT = select(func.count()).select_from(Entity).where(Entity.address_code == bindparam("code"), _LIVE)
_REPRESENTED = select(func.count()).select_from(Entity).where(Entity.legal_rep_key == bindparam("person"), _LIVE)
_HOLDS_USCC = select(Entity.id).where(Entity.uscc == bindparam("uscc"))
_BY_USCC = select(Entity).where(Entity.uscc == bindparam("uscc"))


def same_trade_name(session: Session, region: str, trade_name: str) -> list[tuple[str, str]]:
    """(industry, full name) of every entity in ``region`` holding this exact trade name."""
    return [(r[0], r[1]) for r in run(session, _SAME_TRADE, {"region": region, "trade": trade_name})]


def recently_released(session: Session, region: str, trade_name: str, industry: str,
                      since: date) -> list[tuple[str, str]]:
    """(uscc, investor keys) of the companies that gave up this name on or after ``since``: by
    deregistration, or by changing to another name."""
    params = {"region": region, "trade": trade_name, "industry": industry, "since": since}
    return [(r[0], r[1]) for q in (_GONE, _RENAMED) for r in run(session, q, params)]


def sounds_alike(session: Session, region: str, trade_sound: str, industry: str, trade_name: str) -> list[str]:
    """Full names in ``region`` and ``industry`` whose trade name is a homophone (not the same)."""
    return [r[0] for r in run(session, _ALIKE, {"region": region, "sound": trade_sound, "industry": industry,
                                               "trade": trade_name})]


def taken(session: Session, region: str, trade_name: str, industry: str) -> bool:
    return run(session, _TAKEN, {"region": region, "trade": trade_name, "industry": industry}).first() is not None


def entities_at(session: Session, address_code: str) -> int:
    return int(run(session, _AT, {"code": address_code}).scalar_one())


def entities_represented(session: Session, person_key: str) -> int:
    return int(run(session, _REPRESENTED, {"person": person_key}).scalar_one())


def uscc_held(session: Session, uscc: str) -> bool:
    """Whether any entity (a reference one included) holds this USCC."""
    return run(session, _HOLDS_USCC, {"uscc": uscc}).first() is not None


def entity_by_uscc(session: Session, uscc: str) -> Entity | None:
    return session.execute(_BY_USCC, {"uscc": uscc}).scalar_one_or_none()
