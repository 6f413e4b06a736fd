"""The one kind of cache a process keeps between requests: bounded, least recently used first
out, and safe to share between the server's threads. Each cache is declared where its values
are made, with the bound and a line saying what it holds."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    def __init__(self, bound: int, holds: str) -> None:
        self.bound = bound
        self.holds = holds  # what it caches, for whoever reads it in a debugger or a test
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if (value := self._kept.get(key)) is not None:
                self._kept.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self.bound:
                self._kept.popitem(last=False)
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The kept value, or one made now (outside the lock: making may query) and kept."""
        kept = self.get(key)
        return kept if kept is not None else self.put(key, make())
