"""What every test finds in its database, whatever ran before it in the same worker.

pytest-django wraps a test in a transaction that is rolled back (a `TestCase`), unless the
test is transactional (`transaction=True`, `live_server`, `celery_worker`): then its writes
are committed and every table is emptied when it ends, the rows the migrations made
(content types, permissions, the staff groups) included. Two rules keep tests
independent of their order and of how many workers share them out:

- **The migrations' rows come back after every emptying.** A transactional test takes
  serialized rollback, so emptying leaves the tables bare (no post_migrate refill); the
  next test, of either kind, finds the rows serialized after migrating put back here
  first, committed, a table at a time (Django's own reload saves them a row at a time).
- **The demo city is loaded once per worker, not once per test.** Tests that ask for
  `demo_city` run inside one outer transaction holding it; each test's own transaction is
  a savepoint inside, rolled back as usual. The outer transaction is rolled back before a
  test that does not ask for the demo city, or that commits. A transactional test gets
  its own committed copy, emptied with the rest: the worker's first loads it and keeps
  every row as serialized; the next ones get those rows back a table at a time. Tests
  are grouped so that a worker enters the outer transaction about once; in any other
  order they pass all the same, only slower.

On Postgres, the tables are emptied with DELETE rather than Django's TRUNCATE, which
makes every table anew: a third of a second a test for tables holding a few rows.
"""

import os
from collections import defaultdict

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model

from tests.skips import NEEDS_POSTGRES

DEMO_CITY = "demo_city"
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "celery_worker"}


def _marker_of(node) -> pytest.Mark | None:
    return node.get_closest_marker("django_db")


def is_transactional(node, fixturenames) -> bool:
    marker = _marker_of(node)
    return bool(
        TRANSACTIONAL_FIXTURES & set(fixturenames) or (marker and marker.kwargs.get("transaction"))
    )


def _uses_database(item: pytest.Item) -> bool:
    return bool(_marker_of(item) or {"db", *TRANSACTIONAL_FIXTURES} & set(item.fixturenames))


# What a transactional test tells Django to reload as it starts: nothing, because the rows
# are back already. Serialized rollback still stops the emptying at its end from making
# the migrations' rows again.
NOTHING_TO_RELOAD = "[]"


def demo_city_load() -> None:
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_city", stdout=quiet)


def _sql_flush_by_delete(style, tables, *, reset_sequences=False, allow_cascade=False):
    """Postgres' `sql_flush`, deleting the rows: the foreign keys Django makes are checked
    at commit, by when every table is empty. A test that resets sequences (none does)
    gets Django's own."""
    if reset_sequences or allow_cascade:
        return type(connection.ops).sql_flush(
            connection.ops,
            style,
            tables,
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )
    # The names are Django's own tables', quoted.
    return [f"DELETE FROM {connection.ops.quote_name(table)};" for table in tables]  # noqa: S608


class SerializedRows:
    """Rows as `serialize_db_to_string` wrote them, put back into emptied tables with one
    INSERT per table and batch, as they were: raw, so no `auto_now` field is touched."""

    def __init__(self, serialized: str) -> None:
        self.by_model: dict[type[Model], list[Model]] = defaultdict(list)
        for deserialized in serializers.deserialize("json", serialized):
            row = deserialized.object
            self.by_model[type(row)].append(row)
            for name, keys in deserialized.m2m_data.items():
                field = row._meta.get_field(name)
                through = field.remote_field.through
                source = through._meta.get_field(field.m2m_field_name()).attname
                target = through._meta.get_field(field.m2m_reverse_field_name()).attname
                self.by_model[through].extend(
                    through(**{source: row.pk, target: key}) for key in keys
                )

    def insert(self) -> None:
        with transaction.atomic(), connection.constraint_checks_disabled():
            for model, rows in self.by_model.items():
                fields = [
                    field
                    for field in model._meta.concrete_fields
                    if not (field.primary_key and rows[0].pk is None)
                ]
                batch = connection.ops.bulk_batch_size(fields, rows) or len(rows)
                for start in range(0, len(rows), batch):
                    model._base_manager._insert(rows[start : start + batch], fields, raw=True)
            connection.check_constraints(
                table_names=[model._meta.db_table for model in self.by_model]
            )


