"""A real Chromium (Debian's) driven by Playwright against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group

from tests.factories import UserFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 375, "height": 812}


# Per module, not per session: Playwright's event loop must be gone before the tests
# outside tests/e2e use the ORM in this thread.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it lives; the
    # ORM calls the tests and their database fixtures make meanwhile are still synchronous.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


def labelled(scope, label: str):
    """The control a label names, whole, so "Password" is not "Password (again)"; a
    required field's label ends in "*" and, for screen readers, "(required)"."""
    name = re.compile(rf"^{re.escape(label)}(\s*\*)?(\s*\(required\))?$")
    return scope.get_by_label(name)


def assert_accessible(axe: Axe, page) -> None:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, results.generate_report()


# The people of the browser tests. The homeowner's phone differs from the demo city's
# contact numbers, so a page that shows one never passes for showing the other.
@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and permit PDFs go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homeowner(demo_city):
    return UserFactory(
        username="rdelgado",
        first_name="Rosa",
        last_name="Delgado",
        email="rosa.delgado@example.org",
        phone="424-555-0187",
        email_verified=True,
    )


@pytest.fixture
def clerk(demo_city):
    clerk = UserFactory(
        username="clerk",
        first_name="Ada",
        last_name="Okafor",
        is_staff=True,
        account_type="staff",
        email="clerk@city.example",
    )
    clerk.groups.add(Group.objects.get(name="Permit Center"))
    return clerk
