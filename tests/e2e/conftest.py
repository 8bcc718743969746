"""A real Chromium (Debian's) driven by Playwright against pytest-django's live server."""

import os
import re
from html import escape
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


# WCAG 1.4.10 (Reflow): content reads at 320 CSS px wide, the width of 1280 px zoomed to
# 400 %, without scrolling sideways; a data table may scroll inside its own region.
REFLOW = {"width": 320, "height": 568}
REFLOW_BINDING = "__portalReflowSnapshot"
REFLOW_SENT = "__portalReflowSent"

# Each page a watched context loads sends, once loaded, its document as it then stands
# (after its scripts ran) to the test. Sent from the page as it loads, the snapshot cannot
# miss a page the test leaves at once, as asking for it afterwards could; REFLOW_SENT
# settles once the test has it. Serialized only, never cloned: with a clone, Chromium now
# and then applied to the page itself a style attribute its Content-Security-Policy had
# refused (test_content_security_policy caught it).
REFLOW_SNAPSHOT_SCRIPT = f"""
if (window.top === window && location.protocol.startsWith("http")) {{
  window.{REFLOW_SENT} = new Promise((sent) => {{
    window.addEventListener("load", () => {{
      const doctype = document.doctype ? "<!doctype html>" : "";
      sent(window.{REFLOW_BINDING}(location.href, doctype + document.documentElement.outerHTML));
    }});
  }});
}}
"""

# Null when the document does not scroll sideways; otherwise how wide it is and the
# element that reaches furthest past the right edge (the innermost one when an element and
# the box it widens reach as far). Anything inside a box that clips or scrolls its own
# overflow (Bootstrap's .table-responsive) stays out of the document's width.
REFLOW_OVERFLOW = r"""
() => {
  const root = document.documentElement;
  const limit = root.clientWidth;
  if (root.scrollWidth <= limit) return null;
  const contained = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  let worst = null;
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const spills = getComputedStyle(element).overflowX === "visible";
    const reach = spills ? Math.max(box.right, box.left + element.scrollWidth) : box.right;
    if (reach <= limit + 0.5 || contained(element)) continue;
    const further = !worst || reach > worst.reach + 1;
    const inner = worst && reach >= worst.reach - 1 && worst.element.contains(element);
    if (further || inner) worst = { element, reach, width: box.width };
  }
  const selector = (element) =>
    element.tagName.toLowerCase() +
    (element.id ? "#" + element.id : "") +
    [...element.classList].map((name) => "." + name).join("");
  // Its path up to the nearest ancestor with an id, four steps at most, and its text.
  const describe = (element) => {
    const path = [selector(element)];
    let up = element.id ? null : element.parentElement;
    for (; up && path.length < 5; up = up.id ? null : up.parentElement) {
      path.unshift(selector(up));
    }
    const text = element.textContent.replace(/\s+/g, " ").trim().slice(0, 60);
    return `${path.join(" > ")} "${text}"`;
  };
  return {
    scrollWidth: root.scrollWidth,
    element: worst ? describe(worst.element) : "none found",
    reach: worst ? Math.round(worst.reach) : 0,
    width: worst ? Math.round(worst.width) : 0,
  };
}
"""


HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def at_its_address(html: str, url: str) -> str:
    """A snapshot with its page's address for a base, so its stylesheets and images load."""
    base = f'<base href="{escape(url)}">'
    return HEAD.sub(lambda head: head[0] + base, html, count=1)


class ReflowFailures:
    """The pages of the watched contexts that scroll sideways at 320 CSS px.

    Every page a test loads is drawn again, as it was loaded, in a 320 px wide page of the
    module's own; the check runs when the test ends, like the policy's, so it never moves
    the page the test is using.
    """

    def __init__(self, viewer):
        self.viewer = viewer
        self.snapshots: list[tuple[str, str]] = []

    def watch(self, context) -> None:
        context.expose_binding(REFLOW_BINDING, self._record)
        context.add_init_script(REFLOW_SNAPSHOT_SCRIPT)

    def _record(self, _source, url: str, html: str) -> None:
        self.snapshots.append((url, html))

    def collect(self, context) -> None:
        """Waits for the snapshots of the pages still open in `context`: the last page a
        test opened may still be loading when the test ends."""
        for page in context.pages:
            page.wait_for_load_state()
            page.evaluate(f"() => window.{REFLOW_SENT}")

    def assert_none(self) -> None:
        failures = {}
        for url, html in self.snapshots:
            self.viewer.set_content(at_its_address(html, url))
            overflow = self.viewer.evaluate(REFLOW_OVERFLOW)
            if overflow:
                # A page loaded twice alike is told once.
                failures[
                    f"{url}: {overflow['scrollWidth']} px wide at {REFLOW['width']} px; "
                    f"sticking out furthest: {overflow['element']}, {overflow['width']} px "
                    f"wide, reaching {overflow['reach']} px"
                ] = True
        if failures:
            pytest.fail(
                f"pages scroll sideways at {REFLOW['width']} CSS px (WCAG 1.4.10):\n"
                + "\n".join(failures),
                pytrace=False,
            )


@pytest.fixture(scope="module")
def reflow_viewer(browser):
    """The page snapshots are drawn in; without JavaScript, so the scripts they carry, which
    already ran in the page, do not run again."""
    context = browser.new_context(
        viewport=REFLOW, reduced_motion="reduce", java_script_enabled=False
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def reflow_failures(reflow_viewer):
    """Fails the test, once it has run, if any page it loaded scrolls sideways at 320 px.
    Pages loaded without JavaScript send no snapshot, so they go unchecked, as do those of
    a context the test closes itself before they finish loading."""
    failures = ReflowFailures(reflow_viewer)
    yield failures
    failures.assert_none()


@pytest.fixture
def new_context(browser, csp_violations, reflow_failures):
    """Opens browser contexts (with `browser.new_context`'s options) whose pages are
    watched for policy violations and checked for reflow. When the test ends, the
    snapshots of the pages still open are waited for and all contexts are closed, which
    also delivers the console messages still on their way."""
    contexts = []
    reflow_contexts = []

    def open_context(**options):
        # Bootstrap scrolls smoothly unless the person asks for less motion; a button still
        # gliding after Playwright scrolled a field into view is "not stable", and each
        # click then waits up to a second for it to stand still.
        context = browser.new_context(**{"reduced_motion": "reduce", **options})
        csp_violations.watch(context)
        if options.get("java_script_enabled", True):
            reflow_failures.watch(context)
            reflow_contexts.append(context)
        contexts.append(context)
        return context

    yield open_context
    for context in reflow_contexts:
        reflow_failures.collect(context)
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


@pytest.fixture(autouse=True)
def _portal_is_the_live_server(settings, live_server):
    """The test checkout, and every link the portal makes to itself, send the person back
    to addresses made from PORTAL_URL."""
    settings.PORTAL_URL = live_server.url


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
