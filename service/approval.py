"""The approval engine: run every rule, derive the decision from the reasons (CONTRACT.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from service.reference import Reference
from service.rules import RULES, Context
from service.schemas import ApplicationIn, Reason
from service.settings import Settings

CHINA = timezone(timedelta(hours=8))  # no daylight saving since 1991


def submission_day(submitted_at: datetime) -> date:
    """The calendar day in China on which the application was submitted (naive times are Beijing time)."""
    if submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=CHINA)
    try:
        return submitted_at.astimezone(CHINA).date()
    except OverflowError:  # a time at the very edge of the calendar
        return submitted_at.date()


def evaluate(app: ApplicationIn, ref: Reference, session: Session, settings: Settings) -> list[Reason]:
    ctx = Context(app=app, ref=ref, session=session, today=submission_day(app.submitted_at), settings=settings)
    reasons: list[Reason] = []
    for rule in RULES:
        reasons.extend(rule(ctx))
    return reasons


def decide(reasons: list[Reason]) -> str:
    """Any error → rejected; else any review → manual_review; else approved."""
    severities = {r.severity for r in reasons}
    if "error" in severities:
        return "rejected"
    if "review" in severities:
        return "manual_review"
    return "approved"
