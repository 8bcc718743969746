import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache

from tests.skips import NEEDS_POSTGRES, NEEDS_REDIS_BROKER

pytest_plugins = ["tests.database", "tests.brokers"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The variables that decide which services the settings pick.
SERVICE_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PORTAL_URL",
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

# A worker's own Redis databases: its broker's and, one up, its cache's.
REDIS_DATABASES_PER_WORKER = 2


def worker_redis_url(url: str, worker_number: int) -> str:
    """`url` moved up past the run's own Redis databases and the workers' before this one."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or "0")
    database += REDIS_DATABASES_PER_WORKER * (worker_number + 1)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """Each xdist worker gets Redis databases of its own: on shared ones a worker's
    cache.clear() (FLUSHDB) would empty the other's cache, and its Celery worker would
    take the other's tasks. The controller puts the URLs in each worker's environment,
    so the worker's settings read them; a conftest in the worker would come too late,
    after pytest-django has loaded the settings."""
    for worker_number, spec in enumerate(specs):
        for variable in ("REDIS_URL", "CACHE_URL"):
            if os.environ.get(variable):
                spec.env[variable] = worker_redis_url(os.environ[variable], worker_number)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows must not linger there."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing strength is Django's concern; the tests only need hashing to happen."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def _skip_reason(report) -> str:
    return (
        report.longrepr[2].removeprefix("Skipped: ") if isinstance(report.longrepr, tuple) else ""
    )


def pytest_sessionfinish(session, exitstatus):
    """In CI every test must run: a skip there fails the run. The one exception is CI's
    pass on the embedded defaults (CI_EMBEDDED_DEFAULTS, see .ci/run), where a test that
    needs Postgres or the Redis broker is skipped: the pass on the real services runs it."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI_EMBEDDED_DEFAULTS"):
        needs_a_service = (NEEDS_POSTGRES, NEEDS_REDIS_BROKER)
        skipped = [
            report for report in skipped if not _skip_reason(report).startswith(needs_a_service)
        ]
    if skipped:
        reporter.write_line(f"CI runs every test, but {len(skipped)} were skipped.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Figures printed at the end of every run that has the tests giving them, read from the
# tests' reports, so they show under pytest-xdist too: a test's own lines of figures (the
# fuzz test's, the HTML check's), and each PDF the PDF/UA check went through, as (name,
# problems found) (tests/pdf_ua).
SUMMARY_PROPERTY = "summary"
PDF_UA_PROPERTY = "pdf_ua"


def pytest_terminal_summary(terminalreporter):
    checked = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", "") != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == SUMMARY_PROPERTY:
                    terminalreporter.write_line(value)
                elif name == PDF_UA_PROPERTY:
                    checked.append(value)
    if checked:
        problems = sum(found for _pdf, found in checked)
        failing = sorted(pdf for pdf, found in checked if found)
        terminalreporter.write_line(
            f"PDF/UA: {len(checked)} PDFs checked, {problems} errors"
            + (f" (in {', '.join(failing)})" if failing else ""),
            red=bool(problems),
        )
