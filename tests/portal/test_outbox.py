"""The transactional outbox: a task a change asks for is kept with the change, sent once
it commits, and kept for beat's flush when the broker cannot take it."""

import contextlib
import datetime
import logging
import signal
from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal import outbox
from portal.email import email_send
from portal.models import PendingTask
from portal.outbox import SENDING_GRACE, pending_tasks_send
from portal.tasks import email_deliver, pending_tasks_flush, sessions_clear_expired
from tests.brokers import CLOSED_PORT_REDIS, celery_broker
from tests.conftest import run_django
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def expired_session() -> Session:
    return Session.objects.create(
        session_key="expired" + "0" * 25,
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(days=1),
    )


def test_a_task_is_kept_with_the_change_and_sent_once_it_commits(
    django_capture_on_commit_callbacks,
):
    session = expired_session()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sessions_clear_expired.delay_on_commit()
        (pending,) = PendingTask.objects.all()
        assert (pending.task_name, pending.args, pending.kwargs) == (
            "portal.tasks.sessions_clear_expired",
            [],
            {},
        )
        assert Session.objects.filter(pk=session.pk).exists()

    assert not Session.objects.filter(pk=session.pk).exists()
    assert not PendingTask.objects.exists()


def test_a_change_rolled_back_asks_for_nothing(django_capture_on_commit_callbacks):
    session = expired_session()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sessions_clear_expired.delay_on_commit()
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not PendingTask.objects.exists()
    assert Session.objects.filter(pk=session.pk).exists()


def test_arguments_travel_with_the_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        sessions_clear_expired.apply_async_on_commit()
        pending_tasks_flush.delay_on_commit()
    assert list(PendingTask.objects.values_list("task_name", flat=True)) == [
        "portal.tasks.sessions_clear_expired",
        "portal.tasks.pending_tasks_flush",
    ]
    with pytest.raises(TypeError):
        sessions_clear_expired.apply_async_on_commit(countdown=5)


