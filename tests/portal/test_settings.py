"""Settings pick their services from the environment; each case runs in a fresh process."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.config import database_from_url, redis_url, redis_url_for_cache
from tests.conftest import run_django

REPORT = """
import json
from django.conf import settings as s
from django.core.mail import get_connection
print(json.dumps({
    "debug": s.DEBUG,
    "engine": s.DATABASES["default"]["ENGINE"],
    "database_name": str(s.DATABASES["default"]["NAME"]),
    "cache_backend": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION", ""),
    "broker": s.CELERY_BROKER_URL,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "email_backend": type(get_connection()).__module__,
    "session_cookie_secure": s.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": s.CSRF_COOKIE_SECURE,
    "hsts": s.SECURE_HSTS_SECONDS,
    "proxy_header": s.SECURE_PROXY_SSL_HEADER,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
}))
"""

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 30 + "-a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "permits.example.gov",
    "PORTAL_URL": "https://permits.example.gov",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.gov:587",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
    "RECAPTCHA_PUBLIC_KEY": "recaptcha-public",
    "RECAPTCHA_PRIVATE_KEY": "recaptcha-private",
}


def settings_with(env: dict[str, str]) -> dict:
    result = run_django(REPORT, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_no_variables_runs_on_the_embedded_defaults():
    report = settings_with({})
    assert report["debug"] is True
    assert report["engine"] == "django.db.backends.sqlite3"
    assert report["database_name"].endswith("db.sqlite3")
    assert report["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert report["eager"] is True
    assert report["broker"] == "memory://"
    assert report["email_backend"] == "django.core.mail.backends.console"
    assert report["session_cookie_secure"] is False


def test_database_and_redis_urls_switch_to_postgres_redis_cache_and_broker():
    report = settings_with(
        {
            "DEBUG": "true",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert report["debug"] is True
    assert report["engine"] == "django.db.backends.postgresql"
    assert report["database_name"] == "portal"
    assert report["cache_backend"] == "portal.cache.FailOpenRedisCache"
    # The cache sits one database above the broker, so clearing it never drops tasks.
    assert report["cache_location"] == "redis://127.0.0.1:6379/1"
    assert report["broker"] == "redis://127.0.0.1:6379/0"
    assert report["eager"] is False


def test_production_is_secure_behind_a_proxy():
    report = settings_with(PRODUCTION)
    assert report["debug"] is False
    assert report["session_cookie_secure"] is True
    assert report["csrf_cookie_secure"] is True
    assert report["hsts"] >= 31_536_000
    assert report["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert report["ssl_redirect"] is True
    assert report["email_backend"] == "django.core.mail.backends.smtp"
    assert report["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_passes_the_deployment_checklist():
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')",
        PRODUCTION,
    )
    assert result.returncode == 0, result.stderr


def test_production_without_payment_and_captcha_keys_is_flagged_by_the_checklist():
    env = {
        key: value
        for key, value in PRODUCTION.items()
        if not key.startswith(("STRIPE", "RECAPTCHA"))
    }
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')",
        env,
    )
    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "portal.W002" in result.stderr


def test_production_with_an_http_portal_url_is_flagged_by_the_checklist():
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')",
        {**PRODUCTION, "PORTAL_URL": "http://permits.example.gov"},
    )
    assert result.returncode != 0
    assert "portal.W003" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"EMAIL_URL": ""}, "EMAIL_URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_on_a_development_default(overrides, named):
    env = {**PRODUCTION, **overrides}
    env = {key: value for key, value in env.items() if value}
    result = run_django("", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


@pytest.mark.parametrize("service", ["DATABASE_URL", "REDIS_URL"])
def test_real_services_without_debug_are_taken_for_production(service):
    url = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }[service]
    result = run_django("", {service: url})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr
    assert "set DEBUG=true" in result.stderr


def test_the_city_time_zone_default_follows_the_server_without_a_migration():
    result = run_django(
        "from django.core.management import call_command\n"
        "from portal.models import City\n"
        "call_command('makemigrations', check=True, dry_run=True, verbosity=0)\n"
        "print(City().time_zone)",
        {"TIME_ZONE": "America/Denver"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "America/Denver"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://root@localhost/portal"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:port/portal"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("REDIS_URL", "redis://127.0.0.1:notaport/0"),
        ("REDIS_URL", "redis://127.0.0.1:6379/zero"),
        ("CACHE_URL", "memcached://127.0.0.1:11211"),
    ],
)
def test_a_malformed_url_stops_start_up_naming_the_variable(variable, value):
    env = {variable: value}
    if variable == "CACHE_URL":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    result = run_django("", env)
    assert result.returncode != 0
    assert f"{variable} is malformed" in result.stderr


def test_database_url_keeps_connections_healthy_and_bounded():
    config = database_from_url("postgres://portal:pw@db:5432/portal")
    assert config["HOST"] == "db"
    assert config["PORT"] == 5432
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["connect_timeout"] == 5


def test_sqlite_database_url_is_accepted():
    assert database_from_url("sqlite:////tmp/portal.sqlite3")["NAME"] == "/tmp/portal.sqlite3"


def test_redis_url_errors_name_the_variable_they_came_from():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL is malformed"):
        redis_url("http://cache:6379/0", variable="CACHE_URL")


@pytest.mark.parametrize(
    ("broker", "cache"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://:secret@redis:6379", "redis://:secret@redis:6379/1"),
        ("rediss://redis:6380/4", "rediss://redis:6380/5"),
    ],
)
def test_cache_defaults_to_the_database_above_the_broker(broker, cache):
    assert redis_url_for_cache(broker) == cache
