"""How readings reach their consumers: listener lists with a safe emit, and newest-wins queues.

One mechanism for every device (python-can's ``Listener``/``Notifier`` is the model): a device holds
a :class:`Listeners` and calls :meth:`Listeners.emit` on its own thread; each listener is called in
the order it was added, and one that raises is logged, counted (``callback_errors``) and told to the
owner's ``on_error`` hook — the others still hear the event and the device's thread goes on.

A :class:`NewestQueue` is the bounded queue beside it for consumers that poll: when nobody empties
it, the oldest reading is dropped so the newest always gets in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
T = TypeVar("T")


class Listeners(Generic[E]):
    """Callables told of each event, in the order they were added (see the module docstring).

    ``what`` names the source in the log (``"ID card reader idcard"``); ``counters`` (the device's)
    counts ``callback_errors``; ``on_error(listener, exc)`` lets the owner remember the failure;
    a listener raising one of ``drop_on`` (e.g. ``OSError`` for a closed connection) is removed.
    """

    def __init__(self, what: str, counters: MutableMapping[str, int] | None = None,
                 on_error: Callable[[Callable[[E], Any], Exception], None] | None = None,
                 drop_on: tuple[type[Exception], ...] = ()) -> None:
        self.what = what
        self.counters = counters
        self.on_error = on_error
        self.drop_on = drop_on
        self._fns: list[Callable[[E], Any]] = []
        self._lock = threading.Lock()

    def add(self, fn: Callable[[E], Any]) -> None:
        """Call ``fn(event)`` for every event from now on (adding the same one twice does nothing)."""
        with self._lock:
            if fn not in self._fns:
                self._fns.append(fn)

    def remove(self, fn: Callable[[E], Any]) -> None:
        """Stop calling ``fn`` (one that was never added is ignored)."""
        with self._lock:
            if fn in self._fns:
                self._fns.remove(fn)

    def clear(self) -> None:
        with self._lock:
            self._fns.clear()

    def __len__(self) -> int:
        return len(self._fns)

    def __contains__(self, fn: object) -> bool:
        return fn in self._fns

    def emit(self, event: E) -> int:
        """Tell every listener; returns how many took the event without raising."""
        with self._lock:
            fns = list(self._fns)
        heard = 0
        for fn in fns:
            try:
                fn(event)
            except self.drop_on as exc:
                self.remove(fn)
                log.info("%s: listener %s dropped: %s", self.what, _name(fn), exc)
            except Exception as exc:  # noqa: BLE001 - a failing consumer must not stop the device or the others
                if self.counters is not None:
                    self.counters["callback_errors"] = self.counters.get("callback_errors", 0) + 1
                log.warning("%s: listener %s failed: %s: %s", self.what, _name(fn), type(exc).__name__, exc)
                if self.on_error is not None:
                    self.on_error(fn, exc)
            else:
                heard += 1
        return heard


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


class NewestQueue(Generic[T]):
    """A bounded FIFO where the newest wins: putting into a full queue drops the oldest item."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("a newest-wins queue holds at least one item")
        self.maxsize = maxsize
        self.dropped = 0
        self._items: deque[T] = deque()
        self._cond = threading.Condition()

    def put(self, item: T) -> T | None:
        """Add ``item``; returns the oldest item it pushed out (None when there was room)."""
        with self._cond:
            pushed = None
            if len(self._items) >= self.maxsize:
                pushed = self._items.popleft()
                self.dropped += 1
            self._items.append(item)
            self._cond.notify()
            return pushed

    def get(self, timeout: float | None = None) -> T | None:
        """The oldest item, waiting up to ``timeout`` seconds (None: for ever; 0: not at all)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._cond.wait(left)
            return self._items.popleft()

    def clear(self) -> int:
        """Drop everything waiting; returns how many items were dropped."""
        with self._cond:
            n = len(self._items)
            self._items.clear()
            return n

    def __len__(self) -> int:
        return len(self._items)
