"""What a running kiosk is built from: its devices (from config URLs) and its platform link.

Built once at start by ``yzt kiosk``/``yzt demo``/``yzt doctor``; a device that cannot be built
is kept as an error entry, so the kiosk starts and maintenance can see what is wrong.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.base import Device
from devices.registry import KINDS, open_device

log = logging.getLogger(__name__)
_CLIENT_LOCK = threading.Lock()
_OUTBOX_LOCK = threading.RLock()


@dataclass
class Runtime:
    cfg: Any
    devices: dict[str, Device] = field(default_factory=dict)
    device_errors: dict[str, str] = field(default_factory=dict)
    platform: Any = None  # the embedded platform handle, when embedded
    _client: Any = field(default=None, init=False, repr=False)
    _vault: Any = field(default=None, init=False, repr=False)
    _jobs: Any = field(default=None, init=False, repr=False)
    _outbox: Any = field(default=None, init=False, repr=False)
    _journal: Any = field(default=None, init=False, repr=False)
    _forwarder: Any = field(default=None, init=False, repr=False)

    @classmethod
    def build(cls, cfg: Any, open_devices: bool = True) -> "Runtime":
        rt = cls(cfg)
        for kind in KINDS:
            settings = cfg.device(kind)
            if not settings["url"]:
                continue
            options = {k: v for k, v in settings.items() if k not in ("url", "required")}
            if kind in ("receipt_printer", "document_printer"):
                options["jobs"] = rt.kept_jobs()
            try:
                device = open_device(kind, settings["url"], name=kind, required=settings["required"], **options)
            except Exception as exc:  # an unbuilt or misconfigured device must not stop the kiosk
                rt.device_errors[kind] = f"{type(exc).__name__}: {exc}"
                log.error("device %s at %s cannot be built: %s", kind, settings["url"], exc)
                continue
            rt.devices[kind] = device
            if kind == "document_printer" and hasattr(device, "test_page"):
                from kiosk.documents import test_sheet

                try:
                    device.test_page = test_sheet(kind)  # the printer prints it; the kiosk composes it
                except Exception as exc:  # no CJK font: the printer's own minimal page stands in
                    log.warning("no Chinese test page for the document printer: %s", exc)
            if open_devices:
                try:
                    device.open()
                except Exception as exc:
                    rt.device_errors[kind] = str(exc)
                    log.error("device %s at %s did not open: %s", kind, settings["url"], exc)
        return rt

    def platform_client(self) -> Any:
        """The platform client, starting the embedded platform on first use when configured so
        (once, though the UI and the heartbeat thread may ask at the same moment)."""
        if getattr(self, "_client", None) is not None:
            return self._client
        with _CLIENT_LOCK:
            if getattr(self, "_client", None) is None:
                self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        from kiosk.platform_client import PlatformClient
        from service.contract.signing import load_or_create_key

        key_file = Path(self.cfg.platform.key_file) if self.cfg.platform.key_file else self.cfg.data_dir / "kiosk.key"
        key = load_or_create_key(key_file)
        url = self.cfg.platform.url
        if url == "embedded":
            from kiosk import embedded

            self.platform = embedded.start(self.cfg.data_dir / "platform", self.cfg.kiosk.id, key,
                                           public_url=self.cfg.platform.public_url)
            url = self.platform.url
        return PlatformClient(url, timeout=self.cfg.platform.timeout_s, kiosk_id=self.cfg.kiosk.id,
                              signing_key=key)

    def vault(self) -> Any:
        """The kiosk's AES-GCM vault (key 0600 in the private data folder)."""
        if getattr(self, "_vault", None) is None:
            with _OUTBOX_LOCK:  # one key, made once: two threads making it would seal with different keys
                if getattr(self, "_vault", None) is None:
                    from service.contract.files import ensure_private_dir
                    from service.contract.vault import Vault

                    self._vault = Vault(ensure_private_dir(self.cfg.data_dir) / "data.key")
        return self._vault

    def kept_jobs(self) -> Any:
        """Print jobs kept for reprint, sealed at rest (a kept licence holds a name; a receipt a masked one)."""
        if getattr(self, "_jobs", None) is None:
            from devices.printers.jobs import JobStore
            from service.contract.files import ensure_private_dir

            vault = self.vault()
            self._jobs = JobStore(ensure_private_dir(self.cfg.data_dir) / "jobs",
                                  seal=lambda data: vault.seal(data, "print-job"),
                                  unseal=lambda blob: vault.open(blob, "print-job"))
        return self._jobs

    def outbox(self) -> Any:
        """The durable outbox in the data folder (created on first use)."""
        if getattr(self, "_outbox", None) is None:
            with _OUTBOX_LOCK:  # the UI, the heartbeat and the forwarder may ask at the same moment
                if getattr(self, "_outbox", None) is None:
                    from kiosk.outbox import Outbox
                    from service.contract.files import ensure_private_dir

                    folder = ensure_private_dir(self.cfg.data_dir)
                    self._outbox = Outbox(folder / "outbox.db", self.vault())
        return self._outbox

    def journal(self) -> Any:
        """The visit journal (answers as the citizen goes, sealed) beside the outbox."""
        if getattr(self, "_journal", None) is None:
            with _OUTBOX_LOCK:
                if getattr(self, "_journal", None) is None:
                    from kiosk.journal import Journal
                    from service.contract.files import ensure_private_dir

                    folder = ensure_private_dir(self.cfg.data_dir)
                    self._journal = Journal(folder / "journal.db", self.vault(), self._private_key("visit.key"))
        return self._journal

    def _private_key(self, name: str) -> bytes:
        """32 random bytes kept 0600 in the data folder (made on first use)."""
        from service.contract.files import ensure_private_dir

        path = ensure_private_dir(self.cfg.data_dir) / name
        if not path.exists():
            import secrets

            from service.contract.files import write_private

            write_private(path, secrets.token_bytes(32))
        return path.read_bytes()

    def forwarder(self) -> Any:
        """The outbox's forwarder (not started: the app starts it, ``yzt outbox forward`` too)."""
        with _OUTBOX_LOCK:
            return self._make_forwarder()

    def _make_forwarder(self) -> Any:
        if getattr(self, "_forwarder", None) is None:
            from kiosk.forwarder import Forwarder

            journal = self.journal()

            def housekeeping() -> None:
                journal.purge()
                self.outbox().purge_delivered()

            self._forwarder = Forwarder(self.outbox(), self.platform_client,
                                        on_decided=lambda app_id, decision: journal.decided(app_id, decision),
                                        housekeeping=housekeeping)
        return self._forwarder

    def new_visit(self) -> tuple[str, str]:
        """A visit's application id and acceptance number, fixed at its start (offline too): the number
        is this kiosk's fleet number, today's durable counter and the kiosk's own permutation key."""
        import uuid
        from datetime import datetime, timedelta, timezone

        from service.contract import acceptance
        from service.contract.files import ensure_private_dir

        day = datetime.now(timezone(timedelta(hours=8))).date()
        key_path = ensure_private_dir(self.cfg.data_dir) / "acceptance.key"
        if not key_path.exists():
            import secrets

            from service.contract.files import write_private

            write_private(key_path, secrets.token_bytes(32))
        serial = self.outbox().next_serial(f"acceptance:{day:%y%m%d}")
        number = acceptance.make(day, self.cfg.fleet_number, serial, key_path.read_bytes())
        return str(uuid.uuid4()), number

    def close(self) -> None:
        """Stop forwarding, finish the writes in flight, close the devices and the embedded platform."""
        if getattr(self, "_forwarder", None) is not None:
            self._forwarder.stop(timeout=2.0)
        if getattr(self, "_journal", None) is not None:
            self._journal.close()
        if getattr(self, "_outbox", None) is not None:
            self._outbox.close()
        for device in self.devices.values():
            try:
                device.close()
            except Exception as exc:  # closing is best effort at shutdown
                log.warning("closing %s: %s", device.name, exc)
        log.info("devices closed: %s", ", ".join(sorted(self.devices)) or "none")
        if self.platform is not None and hasattr(self.platform, "stop"):
            self.platform.stop()
