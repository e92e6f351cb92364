"""Who is calling: API keys checked against the database, and remembered for a few seconds.

Reads such as `GET /v1/jobs/{id}` come hundreds of times a second from a few keys; looking
each key up (its row, its person, its brands) was most of such a request's queries. An API
process keeps the principal of a key it has checked for POSTCRAFT_AUTH_CACHE_S (5 s by
default), so a key revoked with `postcraft keys revoke` stops working within that time in
every process (README, "People, brands and keys"). Unknown keys are never remembered: each
is looked up.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from storage.access import Principal, authenticate, hash_key

MAX_KEYS = 4096
"""Keys remembered per process; past it the least recently used one is forgotten."""


class KeyCache:
    """Principals by the SHA-256 of their key, each trusted for `ttl_s` after its lookup."""

    def __init__(
        self,
        ttl_s: float,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_s
        self._max = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._known: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def principal(self, reads: sessionmaker[Session], secret: str) -> Principal:
        """The key's principal: remembered if checked less than `ttl_s` ago, else looked up in
        a session of its own (UNAUTHORIZED for an unknown or revoked key)."""
        if self._ttl <= 0:
            return _look_up(reads, secret)
        digest = hash_key(secret)
        now = self._clock()
        with self._lock:
            hit = self._known.get(digest)
            if hit is not None and hit[0] > now:
                self._known.move_to_end(digest)
                return hit[1]
        principal = _look_up(reads, secret)
        with self._lock:
            self._known[digest] = (now + self._ttl, principal)
            self._known.move_to_end(digest)
            while len(self._known) > self._max:
                self._known.popitem(last=False)
        return principal


def _look_up(reads: sessionmaker[Session], secret: str) -> Principal:
    with reads() as session:
        return authenticate(session, secret)
