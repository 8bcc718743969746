"""The fuzzer: visits every URL pattern as each kind of person, reads the forms the pages
offer, then sends Hypothesis-made GETs and POSTs, each in a transaction rolled back after
it, so every request meets the same world. It counts requests and 500s, and keeps each
distinct 500 with what caused it."""

import contextlib
import itertools
import logging
import sys
import time
import traceback
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.fuzz import strategies
from tests.fuzz.site import (
    Form,
    Page,
    Pattern,
    bindings,
    is_ours,
    page_read,
    pattern_for,
    url_patterns,
)
from tests.fuzz.world import (
    ANONYMOUS,
    CONTRACTOR,
    FINANCE,
    INSPECTOR,
    PERMIT_CENTER,
    PUBLIC,
    STAFF,
    SUPERUSER,
    VISITORS,
    World,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHOWN = 80  # characters of a value shown in the report
NO_PAGE = Page(post_forms=[], query={})
PORTAL_VISITORS = (PUBLIC, CONTRACTOR, ANONYMOUS, PERMIT_CENTER, INSPECTOR, FINANCE, SUPERUSER)


@dataclass
class Failure:
    method: str
    pattern: str
    user: str
    url: str
    params: str
    error: str
    where: str
    trace: str = ""
    count: int = 1


@dataclass
class Case:
    """One thing to fuzz: a pattern's GET, or a form's POST, as one person."""

    key: str  # names the case for its Hypothesis seed: no primary keys, which vary by run
    method: str
    pattern: Pattern
    user: str
    binding: dict[str, str]  # the world's path parameters; empty when it has none
    page: Page = field(default_factory=lambda: NO_PAGE)
    form: Form | None = None
    action: str = ""  # the URL the form posts to, as the page wrote it


def _shown(value) -> str:
    if isinstance(value, strategies.Upload):
        return f"<file {value.name[:40]!r}, {len(value.content)} bytes>"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(part) for part in value) + "]"
    text = repr(value)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(str(value))} chars)"


def _params(values) -> str:
    if isinstance(values, str):
        return _shown(values)
    return "{" + ", ".join(f"{_shown(key)}: {_shown(value)}" for key, value in values.items()) + "}"


def _where(exc_info) -> str:
    """The last frame of the portal's code in the traceback, else the last frame."""
    frames = traceback.extract_tb(exc_info[2])
    if not frames:
        return "?"
    ours = [frame for frame in frames if _portal_file(frame.filename)]
    frame = (ours or frames)[-1]
    filename = Path(frame.filename)
    if filename.is_relative_to(PROJECT_ROOT):
        filename = filename.relative_to(PROJECT_ROOT)
    return f"{filename}:{frame.lineno} in {frame.name}"


def _portal_file(filename: str) -> bool:
    path = Path(filename)
    if not path.is_relative_to(PROJECT_ROOT):
        return False
    return path.relative_to(PROJECT_ROOT).parts[0] not in (".venv", "tests")


def _error(exc_info) -> str:
    if not exc_info:
        return "a 500 response without an exception"
    message = str(exc_info[1]).strip().splitlines()
    return f"{exc_info[0].__name__}: {message[0][:200] if message else ''}"


def _files(value):
    if isinstance(value, strategies.Upload):
        return SimpleUploadedFile(value.name, value.content, content_type=value.content_type)
    if isinstance(value, list):
        return [_files(part) for part in value]
    return value


def _encodable(value):
    if isinstance(value, strategies.Upload):
        return value.name
    if isinstance(value, list):
        return [_encodable(part) for part in value]
    return value


