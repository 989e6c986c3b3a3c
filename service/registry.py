"""Questions the approval rules ask of the registered entities, each one indexed query.

The name index is the ``entities`` table itself: (region, trade_name) and (region, trade_sound,
industry) are B-tree indexes, so a name check costs a few index probes whether the city holds a
thousand names or millions (``bench/bench_platform.py`` measures it). Only entities that hold their
name (``name_live``) count as "registered"; a deregistered one, and a name changed away from
(``former_names``), still block it for a year (:data:`service.contract.law.NAME_PROTECTED_AFTER_CANCEL_DAYS`). People are keyed hashes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Entity, FormerName

_LIVE = Entity.name_live.is_not(None)


def same_trade_name(session: Session, region: str, trade_name: str) -> list[tuple[str, str]]:
    """(industry, full name) of every entity in ``region`` holding this exact trade name."""
    rows = session.execute(select(Entity.industry, Entity.name)
                           .where(Entity.region == region, Entity.trade_name == trade_name, _LIVE).limit(50))
    return [(r[0], r[1]) for r in rows]


def recently_released(session: Session, region: str, trade_name: str, industry: str,
                      since: date) -> list[tuple[str, str]]:
    """(uscc, investor keys) of the companies that gave up this name on or after ``since``: by
    deregistration, or by changing to another name."""
    gone = session.execute(select(Entity.uscc, Entity.investor_keys).where(
        Entity.region == region, Entity.trade_name == trade_name, Entity.industry == industry,
        Entity.name_live.is_(None), Entity.deregistered_on >= since).limit(5)).all()
    renamed = session.execute(select(FormerName.uscc, FormerName.investor_keys).where(
        FormerName.region == region, FormerName.trade_name == trade_name, FormerName.industry == industry,
        FormerName.released_on >= since).limit(5)).all()
    return [(r[0], r[1]) for r in (*gone, *renamed)]


def sounds_alike(session: Session, region: str, trade_sound: str, industry: str, trade_name: str) -> list[str]:
    """Full names in ``region`` and ``industry`` whose trade name is a homophone (not the same)."""
    rows = session.execute(select(Entity.name).where(
        Entity.region == region, Entity.trade_sound == trade_sound, Entity.industry == industry,
        Entity.trade_name != trade_name, _LIVE).limit(10))
    return [r[0] for r in rows]


def taken(session: Session, region: str, trade_name: str, industry: str) -> bool:
    return session.execute(select(Entity.id).where(
        Entity.region == region, Entity.trade_name == trade_name, Entity.industry == industry,
        _LIVE).limit(1)).first() is not None


def entities_at(session: Session, address_code: str) -> int:
    return int(session.execute(select(func.count()).select_from(Entity)
                               .where(Entity.address_code == address_code, _LIVE)).scalar_one())


def entities_represented(session: Session, person_key: str) -> int:
    return int(session.execute(select(func.count()).select_from(Entity)
                               .where(Entity.legal_rep_key == person_key, _LIVE)).scalar_one())


def entity_by_uscc(session: Session, uscc: str) -> Entity | None:
    return session.execute(select(Entity).where(Entity.uscc == uscc)).scalar_one_or_none()
