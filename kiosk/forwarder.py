"""Store-and-forward that forwards by itself: a thread from the kiosk's start that delivers the outbox.

It sleeps until the next record is due (the outbox's backoff, a 429's ``Retry-After``), a new record is
put, or it is woken; while the platform is unreachable it asks ``/health`` every ``probe_s`` seconds
(cheap, unsigned) and sends everything waiting the moment the platform answers again — so the progress
page of a receipt printed while the platform was down is live as soon as it is back. Each decision is
handed to ``on_decided`` (the visit journal keeps it for reprints). A record the platform refuses for
good, or one that cannot be opened, goes to the quarantine and never holds up the others.

Used by the kiosk app (started in ``on_start``, stopped on exit and on SIGTERM), by ``yzt outbox forward``
(headless) and by the reliability harnesses.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from kiosk.outbox import Outbox, Undeliverable

log = logging.getLogger(__name__)


class Forwarder:
    def __init__(self, outbox: Outbox, client: Callable[[], Any], on_decided: Callable[[str, dict[str, Any]], None]
                 | None = None, probe_s: float = 5.0, idle_s: float = 30.0,
                 housekeeping: Callable[[], None] | None = None, housekeeping_s: float = 3600.0) -> None:
        self.outbox = outbox
        self.client = client
        self.on_decided = on_decided
        self.probe_s = probe_s
        self.idle_s = idle_s
        self.housekeeping = housekeeping
        self.housekeeping_s = housekeeping_s
        self.delivered = 0
        self.rounds = 0
        self.last_error: str | None = None
        self.last_probe_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._busy = threading.Lock()
        self._last_housekeeping = 0.0

    # -- one round ---------------------------------------------------------------------------
    def run_once(self, force: bool = False) -> tuple[int, int]:
        """Deliver what is due now (everything pending with ``force``): (delivered, still pending)."""
        with self._busy:
            self.rounds += 1
            if self.outbox.closed:
                return 0, 0
            try:
                client = self.client()
            except Exception as exc:  # no client (an embedded platform that cannot start): try again later
                self.last_error = f"{type(exc).__name__}: {exc}"
                return 0, len(self.outbox.pending())
            if not force and not self.outbox.due():
                self._probe(client)
            delivered = 0
            for pending in (self.outbox.pending() if force else self.outbox.due()):
                if self._stop.is_set():
                    break
                try:
                    decision = self.outbox.deliver(pending.application_id, client.submit)
                except Undeliverable:
                    continue
                except KeyError:
                    continue
                if decision is None:  # the platform down, busy, or refusing this kiosk: the others would meet it too
                    self.last_error = next((p.last_error for p in self.outbox.pending()
                                            if p.application_id == pending.application_id), None)
                    break
                delivered += 1
                self.delivered += 1
                self.last_error = None
                log.info("delivered %s from the outbox: %s", pending.application_id, decision.get("decision"))
                if self.on_decided is not None:
                    try:
                        self.on_decided(pending.application_id, decision)
                    except Exception as exc:  # the decision is safe in the outbox either way
                        log.error("recording the decision of %s: %s", pending.application_id, exc)
            self._maybe_housekeep()
            return delivered, len(self.outbox.pending())

    def _probe(self, client: Any) -> None:
        """While records wait for an unreachable platform, ask its health; the moment it answers, they are due."""
        waiting = [p for p in self.outbox.pending() if p.error_kind in ("unreachable", "server")]
        now = time.monotonic()
        if not waiting or now - self.last_probe_at < self.probe_s:
            return
        self.last_probe_at = now
        try:
            health = client.health()
        except Exception:  # still down
            return
        if isinstance(health, dict) and health.get("status") == "ok":
            n = self.outbox.retry_now(("unreachable", "server"))
            if n:
                log.info("the platform is back: %d waiting applications are sent now", n)

    def _maybe_housekeep(self) -> None:
        if self.housekeeping is None or time.monotonic() - self._last_housekeeping < self.housekeeping_s:
            return
        self._last_housekeeping = time.monotonic()
        try:
            self.housekeeping()
        except Exception as exc:  # purging old records is never worth stopping the forwarder
            log.warning("outbox housekeeping: %s", exc)

    def _wait_s(self) -> float:
        if self.outbox.closed:
            return self.idle_s
        pending = self.outbox.pending()
        if not pending:
            return self.idle_s
        until = max(0.0, min(p.next_try_at for p in pending) - self.outbox.clock())
        if any(p.error_kind in ("unreachable", "server") for p in pending):
            until = min(until, self.probe_s)
        return max(0.05, min(until, self.idle_s))

    # -- the thread ------------------------------------------------------------------------------
    def start(self) -> "Forwarder":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="yzt-forwarder", daemon=True)
            self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        self.outbox.changed.set()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop after the record in hand (its write finishes; an HTTP call still out is abandoned after
        ``timeout`` — its answer is asked for again at the next start, by the same idempotency key)."""
        self._stop.set()
        self.outbox.changed.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _run(self) -> None:
        log.info("outbox forwarder started")
        while not self._stop.is_set():
            self.outbox.changed.clear()
            try:
                self.run_once()
            except Exception as exc:  # the forwarder must outlive anything one round meets
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("outbox forwarder round failed")
            if self._stop.is_set():
                break
            try:
                wait = self._wait_s()
            except Exception:  # a closed outbox at shutdown
                wait = self.idle_s
            self.outbox.changed.wait(wait)
        log.info("outbox forwarder stopped")
