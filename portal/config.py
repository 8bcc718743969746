"""Turn connection URLs from the environment into Django settings, failing loudly.

Kept apart from settings.py so the parsing can be tested without re-importing settings.
A malformed URL stops start-up with a message that names the variable, rather than
surfacing later as a confusing driver error on the first request.
"""

from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}


def _split(url: str, variable: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError as error:
        raise ImproperlyConfigured(f"{variable} is malformed: {error}.") from error
    return parts


def database_from_url(url: str, *, variable: str = "DATABASE_URL") -> dict:
    """Django DATABASES entry for a postgres:// or sqlite:// URL."""
    parts = _split(url, variable)
    if parts.scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{variable} is malformed: scheme {parts.scheme!r} is not one of "
            f"{', '.join(sorted(DATABASE_SCHEMES))} (for example "
            "postgres://USER:PASSWORD@HOST:5432/NAME)."
        )
    if parts.scheme != "sqlite" and not (parts.hostname and parts.path.strip("/")):
        raise ImproperlyConfigured(
            f"{variable} is malformed: it needs a host and a database name "
            "(for example postgres://USER:PASSWORD@HOST:5432/NAME)."
        )
    config = environ.Env.db_url_config(url)
    if parts.scheme != "sqlite":
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def sqlite_database(path: Path) -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}


def redis_url(url: str, *, variable: str = "REDIS_URL") -> str:
    """The URL itself once it is known to be a usable redis:// or rediss:// URL."""
    parts = _split(url, variable)
    if parts.scheme not in REDIS_SCHEMES or not parts.hostname:
        raise ImproperlyConfigured(
            f"{variable} is malformed: expected redis://HOST:6379/0 or rediss://..., "
            f"got scheme {parts.scheme!r} and host {parts.hostname!r}."
        )
    database = parts.path.strip("/") or "0"
    if not database.isdigit():
        raise ImproperlyConfigured(
            f"{variable} is malformed: the database after the last / must be a number, "
            f"got {database!r}."
        )
    return url


def redis_url_for_cache(broker_url: str) -> str:
    """The broker's Redis server, one database number up.

    The cache must not share the broker's database: clearing the cache (FLUSHDB)
    would otherwise drop every queued task.
    """
    parts = urlsplit(broker_url)
    database = int(parts.path.strip("/") or "0")
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


def redis_cache(url: str) -> dict:
    """Django CACHES entry for the Redis cache at `url`, which fails open (portal/cache.py):
    with Redis down, pages are served without a cache instead of answering 500."""
    return {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "portal",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
