"""The citizen's session: everything one visit holds, wiped at idle timeout and at the end.

Personal strings that enter the session are remembered by the log redactor, so logs mask
them; :meth:`Session.wipe` forgets them and drops every reference the session held.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from service.contract.privacy import REDACTOR

log = logging.getLogger(__name__)


@dataclass
class Session:
    """One visit. ``data`` holds journey answers; ``people`` the cards read in this visit."""

    language: str = "zh"
    elderly_mode: bool = False
    visit_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    data: dict[str, Any] = field(default_factory=dict)
    people: list[Any] = field(default_factory=list)
    wipes: int = 0

    def remember_person(self, person: Any) -> None:
        """Keep a card reading for this visit and teach the redactor its personal strings."""
        self.people.append(person)
        for attr, kind in (("name", "name"), ("name_en", "name"), ("address", "name"), ("id_number", "id")):
            value = getattr(person, attr, None) if not isinstance(person, dict) else person.get(attr)
            if value:
                REDACTOR.remember(str(value), kind)

    @property
    def empty(self) -> bool:
        return not self.data and not self.people

    def wipe(self, reason: str) -> None:
        """Forget everything personal; the language and elderly mode go back to the kiosk's defaults."""
        self.data.clear()
        self.people.clear()
        REDACTOR.forget_all()
        self.wipes += 1
        self.visit_id = uuid.uuid4().hex[:12]
        log.info("session wiped (%s)", reason)
