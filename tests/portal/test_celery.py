"""The Celery app: configuration, on-commit enqueueing, and a real worker on Redis."""

from datetime import timedelta

from celery.contrib.django.task import DjangoTask
from django.contrib.sessions.models import Session
from django.db import transaction
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
    celery_app.loader.import_default_modules()  # what a worker does at start-up
    assert celery_app.conf.beat_schedule
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks


def test_clearing_expired_sessions_keeps_current_ones_and_can_run_twice(db):
    expired, current = make_sessions()

    sessions_clear_expired.apply().get()
    sessions_clear_expired.apply().get()

    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=current.pk).exists()


def test_a_task_enqueued_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    expired, _ = make_sessions()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            sessions_clear_expired.delay_on_commit()
        assert Session.objects.filter(pk=expired.pk).exists()

    assert len(callbacks) == 1
    callbacks[0]()
    assert not Session.objects.filter(pk=expired.pk).exists()


def test_a_real_worker_runs_a_task_to_completion(celery_worker):
    expired, current = make_sessions()

    result = sessions_clear_expired.delay()

    result.get(timeout=30)
    assert result.successful()
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=current.pk).exists()
