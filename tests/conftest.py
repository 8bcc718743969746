import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The variables that decide which services the settings pick.
SERVICE_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "RECAPTCHA_PUBLIC_KEY",
    "RECAPTCHA_PRIVATE_KEY",
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows must not linger there."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_city(db):
    call_command("load_demo_city", stdout=open(os.devnull, "w"))  # noqa: SIM115


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python after django.setup() in a fresh process with only `env` configured."""
    clean_env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    clean_env.update(env)
    clean_env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def redis_broker(settings):
    """A real Redis broker: skipped on a laptop without REDIS_URL, a failure in CI."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        message = "REDIS_URL is not set, so there is no broker to test against"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must provide one)")
        pytest.skip(message)
    return settings.CELERY_BROKER_URL


def pytest_sessionfinish(session, exitstatus):
    """In CI every test must run: a skip there fails the run."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI runs every test, but {len(skipped)} were skipped.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
