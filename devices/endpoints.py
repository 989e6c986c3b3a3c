"""The far end a simulator serves: a pty pair and/or a TCP listener on loopback, pumping bytes.

The driver under test opens the pty's slave path (what a USB-serial adapter looks like) or
``socket://127.0.0.1:PORT`` / ``escpos+tcp://…`` with the very code it uses on real hardware. The
simulator gives an :class:`Endpoint` a ``handler``; for every connection — the pty once plugged,
each TCP client — the endpoint calls ``handler(link)`` once and feeds the returned function every
chunk of bytes that arrives, on that connection's own thread. The simulator answers with
``link.send(data)``, paced at the line's baud rate when ``pace`` is on (a 1295-byte answer takes
112 ms at 115200 baud, as on the wire).

:meth:`Endpoint.unplug` pulls the pty's cable (the driver's next read fails); ``hold=True`` keeps
the pty's number taken so no other pty appears at the old path; :meth:`Endpoint.plug` connects a
new pty, at a new path, as a USB adapter plugged in again would.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

log = logging.getLogger(__name__)

CHUNK = 64  # bytes written at a time when pacing

Feed = Callable[[bytes], None]


class Link:
    """One connection (the pty master, or one TCP client): paced writes, closable from any thread."""

    def __init__(self, kind: str, write: Callable[[bytes], int], close: Callable[[], None], baud: int = 0,
                 pace: bool = False) -> None:
        self.kind = kind  # "pty" or "tcp"
        self._write = write
        self._close = close
        self.baud = baud
        self.pace = pace and baud > 0
        self.lock = threading.Lock()
        self.closed = False

    def byte_time(self, n: int) -> float:
        """Seconds ``n`` bytes take on the wire (8N1) when pacing; 0 otherwise."""
        return n * 10 / self.baud if self.pace else 0.0

    def send(self, data: bytes) -> None:
        """Write all of ``data`` (paced when asked); a link that fails is closed, quietly."""
        started = time.perf_counter()
        sent = 0
        step = CHUNK if self.pace else len(data)
        while sent < len(data) and not self.closed:
            chunk = data[sent:sent + step]
            wait = started + self.byte_time(sent + len(chunk)) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            with self.lock:
                if self.closed:
                    return
                try:
                    n = self._write(chunk)
                except (BlockingIOError, InterruptedError, TimeoutError):
                    n = 0
                except OSError:
                    self.closed = True
                    return
            if n == 0:
                time.sleep(0.001)
            sent += n

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            try:
                self._close()
            except OSError:
                pass


class Endpoint:
    """A simulator's pty and TCP ends (see the module docstring)."""

    def __init__(self, handler: Callable[[Link], Feed], name: str = "sim", baud: int = 0, pace: bool = False) -> None:
        self.handler = handler
        self.name = name
        self.baud = baud
        self.pace = pace
        self.port = ""  # the pty's slave path (kept after an unplug: the driver looks for it there)
        self.tcp_address: tuple[str, int] | None = None
        self.connections = 0  # TCP clients accepted so far
        self.held_unplugged = False
        self._lock = threading.RLock()
        self._pty: Link | None = None
        self._slave: int | None = None
        self._reserved: int | None = None
        self._server: socket.socket | None = None
        self._tcp: list[Link] = []
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()

    # -- the pty ---------------------------------------------------------------------------------
    @property
    def plugged(self) -> bool:
        return self._pty is not None and not self._pty.closed

    @property
    def pty(self) -> Link | None:
        """The pty's link while plugged."""
        return self._pty if self.plugged else None

    def plug(self) -> str:
        """Connect the pty (a new one, at a new path, unless it is plugged already); returns its path."""
        with self._lock:
            self.held_unplugged = False
            self._release_reserved()
            if self.plugged:
                return self.port
            master, slave = os.openpty()
            tty.setraw(slave)
            tty.setraw(master)
            os.set_blocking(master, False)

            def close() -> None:
                os.close(master)
                os.close(slave)

            link = Link("pty", lambda data: os.write(master, data), close, self.baud, self.pace)
            self._pty, self._slave = link, slave
            self.port = os.ttyname(slave)
            feed = self.handler(link)
        self._start(self._serve_pty, link, master, feed, name=f"{self.name}-pty")
        return self.port

    def unplug(self, hold: bool = False) -> None:
        """Pull the cable: the pty closes and the driver's next read fails. ``hold`` keeps the pty's
        number taken until :meth:`plug`, so another simulator's pty cannot appear at this path."""
        with self._lock:
            self.held_unplugged = hold
            link = self._pty
            if hold and link is not None and not link.closed and self._slave is not None and self._reserved is None:
                self._reserved = os.dup(self._slave)
        if link is not None:
            link.close()

    def _release_reserved(self) -> None:
        if self._reserved is not None:
            os.close(self._reserved)
            self._reserved = None

    def _serve_pty(self, link: Link, master: int, feed: Feed) -> None:
        while not link.closed:
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
            except (OSError, ValueError):  # closed under us: unplugged
                break
            if not ready:
                continue
            with link.lock:  # not closed while reading
                if link.closed:
                    break
                try:
                    data = os.read(master, 65536)
                except BlockingIOError:
                    continue
                except OSError:  # EIO: nobody has the slave open (the driver closed it); keep listening
                    data = b""
            if not data:
                time.sleep(0.01)
                continue
            self._feed(feed, data)

    # -- TCP -------------------------------------------------------------------------------------
    def listen(self, port: int = 0, host: str = "127.0.0.1") -> tuple[str, int]:
        """Also accept TCP clients on ``host:port`` (0: a free port); returns the address."""
        self._stopped.clear()
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind((host, port))
            server.listen(4)
        except OSError:
            server.close()
            raise
        server.settimeout(0.2)
        self._server = server
        bound = server.getsockname()
        self.tcp_address = (str(bound[0]), int(bound[1]))
        self._start(self._accept, server, name=f"{self.name}-tcp")
        return self.tcp_address

    def _accept(self, server: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(0.1)

            def close(conn: socket.socket = conn) -> None:
                try:
                    conn.shutdown(socket.SHUT_RDWR)  # wakes the connection's thread at once
                finally:
                    conn.close()

            link = Link("tcp", conn.send, close, self.baud, self.pace)
            with self._lock:
                self.connections += 1
                self._tcp.append(link)
                feed = self.handler(link)
            self._start(self._serve_tcp, link, conn, feed, name=f"{self.name}-conn")

    def _serve_tcp(self, link: Link, conn: socket.socket, feed: Feed) -> None:
        try:
            while not link.closed and not self._stopped.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                self._feed(feed, data)
        finally:
            link.close()
            with self._lock:
                if link in self._tcp:
                    self._tcp.remove(link)

    # -- both ------------------------------------------------------------------------------------
    def _feed(self, feed: Feed, data: bytes) -> None:
        try:
            feed(data)
        except Exception:  # a simulator bug on one chunk must not take its connection down
            log.exception("%s: handling %d bytes failed", self.name, len(data))

    def _start(self, target: Callable[..., None], *args: object, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    @property
    def links(self) -> list[Link]:
        """Every open connection: the pty while plugged, then the TCP clients."""
        with self._lock:
            pty = [self._pty] if self.plugged and self._pty is not None else []
            return pty + [link for link in self._tcp if not link.closed]

    def broadcast(self, data: bytes) -> None:
        """Send ``data`` down every open connection (unsolicited status, for example)."""
        for link in self.links:
            link.send(data)

    def close(self) -> None:
        """Stop everything: the TCP listener and its clients at once, and the pty (which :meth:`plug`
        may connect again)."""
        self._stopped.set()
        server, self._server = self._server, None
        if server is not None:
            try:
                server.close()
            except OSError:
                pass
        with self._lock:
            tcp, self._tcp = list(self._tcp), []
        for link in tcp:
            link.close()
        self.unplug()
        with self._lock:
            self._release_reserved()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=1)
