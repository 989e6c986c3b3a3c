"""Private files: the data folder of a kiosk or a platform, and the one atomic 0600 writer.

Keys, secrets, kept print jobs and spooled licences are all written through :func:`write_private`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def default_data_dir() -> Path:
    """The private data folder (a kiosk's outbox, kept jobs, logs, keys; a platform's database and keys).

    ``YZT_DATA_DIR`` overrides it (tests give every run its own folder).
    """
    env = os.environ.get("YZT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "yzt"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable only by the kiosk user (0700) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600, fsynced: no reader ever sees half a file,
    and nobody but the kiosk user reads it (keys, kept print jobs, spooled licences)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
