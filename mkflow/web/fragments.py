"""Rendered parts of pages kept by what they were made from.

A part costly to render and read far more often than its data changes (a project's Gantt
chart and table: 70% of its page's time) is kept under a digest of every value it is made
of: the rows it shows, the language, the day, the URL. Nothing has to be told when data
changes: changed rows make another digest, and the old entry ages out. Each server process
keeps its own, bounded by size."""

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup

MAX_BYTES = 32 * 1024 * 1024  # per process: a dozen 5,000-task Gantt charts


class FragmentCache:
    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._parts: OrderedDict[bytes, Markup] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._parts)

    @staticmethod
    def digest(made_of) -> bytes:
        """``made_of``: plain values (numbers, strings, dates, tuples and lists of them)."""
        return hashlib.blake2b(pickle.dumps(made_of, protocol=5), digest_size=20).digest()

    def get_or_make(self, made_of, make: Callable[[], str]) -> Markup:
        """The part made of ``made_of``, rendered by ``make()`` the first time."""
        key = self.digest(made_of)
        with self._lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
                return part
        part = Markup(make())
        with self._lock:
            if key not in self._parts and len(part) <= self.max_bytes:
                self._parts[key] = part
                self._size += len(part)
                while self._size > self.max_bytes:
                    _, oldest = self._parts.popitem(last=False)
                    self._size -= len(oldest)
        return part


gantt_bodies = FragmentCache()