def test_with_the_broker_down_the_change_stands_and_the_task_waits(
    django_capture_on_commit_callbacks, caplog
):
    session = expired_session()
    with (
        celery_broker(CLOSED_PORT_REDIS),
        caplog.at_level(logging.WARNING, "portal.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sessions_clear_expired.delay_on_commit()

    (pending,) = PendingTask.objects.all()
    assert pending.attempts == 1
    assert "Connection refused" in pending.last_error or "Error" in pending.last_error
    assert "could not be sent" in caplog.text
    assert Session.objects.filter(pk=session.pk).exists()


class _TookTooLong(BaseException):
    """Not an Exception, so that no handler on the way takes it for a failed send."""


@contextlib.contextmanager
def _within(seconds: float) -> Iterator[None]:
    def interrupt(signum, frame):
        raise _TookTooLong(f"still waiting after {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_broker_that_takes_the_connection_and_never_answers_costs_seconds(
    redis_server, django_capture_on_commit_callbacks
):
    with (
        celery_broker(redis_server.url(0)),
        redis_server.hung(),
        _within(seconds=15),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sessions_clear_expired.delay_on_commit()

    (pending,) = PendingTask.objects.all()
    assert pending.attempts == 1
    assert "Timeout" in pending.last_error


def test_a_failed_send_that_cannot_be_counted_still_leaves_the_request_be(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def breaks():
        raise OSError("disk full")

    def database_gone(queryset, **changes):
        raise OperationalError("the database went away")

    monkeypatch.setattr(sessions_clear_expired, "run", breaks)
    with (
        monkeypatch.context() as database,
        caplog.at_level(logging.ERROR, "portal.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        database.setattr(QuerySet, "update", database_gone)
        sessions_clear_expired.delay_on_commit()

    (pending,) = PendingTask.objects.all()
    assert pending.attempts == 0
    assert "its failed attempt could not be counted" in caplog.text


def test_while_the_broker_refuses_requests_leave_their_tasks_to_the_flush(
    django_capture_on_commit_callbacks,
):
    with celery_broker(CLOSED_PORT_REDIS):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                sessions_clear_expired.delay_on_commit()
        # Only the first waited for the refusal.
        assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 0, 1]

        # The flush still tries, one that has not failed yet, and says so again.
        PendingTask.objects.update(created_at=timezone.now() - SENDING_GRACE)
        assert pending_tasks_send() == 0
        assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 1, 1]


def test_a_task_that_fails_in_process_is_kept_and_the_request_goes_on(
    django_capture_on_commit_callbacks, monkeypatch
):
    def breaks():
        raise OSError("disk full")

    monkeypatch.setattr(sessions_clear_expired, "run", breaks)
    with django_capture_on_commit_callbacks(execute=True):
        sessions_clear_expired.delay_on_commit()

    (pending,) = PendingTask.objects.all()
    assert (pending.attempts, pending.last_error) == (1, "OSError: disk full")


def test_the_flush_sends_what_waited_oldest_first_and_leaves_recent_ones_to_their_request():
    now = timezone.now()
    old = PendingTask.objects.create(
        task_name="portal.tasks.sessions_clear_expired", created_at=now - SENDING_GRACE * 3
    )
    older = PendingTask.objects.create(
        task_name="portal.tasks.sessions_clear_expired", created_at=now - SENDING_GRACE * 4
    )
    recent = PendingTask.objects.create(
        task_name="portal.tasks.sessions_clear_expired", created_at=now
    )
    session = expired_session()

    assert pending_tasks_send(now=now) == 2

    assert list(PendingTask.objects.all()) == [recent]
    assert not Session.objects.filter(pk=session.pk).exists()
    assert {old.pk, older.pk}.isdisjoint(PendingTask.objects.values_list("pk", flat=True))


def test_the_flush_stops_at_the_first_task_the_broker_refuses():
    long_ago = timezone.now() - SENDING_GRACE * 2
    for _ in range(3):
        PendingTask.objects.create(
            task_name="portal.tasks.sessions_clear_expired", created_at=long_ago
        )

    with celery_broker(CLOSED_PORT_REDIS):
        assert pending_tasks_flush.apply().get() == 0

    assert list(PendingTask.objects.values_list("attempts", flat=True)) == [1, 0, 0]


def test_a_task_that_cannot_be_sent_for_another_reason_does_not_hold_up_the_rest():
    long_ago = timezone.now() - SENDING_GRACE * 2
    unknown = PendingTask.objects.create(task_name="a.task.since.removed", created_at=long_ago)
    PendingTask.objects.create(task_name="portal.tasks.sessions_clear_expired", created_at=long_ago)

    assert pending_tasks_send() == 1

    (kept,) = PendingTask.objects.all()
    assert kept == unknown
    assert kept.attempts == 1 and "a.task.since.removed" in kept.last_error


def test_tasks_that_keep_failing_fall_behind_so_the_rest_still_go_out(monkeypatch):
    long_ago = timezone.now() - SENDING_GRACE * 2
    for _ in range(2):
        PendingTask.objects.create(
            task_name="a.task.since.removed", created_at=long_ago - SENDING_GRACE
        )
    waiting = PendingTask.objects.create(
        task_name="portal.tasks.sessions_clear_expired", created_at=long_ago
    )
    monkeypatch.setattr(outbox, "FLUSH_BATCH", 2)

    assert pending_tasks_send() == 0
    assert pending_tasks_send() == 1

    assert not PendingTask.objects.filter(pk=waiting.pk).exists()
    assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [1, 2]


def test_an_email_sent_again_after_a_crash_arrives_once(django_capture_on_commit_callbacks):
    user = UserFactory(username="rosa")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_send(template_prefix="email/welcome", to=[user.email], context={"user": user})
    (pending,) = PendingTask.objects.all()
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1

    # The process died after the broker took the task, before its row was deleted.
    PendingTask.objects.create(
        task_name=pending.task_name,
        args=pending.args,
        kwargs=pending.kwargs,
        created_at=timezone.now() - SENDING_GRACE,
    )
    assert pending_tasks_send() == 1

    assert len(mail.outbox) == 1
    assert not PendingTask.objects.exists()


def test_beat_flushes_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["pending-tasks-flush"] == {
        "task": "portal.tasks.pending_tasks_flush",
        "schedule": 60.0,
    }


def test_staff_see_what_waits_and_send_it_now(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, account_type="staff")
    client.force_login(admin)
    waiting = PendingTask.objects.create(
        task_name="portal.tasks.sessions_clear_expired",
        attempts=3,
        last_error="OperationalError: Error 111 connecting to redis:6379. Connection refused.",
    )

    listing = client.get("/admin/portal/pendingtask/").content.decode()
    assert "portal.tasks.sessions_clear_expired" in listing and "Connection refused" in listing
    assert client.get(f"/admin/portal/pendingtask/{waiting.pk}/change/").status_code == 200

    response = client.post(
        "/admin/portal/pendingtask/",
        {"action": "send_now", "_selected_action": [waiting.pk]},
        follow=True,
    )
    assert "1 sent." in response.content.decode()
    assert not PendingTask.objects.exists()


def test_the_admin_shows_no_email_text_and_a_superuser_deletes_a_task_that_cannot_run(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, account_type="staff")
    client.force_login(admin)
    email = PendingTask.objects.create(
        task_name=email_deliver.name,
        kwargs={"to": ["rosa@example.com"], "body": "Reset: /accounts/password/reset/key/S3CRET/"},
    )
    removed = PendingTask.objects.create(task_name="a.task.since.removed")

    page = client.get(f"/admin/portal/pendingtask/{email.pk}/change/").content.decode()
    assert email_deliver.name in page
    assert "S3CRET" not in page and "rosa@example.com" not in page

    response = client.post(
        f"/admin/portal/pendingtask/{removed.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert list(PendingTask.objects.all()) == [email]

    client.force_login(UserFactory(username="clerk", is_staff=True, account_type="staff"))
    assert client.get(f"/admin/portal/pendingtask/{email.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "name", ["permits.tasks.permit_pdf_render", "licensing.tasks.license_certificate_render"]
)
def test_a_task_asked_for_by_name_is_found_in_a_process_that_never_imported_it(name):
    # A web server's process: django.setup() only, no worker start, nothing imported the
    # tasks module that services name their PDF tasks from.
    result = run_django(
        f"from portal.celery import app\n"
        f"print({name!r} in app.tasks)\n"
        f"from portal.outbox import task_named\n"
        f"print(task_named({name!r}).name)\n",
        {},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", name]
