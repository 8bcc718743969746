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


class CspViolations:
    """The Content-Security-Policy violations of the pages in the browser contexts watched.

    Chromium reports each one as an error on the page's console, with or without the page's
    JavaScript, in words that name the policy: "Applying inline style violates the following
    Content Security Policy directive ...".
    """

    def __init__(self):
        self.messages: list[str] = []

    def watch(self, context) -> None:
        context.on("console", self._record)

    def _record(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            # Chromium's own reports come without a source location; the page says where.
            where = message.location["url"] or (message.page.url if message.page else "")
            self.messages.append(f"{where}: {message.text}")

    def assert_none(self) -> None:
        if self.messages:
            pytest.fail(
                "the page broke its Content-Security-Policy:\n" + "\n".join(self.messages),
                pytrace=False,
            )


@pytest.fixture
def csp_violations():
    """Fails the test, once it has run, if any page it opened broke the policy."""
    violations = CspViolations()
    yield violations
    violations.assert_none()


@pytest.fixture
def new_context(browser, csp_violations):
    """Opens browser contexts (with `browser.new_context`'s options) whose pages are
    watched for policy violations; all are closed when the test ends, which also delivers
    the console messages still on their way."""
    contexts = []

    def open_context(**options):
        # Bootstrap scrolls smoothly unless the person asks for less motion; a button still
        # gliding after Playwright scrolled a field into view is "not stable", and each
        # click then waits up to a second for it to stand still.
        context = browser.new_context(**{"reduced_motion": "reduce", **options})
        csp_violations.watch(context)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


@pytest.fixture(scope="session")
def axe():
    return Axe()


def labelled(scope, label: str):
    """The control a label names, whole, so "Password" is not "Password (again)"; a
    required field's label ends in "*" and, for screen readers, "(required)"."""
    name = re.compile(rf"^{re.escape(label)}(\s*\*)?(\s*\(required\))?$")
    return scope.get_by_label(name)


# axe-core preloads a stylesheet that another one imports (the admin's forms.css imports
# widgets.css) by adding a <style>@import ...</style> element, which the Content-Security-Policy
# refuses; only its experimental css-orientation-lock rule reads them, and the tags above leave
# that rule out.
AXE_PRELOAD = {"assets": ["media"]}


def assert_accessible(axe: Axe, page) -> None:
    options = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "preload": AXE_PRELOAD,
        # Details of the violations only, not of every rule that passed: half the time.
        "resultTypes": ["violations"],
    }
    results = axe.run(page, options=options)
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
