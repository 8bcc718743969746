"""Every page is valid HTML, as the W3C's Nu HTML checker (vnu) reads it.

The test client opens every URL pattern with each of the fuzz test's world's objects
(tests/fuzz/world.py: a permit in each state, licenses, inspections, payments): the
portal's pages as an anonymous visitor, a public user, a contractor and staff; the
admin's as a superuser, and its lists, forms and first rows as the staff of each group.
Every form those pages offer is then sent with nothing filled in, which shows its errors;
a few states a query string makes (search results, a license check) and the error pages
(404, 500, a refused CSRF token, a locked account) come last. Each distinct page is
written to a folder, and vnu checks them all in one run."""

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from licensing.models import BusinessLicense
from tests.conftest import SUMMARY_PROPERTY
from tests.fuzz.engine import Case, Fuzzer, quiet_logs
from tests.fuzz.site import Form, Pattern, bindings, pattern_for
from tests.fuzz.strategies import PostData
from tests.fuzz.world import (
    ANONYMOUS,
    CONTRACTOR,
    FINANCE,
    INSPECTOR,
    MONDAY_MORNING,
    PERMIT_CENTER,
    PUBLIC,
    SUPERUSER,
    TUESDAY,
    World,
    world_build,
)
from tests.vnu import Message, vnu_check, vnu_require

PORTAL_VISITORS = (ANONYMOUS, PUBLIC, CONTRACTOR, PERMIT_CENTER)
# The superuser sees every control of every admin page; each group's staff, what its
# permissions leave of them.
ADMIN_VISITORS = (SUPERUSER, PERMIT_CENTER, INSPECTOR, FINANCE)

# What differs between two renderings of the same page: the Content-Security-Policy
# nonce and the CSRF token are new on every request.
PER_REQUEST = re.compile(r'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@dataclass(frozen=True)
class KnownError:
    """An error in markup of Django's own that no template or widget of ours writes."""

    text: str
    extract: str  # a piece of the markup vnu quotes around it
    why: str

    def matches(self, message: Message) -> bool:
        return message.text == self.text and self.extract in message.extract


KNOWN_ERRORS = (
    KnownError(
        "Attribute “disabled” not allowed on element “div” at this point.",
        'id="id_password"',
        "Django's ReadOnlyPasswordHashWidget (the admin's user page) writes the disabled "
        "field's attributes on the <div> that shows the password's hash.",
    ),
    KnownError(
        "No “p” element in scope but a “p” end tag seen.",
        "</li></ul></p>",
        "Django's admin/auth/user/change_password.html puts the help text of "
        "AdminPasswordChangeForm.usable_password, which holds a list, inside a <p>.",
    ),
)


@dataclass
class Pages:
    """The distinct HTML pages the test has seen, each written to `folder` once."""

    folder: Path
    responses: int = 0
    hashes: set[str] = field(default_factory=set)
    where: dict[str, str] = field(default_factory=dict)  # file name: how the page was had

    def add(self, how: str, response: HttpResponse | None) -> None:
        if (
            response is None
            or response.streaming
            or not response.content
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return
        self.responses += 1
        html = response.content.decode()
        digest = hashlib.sha256(PER_REQUEST.sub("", html).encode()).hexdigest()
        if digest in self.hashes:
            return
        self.hashes.add(digest)
        name = f"{len(self.hashes):04d}.html"
        (self.folder / name).write_text(html)
        self.where[name] = f"{how} ({response.status_code})"


def _people(pattern: Pattern, index: int) -> tuple[str, ...]:
    """Who opens the pattern's page of the world's `index`th object (0 for a page of none)."""
    if pattern.namespace != "admin":
        # Staff own none of the world's objects: a page of one shows them the 404 page.
        return PORTAL_VISITORS[:-1] if pattern.params else PORTAL_VISITORS
    if pattern.name == "admin:login":
        return (ANONYMOUS,)
    if not pattern.params or (index == 0 and pattern.name.endswith("_change")):
        # What each group's permissions leave of the lists, the forms and a row's page.
        return ADMIN_VISITORS
    return (SUPERUSER,)


def _visits(fuzzer: Fuzzer) -> list[Case]:
    """A GET of every pattern with each of the world's objects, by each who should see it."""
    return [
        Case(
            key=f"GET {user} {pattern.label} {index}",
            method="GET",
            pattern=pattern,
            user=user,
            binding=binding,
        )
        for pattern in fuzzer.patterns
        for index, binding in enumerate(bindings(pattern, fuzzer.world))
        for user in _people(pattern, index)
    ]


def _nothing_filled_in(form: Form) -> PostData:
    """The form as sent by its first button with no field filled in: its hidden fields."""
    return PostData(
        data={item.name: item.value for item in form.fields if item.kind == "hidden"},
        urlencoded=True,
    )


def _query_pages(world: World) -> list[tuple[str, str]]:
    """(who, URL) of the pages a query string changes: results, none, and the errors."""
    number = world.values[("permits", "number")][0]
    license_number = BusinessLicense.objects.get(pk=world.values[("licensing", "pk")][0]).number
    return [
        (ANONYMOUS, f"/permits/search/?q={number}"),
        (ANONYMOUS, "/permits/search/?q=Hawthorne"),
        (ANONYMOUS, "/permits/search/?q=nothing-like-it"),
        (ANONYMOUS, "/permits/search/?q="),
        (ANONYMOUS, "/licenses/verify/?" + urlencode({"number": license_number})),
        (ANONYMOUS, "/licenses/verify/?number=nothing-like-it"),
        (ANONYMOUS, "/accounts/login/?as=contractor"),
        (ANONYMOUS, "/accounts/password/reset/?as=contractor"),
        (SUPERUSER, f"/admin/permits/permit/?q={number}"),
        (SUPERUSER, "/admin/permits/permit/?q=nothing-like-it"),
        (SUPERUSER, f"/admin/inspections/inspection/daily/?date={TUESDAY.isoformat()}"),
        (SUPERUSER, "/admin/inspections/inspection/daily/?date=not-a-date"),
        (SUPERUSER, "/admin/payments/payment/deposit-report/?day=not-a-date"),
    ]


def _error_pages(world: World, pages: Pages) -> None:
    """Not found, a server error, a form refused for its CSRF token, a locked account."""
    anonymous = Client(raise_request_exception=False)
    pages.add("GET /no/such/page/ as anonymous", anonymous.get("/no/such/page/"))
    signed_in = Client()
    signed_in.force_login(world.users[PUBLIC])
    pages.add("GET /no/such/page/ as public", signed_in.get("/no/such/page/"))
    with override_settings(ROOT_URLCONF="tests.portal.urls_failing"):
        pages.add("GET /fail/ as anonymous", anonymous.get("/fail/"))
    refused = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "rosa"})
    pages.add("POST /accounts/login/ without a CSRF token", refused)
    for _attempt in range(5):
        locked = anonymous.post("/accounts/login/", {"login": "rosa", "password": "wrong"})
    pages.add("POST /accounts/login/ a fifth wrong password", locked)