class _WorkerDatabase:
    """The state of this worker's test database between tests."""

    def __init__(self) -> None:
        self.emptied = False  # by a transactional test, since the migrations' rows came back
        self.demo_city: transaction.Atomic | None = None  # the open outer transaction
        self.blocker = None
        # The rows the migrations made, as Django serialized them after migrating.
        self.migrated_rows: SerializedRows | None = None
        # Those and the demo city's, once a transactional test of this worker loaded it.
        self.demo_city_rows: SerializedRows | None = None

    def leave_demo_city_unless_wanted(self, item: pytest.Item) -> None:
        wants_demo_city = DEMO_CITY in item.fixturenames and not is_transactional(
            item, item.fixturenames
        )
        if self.demo_city is not None and not wants_demo_city:
            self.demo_city_close()

    def prepare_for(self, request: pytest.FixtureRequest, blocker) -> None:
        if is_transactional(request.node, request.fixturenames):
            # On this context's connection: a browser test's Playwright runs the test in a
            # context of its own, where Django opens a connection of its own.
            connection._test_serialized_contents = NOTHING_TO_RELOAD
            if connection.vendor == "postgresql":
                connection.ops.sql_flush = _sql_flush_by_delete
            if DEMO_CITY in request.fixturenames:
                self.demo_city_commit()
            elif self.emptied:
                self.migrated_rows.insert()
            # Emptied again as it ends.
            self.emptied = True
            return
        if self.emptied:
            self.migrated_rows.insert()
            self.emptied = False
        if DEMO_CITY in request.fixturenames and self.demo_city is None:
            if self.blocker is None:
                # Registered after pytest-django's session fixtures, so it runs before
                # they drop the test databases.
                request.session.addfinalizer(self.demo_city_close)
            self.blocker = blocker
            self.demo_city = transaction.atomic()
            self.demo_city.__enter__()
            demo_city_load()

    def demo_city_commit(self) -> None:
        """The migrations' rows and the demo city, committed, in tables holding the first
        (not emptied) or nothing (emptied)."""
        if not self.emptied:
            demo_city_load()
        elif self.demo_city_rows is not None:
            self.demo_city_rows.insert()
        else:
            with transaction.atomic():
                self.migrated_rows.insert()
                demo_city_load()
            self.demo_city_rows = SerializedRows(connection.creation.serialize_db_to_string())

    def demo_city_close(self) -> None:
        if self.demo_city is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.demo_city.__exit__(None, None, None)
        self.demo_city = None


_worker_database = _WorkerDatabase()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On Postgres, a commit of the tests' does not wait for the disk (4 ms a commit on
    this machine's): a browser test commits every request, a transactional test every
    write and its emptying. A crash could lose the last commits of a database the run
    throws away anyway."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup) -> None:
    """pytest-django's, keeping the rows the migrations made (serialized only when a test
    of the session is transactional: none other empties the tables)."""
    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized is not None:
        _worker_database.migrated_rows = SerializedRows(serialized)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (tests in a transaction, then transactional tests, then
    tests without a database): within the first group, the demo city's tests last, so a
    worker enters its outer transaction once. Transactional tests take serialized
    rollback (see the module's docstring)."""
    for item in items:
        if is_transactional(item, item.fixturenames):
            marker = _marker_of(item)
            kwargs = {**(marker.kwargs if marker else {}), "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)

    def group(item: pytest.Item) -> tuple[int, bool]:
        if not _uses_database(item):
            return (2, False)
        if is_transactional(item, item.fixturenames):
            return (1, False)
        return (0, DEMO_CITY in item.fixturenames)

    items.sort(key=group)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked `postgres` on another database before its fixtures are set up;
    leave the demo city before any of the test's fixtures runs (a browser test's
    Playwright switches to a context of its own, where Django opens another connection)."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip(f"{NEEDS_POSTGRES}: {item.get_closest_marker('postgres').args[0]}")
    _worker_database.leave_demo_city_unless_wanted(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Before pytest-django opens a test's transaction (its private `_django_db_helper`
    fixture, set up from the `django_db` marker or from the `db` fixtures alike), make the
    database what the test expects. Fixtures cannot do this: pytest-django's own autouse
    fixture opens the transaction before any of ours runs."""
    if fixturedef.argname == "_django_db_helper":
        blocker = request.getfixturevalue("django_db_blocker")
        with blocker.unblock():
            _worker_database.prepare_for(request, blocker)
    yield


@pytest.fixture
def demo_city(db) -> None:
    """The demo city (departments, FAQ, permit, inspection and license catalogues), loaded
    before the test's database fixtures (`_WorkerDatabase.prepare_for`)."""
