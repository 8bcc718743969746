"""The Celery app: configuration, on-commit enqueueing, and a real worker on Redis."""

from datetime import timedelta

import pytest
from celery.contrib.django.task import DjangoTask
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.utils import timezone

from portal.celery import app as celery_app
from portal.tasks import sessions_clear_expired


def make_sessions() -> tuple[Session, Session]:
    now = timezone.now()
    expired = Session.objects.create(
        session_key="expired" + "0" * 25, session_data="", expire_date=now - timedelta(days=1)
    )
    current = Session.objects.create(
        session_key="current" + "0" * 25, session_data="", expire_date=now + timedelta(days=1)
    )
    return expired, current


def test_tasks_are_acknowledged_late_time_limited_and_json_only():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit == 300
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert isinstance(sessions_clear_expired, DjangoTask)  # has delay_on_commit


def test_every_periodic_task_in_the_beat_schedule_exists():
    assert celery_app.conf.beat_schedule
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks


def test_clearing_expired_sessions_keeps_current_ones_and_can_run_twice(db):
    expired, current = make_sessions()

    sessions_clear_expired.apply().get()
    sessions_clear_expired.apply().get()

    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=current.pk).exists()


@pytest.fixture
def tasks_in_process():
    """Run enqueued tasks in-process, whatever the broker, to watch when they run."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_task_enqueued_on_commit_waits_for_the_commit(
    db, tasks_in_process, django_capture_on_commit_callbacks
):
    expired, _ = make_sessions()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            sessions_clear_expired.delay_on_commit()
        assert Session.objects.filter(pk=expired.pk).exists()

    assert len(callbacks) == 1
    callbacks[0]()
    assert not Session.objects.filter(pk=expired.pk).exists()


@pytest.fixture
def celery_worker(redis_broker, transactional_db):
    """A real worker thread consuming from the Redis broker."""

    # The worker thread opens its own database connection; close it after each task so
    # the test database can be dropped at the end of the run.
    def close_worker_connections(**kwargs):
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    import celery.contrib.testing.tasks  # noqa: F401 - the ping task start_worker waits on

    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=True) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connections)


def test_a_real_worker_runs_a_task_to_completion(celery_worker):
    expired, current = make_sessions()

    result = sessions_clear_expired.delay()

    result.get(timeout=30)
    assert result.successful()
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=current.pk).exists()
