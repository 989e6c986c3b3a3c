"""A private PostgreSQL cluster from Debian's packages, for the platform tests (skipped when absent).

initdb refuses to run as root, so as root the cluster runs as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class Postgres:
    def __init__(self) -> None:
        initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not self.pg_ctl:
            pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                pytest.skip("running as root without runuser")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="yzt-pg-"))
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = self.dir / "data"
        subprocess.run(self.as_user + [initdb, "-D", str(data), "-U", "yzt", "--auth=trust", "-E", "UTF8",
                                       "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
        subprocess.run(self.as_user + [self.pg_ctl, "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                                       f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                                       "-c fsync=off -c max_connections=200", "start"],
                       check=True, capture_output=True, timeout=60)
        self.data = data
        self.url = f"postgresql://yzt@127.0.0.1:{self.port}/postgres"

    def new_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        subprocess.run(self.as_user + [self.pg_ctl, "-D", str(self.data), "-m", "fast", "stop"],
                       capture_output=True, timeout=60)
        time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)
