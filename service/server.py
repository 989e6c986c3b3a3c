"""Serving the platform with uvicorn: in the foreground (``yzt service``) or in a thread (the kiosk's
embedded platform and the tests) — the same app on a real socket either way."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from service.core.settings import Settings, check_secure
from service.main import create_app
from service.platform import Platform

log = logging.getLogger("service.server")


@dataclass
class RunningPlatform:
    url: str
    platform: Platform
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.platform.stop()


def serve_in_thread(settings: Settings, host: str = "127.0.0.1", port: int = 0,
                    platform: Platform | None = None) -> RunningPlatform:
    """Start the platform on ``host:port`` (0 = any free port) and return once it answers."""
    for warning in check_secure(settings.model_copy(update={"host": host})):
        log.warning("%s", warning)
    platform = platform or Platform(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(platform), log_level="warning", access_log=False, lifespan="on",
                            timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="yzt-platform", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            platform.stop()
            raise RuntimeError("the platform did not start")
        time.sleep(0.02)
    url = f"http://{host}:{port}"
    if not platform.settings.public_url:  # links on receipts lead here unless the operator said otherwise
        platform.settings.public_url = url
    return RunningPlatform(url=url, platform=platform, server=server, thread=thread)
