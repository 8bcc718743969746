"""The state of the services the portal needs: database, cache and Celery broker."""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)


def database_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def cache_state() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    return "ok"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok (tasks run in-process; no broker configured)"
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database_state,
    "cache": cache_state,
    "broker": broker_state,
}


def service_states() -> tuple[bool, dict[str, str]]:
    """(all healthy, each service's state); errors name their type, never a URL or password."""
    states = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            states[name] = check()
        except Exception as error:
            logger.exception("Health check of the %s failed", name)
            states[name] = f"unavailable ({type(error).__name__})"
            healthy = False
    return healthy, states
