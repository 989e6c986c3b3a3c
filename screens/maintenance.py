"""Maintenance mode (behind the PIN): devices, health checks, the platform link, logs and configuration.

One section at a time, chosen on the left. Every check and action runs off the UI thread through
:mod:`kiosk.diagnostics` — the same checks as `yzt doctor` — and every entry and action is logged.
Leaving (or restarting the app) ends with a wiped start, like the end of any visit.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import deque
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk import diagnostics
from service.contract.privacy import mask_text
from screens.worker import run_async

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)

SECTIONS = ("devices", "checks", "platform", "outbox", "logs", "config")
LOG_LINES = 400  # read from the end of the file; the kiosk's own lines among them are shown
OUR_LOGGERS = ("kiosk", "screens", "devices", "service", "root")
SECRET_KEYS = {"pin_hash"}  # never shown, not even to maintenance staff


class DeviceCard(BoxLayout):
    """One device: its state and counters, and buttons for the three check levels and a restart."""

    def __init__(self, **kwargs: Any) -> None:
        self.row: dict[str, Any] = {}
        super().__init__(**kwargs)

    def show(self, row: dict[str, Any]) -> None:
        """Take a row of :func:`kiosk.diagnostics.device_table`."""
        self.row = row
        self.kind, self.state = row["kind"], row["state"]
        self.address = row["url"] + (f"  ·  {row['identity']}" if row["identity"] else "")
        self.counters = "  ".join(f"{k}={v}" for k, v in sorted(row["counters"].items())) or "—"
        self.last_error = row["last_error"] or ""

    kind = StringProperty("")
    state = StringProperty("closed")
    address = StringProperty("")
    counters = StringProperty("")
    last_error = StringProperty("")
    result = StringProperty("")
    result_ok = BooleanProperty(True)
    busy = BooleanProperty(False)


class DiagnosisRow(BoxLayout):
    check = DictProperty({})


class MaintPanel(BoxLayout):
    """One section's content; its kv rule reaches the screen through ``screen``."""

    screen = ObjectProperty(None, rebind=True)


class DevicesPanel(MaintPanel):
    pass


class ChecksPanel(MaintPanel):
    pass


class PlatformPanel(MaintPanel):
    pass


class LogsPanel(MaintPanel):
    pass


class OutboxPanel(MaintPanel):
    """What waits to be delivered, what is quarantined, and reprints by acceptance number or card."""


class ConfigPanel(MaintPanel):
    pass


PANELS = {"devices": DevicesPanel, "checks": ChecksPanel, "platform": PlatformPanel, "outbox": OutboxPanel,
          "logs": LogsPanel, "config": ConfigPanel}