@contextlib.contextmanager
def quiet_logs() -> Iterator[None]:
    """Thousands of 404s and 400s are the point here, not news: no log lines for them, nor
    the warning Django gives for each odd date an admin filter is sent."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r".*received a naive datetime", RuntimeWarning)
            yield
    finally:
        logging.disable(before)


def _interleaved(*groups: list[Case]) -> list[Case]:
    """Round-robin over the groups, so a small budget reaches some of each."""
    out = []
    for index in range(max((len(group) for group in groups), default=0)):
        out.extend(group[index] for group in groups if index < len(group))
    return out


@dataclass
class Fuzzer:
    world: World
    requests: int = 0
    errors: int = 0
    failures: dict[tuple, Failure] = field(default_factory=dict)
    clients: dict[str, tuple[Client, str]] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # (method, pattern, user, status)
    seconds: Counter = field(default_factory=Counter)  # spent on each (method, pattern)

    def __post_init__(self) -> None:
        self.patterns = url_patterns()
        for name, user in self.world.users.items():
            client = Client(raise_request_exception=False)
            session = ""
            if user is not None:
                client.force_login(user)
                session = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.clients[name] = (client, session)

    # One request ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        user: str,
        url: str,
        pattern: Pattern,
        *,
        query: dict | str | None = None,
        post: strategies.PostData | None = None,
    ):
        """One request as `user`, and for a POST answered with a redirect to a page of ours,
        the GET of that page that a browser makes next (where what was saved shows), in a
        transaction rolled back after them, with the cache and outbox emptied too. Returns
        the response, or None for a 500."""
        client, session = self.clients[user]
        client.cookies.clear()
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        sent = query if method == "GET" else post.data
        with transaction.atomic():
            response = self._counted(client, method, user, url, pattern, sent, query, post)
            if method == "POST" and response is not None and response.status_code in (302, 303):
                target = response["Location"]
                found = pattern_for(self.patterns, target) if is_ours(target) else None
                if found is not None:
                    after = {"(after the POST to)": url, **post.data}
                    self._counted(client, "GET", user, target, found[0], after)
            transaction.set_rollback(True)
        cache.clear()
        mail.outbox.clear()
        return response

    def _counted(self, client, method, user, url, pattern, sent, query=None, post=None):
        started = time.perf_counter()
        try:
            if method == "GET":
                if isinstance(query, str):
                    response = client.get(f"{url}?{query}")
                else:
                    response = client.get(url, query or {})
            elif post.urlencoded:
                response = client.post(
                    url,
                    urlencode({k: _encodable(v) for k, v in post.data.items()}, doseq=True),
                    content_type="application/x-www-form-urlencoded",
                )
            else:
                response = client.post(url, {k: _files(v) for k, v in post.data.items()})
            exc_info = response.exc_info
            if response.streaming:
                # A download that fails as it is read is a 500 too. (Reading it to the end
                # closes it the test client's way, which leaves the database connection
                # open; response.close() would close it.)
                b"".join(response.streaming_content)
        except Exception:
            response, exc_info = None, sys.exc_info()
        self.requests += 1
        self.seconds[(method, pattern.label)] += time.perf_counter() - started
        status = response.status_code if response is not None else 500
        self.statuses[(method, pattern.label, user, status)] += 1
        if status == 500:
            self.errors += 1
            self._record(method, pattern, user, url, sent, exc_info)
            return None
        return response

    def _record(self, method, pattern, user, url, params, exc_info) -> None:
        error, where = _error(exc_info), _where(exc_info) if exc_info else ""
        key = (method, pattern.label, user, error.split(":")[0], where)
        if key in self.failures:
            self.failures[key].count += 1
            return
        self.failures[key] = Failure(
            method=method,
            pattern=pattern.label,
            user=user,
            url=url[:200],
            params=_params(params or {})[:1500],
            error=error,
            where=where,
            trace="".join(traceback.format_exception(*exc_info)) if exc_info else "",
        )

    # The run --------------------------------------------------------------------------------

    def visits(self) -> tuple[list[Case], list[Case]]:
        """Every pattern once first, each by another person in turn (staff for the admin);
        then the other pairings of a pattern's URLs with people, a pattern at a time in
        turn, so that a budget cut short still reaches every pattern."""
        first, others = [], []
        for number, pattern in enumerate(self.patterns):
            # The admin is for staff; the portal's pages mostly for the public and
            # contractors, who come first. Whoever is not staff meets the admin's login
            # page: once per pattern will do.
            admin = pattern.namespace == "admin"
            people = STAFF if admin else PORTAL_VISITORS
            start = number % (len(STAFF) if admin else 2)
            found = bindings(pattern, self.world)
            pairs = [
                (index, people[(start + turn) % len(people)])
                for index in range(len(found) or 1)
                for turn in range(len(people))
            ]
            if admin:
                pairs += [(0, ANONYMOUS), (0, VISITORS[1 + number % 2])]
            cases = [
                Case(
                    key=f"GET {user} {pattern.label} {index if found else 'made-up'}",
                    method="GET",
                    pattern=pattern,
                    user=user,
                    binding=found[index] if found else {},
                )
                for index, user in pairs
            ]
            first.append(cases[0])
            others.append(cases[1:])
        return first, _interleaved(*others)

    def visit(self, case: Case) -> HttpResponse | None:
        """GET the page as it is; keep the forms and query parameters it offers. Returns
        the response: None for a 500, or for a pattern the world has nothing to fill with."""
        if case.pattern.params and not case.binding:
            return None  # nothing of the world's to fill it with: fuzzed only
        url = case.pattern.url(case.binding)
        response = self.send("GET", case.user, url, case.pattern)
        if (
            response is not None
            and response.status_code == 200
            and not response.streaming
            and "html" in response.get("Content-Type", "")
        ):
            case.page = page_read(url, response.content.decode(errors="replace"))
        return response

    def run(self, budget: int) -> None:
        """At least `budget` requests: plain visits, then Hypothesis-made ones."""
        first, rest = self.visits()
        # Plain visits take a third of the budget at most; the first round is always made.
        visits = first + rest[: max(0, budget // 3 - len(first))]
        for case in visits:
            self.visit(case)
        cases = self.cases(visits)
        # The rest is shared out by weight, a form's POST three times a GET's; again until
        # it is spent, as Hypothesis stops early on a case with few values to try.
        weights = [3 if case.form is not None else 1 for case in cases]
        for round_number in itertools.count():
            left = budget - self.requests
            if left <= 0 or not cases:
                break
            before, given, total = self.requests, 0, sum(weights)
            for case, weight in zip(cases, weights, strict=True):
                examples = (given + weight) * left // total - given * left // total
                given += weight
                if examples:
                    self.fuzz(case, examples, round_number)
            if self.requests == before:
                break

    def cases(self, visits: list[Case]) -> list[Case]:
        """A POST case for every distinct form the visits saw, a GET case for every visit,
        and a blind POST (fields the views read, no form) to every pattern no form posts to;
        interleaved, so that a small budget reaches some of each."""
        posts, seen, posted = [], set(), set()
        for visit in visits:
            for action, form in visit.page.post_forms:
                found = pattern_for(self.patterns, action)
                if found is None:
                    continue
                pattern, binding = found
                key = (visit.user, pattern.label, form.names())
                if key in seen:
                    continue
                seen.add(key)
                posted.add(pattern.label)
                posts.append(
                    Case(
                        key=f"POST {visit.user} {pattern.label} {len(seen)}",
                        method="POST",
                        pattern=pattern,
                        user=visit.user,
                        binding=binding,
                        form=form,
                        action=action,
                    )
                )
        gets = [
            Case(
                key=f"{visit.key} fuzz",
                method="GET",
                pattern=visit.pattern,
                user=visit.user,
                binding=visit.binding,
                page=visit.page,
            )
            for visit in visits
        ]
        blind, labels = [], set()
        for visit in visits:
            label = visit.pattern.label
            if label in posted or label in labels or visit.user == ANONYMOUS:
                continue
            labels.add(label)
            blind.append(
                Case(
                    key=f"POST {visit.user} {label} blind",
                    method="POST",
                    pattern=visit.pattern,
                    user=visit.user,
                    binding=visit.binding,
                    page=visit.page,
                )
            )
        return _interleaved(posts, gets, blind)

    def fuzz(self, case: Case, examples: int, round_number: int = 0) -> None:
        """`examples` requests of this case, made by Hypothesis from the case's own seed."""
        pattern = case.pattern
        made_up_path = st.fixed_dictionaries(
            {
                name: strategies.path_value(
                    pattern.param_regexes.get(name, ".+"),
                    [case.binding[name]] if name in case.binding else [],
                )
                for name in pattern.params
            }
        )

        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @seed(zlib.crc32(f"{case.key} {round_number}".encode()))
        @given(data=st.data())
        def example(data):
            # The world's own path parameters mostly; made-up ones one time in five.
            values = case.binding
            if pattern.params and (
                not case.binding or data.draw(st.integers(0, 4), label="path made up") == 4
            ):
                values = data.draw(made_up_path, label="path")
            url = case.action if case.action and values is case.binding else pattern.url(values)
            if case.method == "GET":
                query = data.draw(strategies.query(case.page.query), label="query")
                self.send("GET", case.user, url, pattern, query=query)
            else:
                form = case.form
                post = strategies.post_data(form) if form else strategies.blind_post()
                self.send("POST", case.user, url, pattern, post=data.draw(post, label="post"))

        example()

    def report(self) -> str:
        lines = [
            f"{self.errors} of {self.requests} requests answered 500; "
            f"{len(self.failures)} distinct:"
        ]
        for failure in self.failures.values():
            lines += [
                f"- {failure.method} {failure.pattern} as {failure.user} "
                f"({failure.count}x), e.g. {failure.url}",
                f"  {failure.error}",
                f"  at {failure.where}",
                f"  sent {failure.params}",
            ]
        return "\n".join(lines)
