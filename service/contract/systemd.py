"""systemd's notify protocol: READY once the kiosk shows its first screen, WATCHDOG while it lives.

The unit (``assets/systemd/yzt-kiosk.service``) sets ``Type=notify`` and ``WatchdogSec=``; the app
feeds the watchdog from its UI clock, so a frozen screen — not only a dead process — gets the kiosk
restarted. Outside systemd (no ``$NOTIFY_SOCKET``) every call does nothing. The protocol is one
datagram per message on a unix socket (an ``@`` prefix names the abstract namespace), small enough
to speak directly rather than add a dependency.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, address: str | None = None, any_process: bool = False) -> None:
        """``any_process``: feed even if ``$WATCHDOG_PID`` names another process (a uvicorn worker
        under ``NotifyAccess=all``)."""
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        usec = os.environ.get("WATCHDOG_USEC", "")
        pid = os.environ.get("WATCHDOG_PID", "")
        # WATCHDOG_PID names the process the watchdog is meant for; another process must not feed it
        mine = any_process or not pid or pid == str(os.getpid())
        self.watchdog_s = int(usec) / 1e6 if usec.isdigit() and mine else 0.0
        self._last_fed = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, message: str) -> bool:
        """Send one notify message (``READY=1``, ``WATCHDOG=1``, ``STATUS=…``, ``STOPPING=1``)."""
        if not self.address:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(target)
                sock.sendall(message.encode())
        except OSError as exc:  # systemd gone or socket wrong: the kiosk keeps running
            log.warning("sd_notify %s failed: %s", message.split("=", 1)[0], exc)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def feed(self) -> bool:
        """WATCHDOG=1, at most every quarter period (sd_watchdog_enabled(3) asks for at least every half)."""
        if not self.watchdog_s:
            return False
        now = time.monotonic()
        if now - self._last_fed < self.watchdog_s / 4:
            return False
        self._last_fed = now
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