class MaintenanceScreen(Screen):
    section = StringProperty("devices")
    busy = BooleanProperty(False)
    note = StringProperty("")
    checks = ListProperty([])
    log_text = StringProperty("")
    config_text = StringProperty("")
    confirm_restart = BooleanProperty(False)  # restarting the app takes a second tap
    outbox_text = StringProperty("")  # "N waiting, oldest M min, last error", the quarantine, recent visits
    number = StringProperty("")  # an acceptance number typed for a reprint

    def on_kv_post(self, base_widget: Any) -> None:
        self.panels = {name: cls(screen=self) for name, cls in PANELS.items()}

    def _box(self, wid: str) -> Any:
        """A container inside one of the panels (panels are swapped in and out of the content area)."""
        for panel in self.panels.values():
            if wid in panel.ids:
                return panel.ids[wid]
        raise KeyError(wid)

    # -- entering and leaving --------------------------------------------------------------
    def on_pre_enter(self, *args: object) -> None:
        self.show("devices")

    def leave(self) -> None:
        app = App.get_running_app()
        self._act("left")
        app.end_visit("maintenance left")

    def restart_app(self) -> None:
        """Start the kiosk program afresh (same arguments); under systemd the unit keeps running."""
        self._act("restart_app")
        app = App.get_running_app()
        app.notifier.stopping()
        if getattr(app, "heartbeat", None) is not None:
            app.heartbeat.stop()
        if app.runtime is not None:
            app.runtime.close()
        logging.shutdown()
        os.execv(sys.executable, [sys.executable, *sys.argv])

    # -- sections --------------------------------------------------------------------------
    def show(self, section: str) -> None:
        if section not in SECTIONS:
            return
        self.section = section
        self.note = ""
        self.confirm_restart = False
        content = self.ids.content
        content.clear_widgets()
        content.add_widget(self.panels[section])
        if section == "devices":
            self.refresh_devices()
        elif section == "checks":
            self.checks = []
        elif section == "platform":
            self.run_platform()
        elif section == "outbox":
            self.refresh_outbox()
        elif section == "logs":
            self.log_text = self._recent_logs()
        elif section == "config":
            self.config_text = self._config_view()

    def _runtime(self) -> Any:
        return App.get_running_app().runtime

    def _act(self, action: str, target: str = "") -> None:
        """Every maintenance action goes to the log and the app's event record."""
        log.warning("maintenance action %s %s", action, target)  # WARNING: kept at any log level
        App.get_running_app().events.append(("maintenance", f"{action}:{target}" if target else action))

    # -- devices ---------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        box = self._box("devices")
        rt = self._runtime()
        rows = diagnostics.device_table(rt) if rt is not None else []
        cards = {c.kind: c for c in box.children if isinstance(c, DeviceCard)}
        if set(cards) != {r["kind"] for r in rows}:
            box.clear_widgets()
            cards = {}
            for row in rows:
                cards[row["kind"]] = card = DeviceCard()
                box.add_widget(card)
        for row in rows:
            cards[row["kind"]].show(row)
        self.note = "" if rows else App.get_running_app().tr("maint.no_devices")

    def card(self, kind: str) -> DeviceCard | None:
        return next((c for c in self._box("devices").children if isinstance(c, DeviceCard) and c.kind == kind),
                    None)

    def check_device(self, kind: str, level: str) -> None:
        """A check of one device at ``level``; an interactive one prints, or waits for a card or a code."""
        card, rt = self.card(kind), self._runtime()
        if card is None or rt is None or card.busy:
            return
        self._act(f"check_{level}", kind)
        app = App.get_running_app()
        card.busy = True
        card.result_ok = True
        card.result = app.tr(f"maint.waiting_{level}_{kind}") if level == "interactive" else app.tr("maint.checking")
        run_async(diagnostics.device_check, rt, kind, diagnostics.HealthLevel(level),
                  on_done=lambda check: self._device_done(card, check),
                  on_error=lambda exc: self._device_failed(card, exc))

    def restart_device(self, kind: str) -> None:
        card, rt = self.card(kind), self._runtime()
        if card is None or rt is None or card.busy or kind not in rt.devices:
            return
        self._act("restart_device", kind)
        card.busy = True
        card.result = App.get_running_app().tr("maint.restarting")

        def restart() -> diagnostics.Check:
            rt.devices[kind].close()
            return diagnostics.device_check(rt, kind, diagnostics.HealthLevel.EXTERNAL)  # reopens, then a real exchange

        run_async(restart, on_done=lambda check: self._device_done(card, check),
                  on_error=lambda exc: self._device_failed(card, exc))

    def _device_done(self, card: DeviceCard, check: diagnostics.Check) -> None:
        app = App.get_running_app()
        card.busy = False
        card.result_ok = check.ok
        card.result = (check.message_zh if app.lang == "zh" else check.message) + _live_result(check.details)
        self._act("result", f"{check.check} {'ok' if check.ok else 'failed'}: {check.message}")
        self.refresh_devices()

    def _device_failed(self, card: DeviceCard, exc: BaseException) -> None:
        card.busy = False
        card.result_ok = False
        card.result = App.get_running_app().tr("maint.check_crashed", error=mask_text(str(exc))[:200])
        self.refresh_devices()

    # -- all checks (what `yzt doctor` runs); platform link, disk, outbox -----------------------
    def _start(self, action: str, work: Any, on_done: Any) -> None:
        """Run ``work(runtime)`` off the UI thread, one screen-wide job at a time."""
        rt = self._runtime()
        if rt is None or self.busy:
            return
        self._act(action)
        self.busy = True
        self.note = App.get_running_app().tr("maint.checking")
        run_async(work, rt, on_done=on_done, on_error=self._all_failed)

    def _fill(self, wid: str, rows: list[diagnostics.Check]) -> list[dict[str, Any]]:
        self.busy = False
        docs = [r.to_dict() for r in rows]
        box = self._box(wid)
        box.clear_widgets()
        for doc in docs:
            box.add_widget(DiagnosisRow(check=doc))
        return docs

    def run_all(self) -> None:
        self._start("run_all_checks", lambda rt: diagnostics.run_checks(rt, diagnostics.HealthLevel.EXTERNAL), self._all_done)

    def _all_done(self, rows: list[diagnostics.Check]) -> None:
        app = App.get_running_app()
        self.checks = self._fill("checks", rows)
        failed = [r["check"] for r in self.checks if r["required"] and not r["ok"]]
        self.note = app.tr("maint.all_passed") if not failed else app.tr("maint.some_failed", n=len(failed))
        self._act("checks_done", "passed" if not failed else "failed: " + ", ".join(failed))

    def _all_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.note = App.get_running_app().tr("maint.check_crashed", error=mask_text(str(exc))[:200])

    def run_platform(self) -> None:
        self._start("check_platform", lambda rt: [diagnostics.platform_check(rt), diagnostics.outbox_check(rt),
                                                  diagnostics.disk_check(rt.cfg)], self._platform_done)

    def _platform_done(self, rows: list[diagnostics.Check]) -> None:
        self._fill("platform_rows", rows)
        self.note = ""

    def flush_outbox(self) -> None:
        app = App.get_running_app()
        if self.busy or app.runtime is None:
            return
        self._act("flush_outbox")
        self.busy = True

        def done(result: tuple[int, int]) -> None:
            self.busy = False
            if self.section == "outbox":
                self.refresh_outbox()
            else:
                self.run_platform()
            self.note = app.tr("maint.flushed", sent=result[0], left=result[1])

        run_async(app.services.flush_outbox, on_done=done, on_error=self._all_failed)

    # -- the outbox, the quarantine and reprints --------------------------------------------------
    def refresh_outbox(self) -> None:
        app = App.get_running_app()
        if app.runtime is None:
            return

        def look(rt: Any) -> tuple[dict[str, Any], list[Any], list[Any]]:
            return rt.outbox().summary(), rt.outbox().quarantined(), rt.journal().recent(12)

        run_async(look, app.runtime, on_done=self._outbox_done, on_error=self._all_failed)

    def _outbox_done(self, found: tuple[dict[str, Any], list[Any], list[Any]]) -> None:
        app = App.get_running_app()
        summary, quarantined, recent = found
        lines = [app.tr("maint.outbox_waiting", n=summary["pending"], oldest=f"{summary['oldest_min'] or 0:.0f}",
                        error=mask_text(str(summary["last_error"] or "—")))
                 if summary["pending"] else app.tr("maint.outbox_empty")]
        if quarantined:
            lines.append(app.tr("maint.outbox_quarantined", n=len(quarantined), refused=summary["refused"],
                                poison=summary["poison"]))
            lines += [f"  {q.acceptance_no or q.application_id}  ·  {q.kind}  ·  {mask_text(q.reason)[:120]}"
                      for q in quarantined]
        lines.append("")
        for v in recent:
            state = [app.tr(f"maint.visit.{v.state}")] + ([app.tr(f"maint.verdict.{v.verdict}")] if v.verdict else [])
            printed = "、".join(app.tr(f"maint.doc.{k}") for k in v.printed)
            lines.append(app.tr("maint.outbox_row", number=v.acceptance_no or v.application_id,
                                state=" ".join(state) + (f"  ·  {app.tr('maint.printed')} {printed}" if printed else "")))
        self.outbox_text = "\n".join(lines)
        self._act("outbox_shown", f"pending={summary['pending']} quarantined={summary['quarantined']}")

    def press(self, key: str) -> None:
        """The keypad of the reprint-by-number field."""
        self.number = self.number[:-1] if key == "del" else (self.number + key)[:18]

    def reprint_number(self) -> None:
        app = App.get_running_app()
        number = self.number
        if self.busy or app.runtime is None or not number:
            return
        self._act("reprint_number", number)
        self.busy = True
        self.note = app.tr("maint.checking")
        run_async(self._reprint, lambda: app.services.find_visits(acceptance_no=number), on_done=self._reprinted,
                  on_error=self._all_failed)

    def reprint_card(self) -> None:
        app = App.get_running_app()
        if self.busy or app.runtime is None:
            return
        self._act("reprint_card")
        self.busy = True
        self.note = app.tr("maint.reprint_waiting_card")

        def by_card() -> list[Any]:
            return app.services.find_visits(card=app.services.wait_for_card(timeout_s=30))

        run_async(self._reprint, by_card, on_done=self._reprinted, on_error=self._all_failed)

    def _reprint(self, find: Any) -> dict[str, Any] | None:
        visits = find()
        if not visits:
            return None
        return App.get_running_app().services.reprint_visit(visits[0])

    def _reprinted(self, outcome: dict[str, Any] | None) -> None:
        app = App.get_running_app()
        self.busy = False
        if outcome is None:
            self.note = app.tr("maint.reprint_none")
            return
        what = " ".join(dict.fromkeys(outcome.get("printed", []))) or "—"
        self.note = app.tr("maint.reprint_done", what=what)
        self._act("reprinted", f"{outcome['decision'].get('acceptance_no')} {outcome.get('reprinted')}")
        self.number = ""
        self.refresh_outbox()

    # -- logs and configuration --------------------------------------------------------------
    def _recent_logs(self) -> str:
        """The newest lines of the kiosk's log (masked when written; masked again here, to be sure)."""
        app = App.get_running_app()
        path = app.cfg.log_file
        try:
            with path.open(encoding="utf-8", errors="replace") as fh:
                lines = deque(fh, maxlen=LOG_LINES)
        except OSError:
            return app.tr("maint.no_log", path=str(path))
        out = []
        for line in reversed(lines):
            try:
                doc = json.loads(line)
            except ValueError:
                out.append(line.rstrip())
                continue
            if doc.get("level") == "DEBUG" or not str(doc.get("logger", "")).startswith(OUR_LOGGERS):
                continue  # the libraries' chatter (HTTP connections, GL details) is in the file, not here
            out.append(f"{doc.get('ts', '')[11:19]}  {doc.get('level', '')[:4]}  {doc.get('msg', '')}")
        return mask_text("\n".join(out))

    def _config_view(self) -> str:
        app = App.get_running_app()
        lines = [f"# {app.cfg.source}" if getattr(app.cfg, "source", "") else ""]
        for section, values in app.cfg.as_dict().items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                if key in SECRET_KEYS:
                    lines.append(f"  {key} = " + ("******" if value else "(empty: the development PIN is in effect)"))
                else:
                    lines.append(f"  {key} = {value!r}")
        return "\n".join(line for line in lines if line)


def _live_result(details: dict[str, Any]) -> str:
    """What an interactive check saw: the card type and masked name, the code read, the job printed."""
    parts = []
    if details.get("card_type"):
        parts.append(f"{details['card_type']} {details.get('name', '')}".strip())
    if details.get("qr"):
        parts.append(str(details["qr"])[:80])
    result = details.get("result")
    if isinstance(result, dict) and result.get("job_id"):
        parts.append(f"job {result['job_id']} · {result.get('bytes_sent', 0)} bytes · {result.get('elapsed_s', 0):.1f} s")
    return ("\n" + " · ".join(parts)) if parts else ""
