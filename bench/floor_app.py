"""The floor of an approval, for ``bench_platform.py``: the real platform app (uvicorn, middleware,
the signed-kiosk dependency, the ``ApplicationIn`` body, the decider thread, the ``Decision`` answer)
with :meth:`Platform.submit` replaced by the least that any approval must do — record the request's
nonce and one sealed application row in one durable transaction. No rules, no registry, no items.

What this route sustains beside ``/health`` is the highest approvals/health ratio any decision made
through this stack on this machine could reach. Never part of the product: started only by the bench::

    python -m uvicorn bench.floor_app:factory --factory   # settings from YZT_* as for ``yzt service``
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from fastapi import FastAPI

from service.contract.models import ApplicationIn, Decision
from service.core.db import run
from service.core.security import remember_nonce
from service.core.settings import Settings
from service.main import create_app
from service.platform import Actor, Platform, canonical_body
from service.models import Application

_ROW = Application.__table__.insert()


def factory() -> FastAPI:
    platform = Platform(Settings())
    app = create_app(platform)
    numbers = itertools.count(1)

    def least(application: ApplicationIn, actor: Actor) -> Decision:
        app_id = str(application.application_id)
        document: dict[str, Any] = application.model_dump(mode="json", by_alias=True)
        digest = hashlib.sha256(canonical_body(document)).hexdigest()
        with platform.store.write() as s:
            if actor.nonce:
                remember_nonce(s.connection(), actor.kiosk_id, actor.nonce)
            number = f"F{next(numbers):017d}"
            run(s, _ROW, {"application_id": app_id, "acceptance_no": number, "kind": "establishment",
                          "submitted_at": application.submitted_at, "decision": "approved", "body_sha256": digest,
                          "document": platform.keys.seal(document, app_id)})
        return Decision(application_id=app_id, acceptance_no=number, decision="approved", reasons=[])

    platform.submit = least  # type: ignore[method-assign]  # the same route calls it on the decider thread
    return app