def _report(errors: list[Message], pages: Pages) -> str:
    lines = [f"{len(errors)} HTML errors in {len({error.file for error in errors})} pages:"]
    for error in errors:
        lines += [
            f"- {pages.where.get(error.file, error.file)}, line {error.line}, column "
            f"{error.column}: {error.text}",
            f"  {error.extract.strip()!r}",
        ]
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "http://testserver"


def test_every_page_is_valid_html(demo_city, time_machine, tmp_path, record_property):
    vnu_require()
    started = time.perf_counter()
    time_machine.move_to(MONDAY_MORNING, tick=True)
    folder = tmp_path / "pages"
    folder.mkdir()
    pages = Pages(folder)
    fuzzer = Fuzzer(world_build())
    visits = _visits(fuzzer)
    with quiet_logs():
        for case in visits:
            pages.add(f"GET {case.pattern.url(case.binding)} as {case.user}", fuzzer.visit(case))
        posted = set()
        for case in fuzzer.cases(visits):
            # A form's errors look the same to whoever sends it: once each, by the first
            # person who saw it.
            if case.form is None or (case.pattern.label, case.form.names()) in posted:
                continue
            posted.add((case.pattern.label, case.form.names()))
            response = fuzzer.send(
                "POST", case.user, case.action, case.pattern, post=_nothing_filled_in(case.form)
            )
            pages.add(f"POST {case.action} as {case.user}, nothing filled in", response)
        for user, url in _query_pages(fuzzer.world):
            path, _mark, query = url.partition("?")
            pattern, _binding = pattern_for(fuzzer.patterns, path)
            pages.add(f"GET {url} as {user}", fuzzer.send("GET", user, path, pattern, query=query))
        _error_pages(fuzzer.world, pages)
    rendered = time.perf_counter() - started

    messages = vnu_check(folder)
    errors = [
        message for message in messages if not any(known.matches(message) for known in KNOWN_ERRORS)
    ]
    record_property(
        SUMMARY_PROPERTY,
        f"HTML validity: {len(pages.where)} pages validated (of {pages.responses} HTML "
        f"responses), {len(errors)} errors, {len(messages) - len(errors)} known in Django's "
        f"own markup ({rendered:.0f} s rendering, "
        f"{time.perf_counter() - started - rendered:.0f} s checking)",
    )
    assert not errors, _report(errors, pages)
    gone = [known.why for known in KNOWN_ERRORS if not any(map(known.matches, messages))]
    assert not gone, f"Django no longer writes these; drop them from KNOWN_ERRORS: {gone}"
