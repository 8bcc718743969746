"""The Redis cache, failing open: when Redis cannot be reached, the portal works on
without a cache instead of answering 500.

Nothing the portal keeps in the cache is needed for a right answer: the city profile is
read from the database again, and allauth's per-address limit on failed logins stops
counting (django-axes' lockout, which matters more, is kept in the database). So a cache
call that fails answers as a miss: `get` its default, `delete` False, `set` nothing,
and `add` True, as if added (allauth takes an add for a lock). The first failure is
logged as a warning; the cache is then left alone for `RETRY_AFTER_SECONDS`, so a Redis
that does not answer at all costs one connection timeout, not one per call, and the log
gets a line per outage, not one per call.
django-redis's IGNORE_EXCEPTIONS would log a traceback on every call and keep waiting on
every call, so this is a thin wrapper around Django's own Redis backend instead.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


class _Outage:
    """When this process may try a cache server again; shared by every thread's cache
    object of the same server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retry_at: dict[str, float] = {}

    def is_on(self, server: str) -> bool:
        return time.monotonic() < self._retry_at.get(server, 0.0)

    def begin(self, server: str, error: Exception) -> None:
        with self._lock:
            first = server not in self._retry_at
            self._retry_at[server] = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            logger.warning(
                "The cache cannot be reached (%s: %s); pages are served without it, "
                "and it is tried again every %s seconds",
                type(error).__name__,
                error,
                RETRY_AFTER_SECONDS,
            )

    def forget(self) -> None:
        """As if no server had ever failed: for the tests, which stop and start Redis."""
        with self._lock:
            self._retry_at.clear()

    def end(self, server: str) -> None:
        if server not in self._retry_at:
            return
        with self._lock:
            ended = self._retry_at.pop(server, None) is not None
        if ended:
            logger.warning("The cache can be reached again")


outage = _Outage()


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering as a miss while Redis cannot be reached."""

    def _fail_open(self, call: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
        server = ",".join(self._servers)
        if outage.is_on(server):
            return fallback()
        try:
            result = call()
        except RedisError as error:
            outage.begin(server, error)
            return fallback()
        outage.end(server)
        return result

    def get(self, key, default=None, version=None):
        return self._fail_open(lambda: RedisCache.get(self, key, default, version), lambda: default)

    def get_many(self, keys, version=None):
        return self._fail_open(lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key, version=None):
        return self._fail_open(lambda: RedisCache.has_key(self, key, version), _false)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # As if added: allauth takes an add for a lock, and a lock never had would refuse
        # every login after waiting a second for it.
        return self._fail_open(lambda: RedisCache.add(self, key, value, timeout, version), _true)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._fail_open(lambda: RedisCache.set(self, key, value, timeout, version), _none)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(lambda: RedisCache.set_many(self, data, timeout, version), list)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_open(lambda: RedisCache.touch(self, key, timeout, version), _false)

    def delete(self, key, version=None):
        return self._fail_open(lambda: RedisCache.delete(self, key, version), _false)

    def delete_many(self, keys, version=None):
        self._fail_open(lambda: RedisCache.delete_many(self, keys, version), _none)

    def incr(self, key, delta=1, version=None):
        def missing():
            # A counter that cannot be read is missing, as Django's incr says of one.
            raise ValueError(f"Key '{key}' not found")

        return self._fail_open(lambda: RedisCache.incr(self, key, delta, version), missing)

    def clear(self):
        return self._fail_open(lambda: RedisCache.clear(self), _false)


def _false() -> bool:
    return False


def _none() -> None:
    return None


def _true() -> bool:
    return True
