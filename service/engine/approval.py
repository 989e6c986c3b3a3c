"""The approval engine: run the rules of the document's kind, derive the decision from the reasons."""

from __future__ import annotations

from datetime import date, datetime

from service.contract.codes import decide as decide_severities
from service.contract.models import Reason
from service.core.calendar import CHINA
from service.engine.rules import RULES, Context, Rule


def submission_day(submitted_at: datetime) -> date:
    """The calendar day in China on which the application was submitted (naive times are Beijing time)."""
    if submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=CHINA)
    try:
        return submitted_at.astimezone(CHINA).date()
    except OverflowError:  # a time at the very edge of the calendar
        return submitted_at.date()


def rules_for(kind: str) -> tuple[Rule, ...]:
    if kind == "establishment":
        return RULES
    from service.engine.lifecycle import LIFECYCLE_RULES

    return LIFECYCLE_RULES[kind]


def evaluate(ctx: Context) -> list[Reason]:
    reasons: list[Reason] = []
    for rule in rules_for(ctx.app.kind):
        reasons.extend(rule(ctx))
    return reasons


def decide(reasons: list[Reason]) -> str:
    """Any error → rejected; else any review → manual_review; else approved."""
    return decide_severities(r.severity for r in reasons)
