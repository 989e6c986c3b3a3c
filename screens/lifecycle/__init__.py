"""The screens of a company's later life (变更、注销、歇业、补打执照): the steps the establishment does not
have; the establishment's own step screens (card, phone, face, name, address, scope, capital, officers,
submission) are reused as they are. The journeys are :mod:`kiosk.journeys.lifecycle`.

``register(sm)`` adds the screens to the app's screen manager; ``start(app, kind)`` opens a journey.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from kiosk.journeys.lifecycle import KINDS, LifecycleJourney, LifeStep

__all__ = ["KINDS", "register", "start"]


def register(sm: Any) -> None:
    from screens.lifecycle import change, closing, common, company, reprint, suspension

    for step, cls in {LifeStep.COMPANY: company.CompanyScreen, LifeStep.CHANGE_WHAT: change.ChangeWhatScreen,
                      LifeStep.EQUITY: change.EquityScreen, LifeStep.CLEARANCE: closing.ClearanceScreen,
                      LifeStep.PROCEDURE: closing.ProcedureScreen, LifeStep.SUSPENSION: suspension.SuspensionScreen,
                      LifeStep.COPIES: reprint.CopiesScreen, LifeStep.CHECK: common.LifeCheckScreen,
                      LifeStep.SIGN: common.LifeSignScreen, LifeStep.RESULT: common.LifeResultScreen}.items():
        sm.add_widget(cls(name=step.value))


def china_today() -> Any:
    return datetime.now(timezone(timedelta(hours=8))).date()


def start(app: Any, kind: str) -> None:
    """A new visit of ``kind``: its application id and acceptance number fixed now (a reprint files nothing)."""
    app_id, number = (app.runtime.new_visit() if app.runtime is not None and kind != "reprint" else (None, None))
    app.journey = LifecycleJourney(kind, today=china_today(), kiosk_id=app.cfg.kiosk.id, application_id=app_id,
                                   acceptance_no=number)
    app.outcome = None
    app.show_journey()
