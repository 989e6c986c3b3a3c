"""Serving the platform with uvicorn: in the foreground (``yzt service``) or in a thread (embedded).

The embedded platform is the same app on a real loopback socket, so the kiosk talks HTTP to it
exactly as it talks to a city's platform.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from service.app import create_app
from service.platform import Platform
from service.settings import Settings

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
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            platform.stop()
            raise RuntimeError("the platform did not start")
        time.sleep(0.02)
    return RunningPlatform(url=f"http://{host}:{port}", platform=platform, server=server, thread=thread)


def embedded_settings(data_dir: Path, **overrides: object) -> Settings:
    """The demo platform: its own SQLite file and keys under ``data_dir``, fast departments, SMS shown."""
    import os

    data_dir = Path(data_dir)
    scale = float(os.environ.get("YZT_DISPATCH_SCALE", "0.1"))
    settings = Settings(db_url=f"sqlite:///{data_dir / 'platform.db'}", key_dir=data_dir / "keys",
                        dispatch_scale=scale, dev_sms=True, sms_cooldown_s=20)
    for key, value in overrides.items():
        setattr(settings, key, value)
    data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def app_from_environment() -> object:
    """The app for ``yzt service`` (uvicorn's factory, once per worker): settings from the environment."""
    import json
    import os

    raw = json.loads(os.environ.get("YZT_SERVICE_SETTINGS", "{}"))
    settings = Settings(**{k: Path(v) if k in ("reference_dir", "key_dir", "kiosk_keys_dir") and v else v
                           for k, v in raw.items()})
    return create_app(Platform(settings))
