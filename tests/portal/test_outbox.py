"""The transactional outbox: a task a change asks for is kept with the change, sent once
it commits, and kept for beat's flush when the broker cannot take it."""

import datetime
import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from portal.models import PendingTask
from portal.outbox import SENDING_GRACE, pending_tasks_send
from portal.tasks import pending_tasks_flush, sessions_clear_expired
from tests.brokers import CLOSED_PORT_REDIS, celery_broker
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
        caplog.at_level(logging.ERROR, "portal.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sessions_clear_expired.delay_on_commit()

    (pending,) = PendingTask.objects.all()
    assert pending.attempts == 1
    assert "Connection refused" in pending.last_error or "Error" in pending.last_error
    assert "could not be sent" in caplog.text
    assert Session.objects.filter(pk=session.pk).exists()


def test_while_the_broker_refuses_requests_leave_their_tasks_to_the_flush(
    django_capture_on_commit_callbacks,
):
    with celery_broker(CLOSED_PORT_REDIS):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                sessions_clear_expired.delay_on_commit()
        # Only the first waited for the refusal.
        assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 0, 1]

        # The flush still tries, and says so again.
        PendingTask.objects.update(created_at=timezone.now() - SENDING_GRACE)
        assert pending_tasks_send() == 0
        assert sorted(PendingTask.objects.values_list("attempts", flat=True)) == [0, 0, 2]


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
