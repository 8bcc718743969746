"""Work a committed change asked for is never lost: a transactional outbox for Celery.

`task.delay_on_commit(...)` writes a PendingTask row in the caller's transaction, so the
row commits exactly when the change does. Once it has, the row is handed to the broker
and deleted. When the broker cannot be reached (Redis down) or, on the embedded
defaults, the task run in-process fails, the person's request still ends as it would
have, the trouble is logged, and the row stays: beat's `pending_tasks_flush` sends what
is left every minute, once the broker is back. While the broker refuses, requests stop
trying for half a minute, so an outage does not slow every page that asks for a task.
A task may run twice (sent, but the row not yet deleted when the process died), which
the portal's tasks allow: each finds its work done and returns.
"""

import datetime
import functools
import logging
import time

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

# A row younger than this is still its own request's to send.
SENDING_GRACE = datetime.timedelta(seconds=60)
# How many rows one flush sends at most; the next minute's takes the rest.
FLUSH_BATCH = 500
# After the broker refused a task, requests leave theirs to the flush for this long
# instead of each waiting for the refusal (about a second with kombu's retries).
BROKER_RETRY_AFTER_SECONDS = 30


class _BrokerOutage:
    def __init__(self) -> None:
        self.retry_at = 0.0

    def is_on(self) -> bool:
        return time.monotonic() < self.retry_at

    def begin(self) -> None:
        self.retry_at = time.monotonic() + BROKER_RETRY_AFTER_SECONDS

    def end(self) -> None:
        self.retry_at = 0.0


broker_outage = _BrokerOutage()


class OutboxTask(DjangoTask):
    """The project's task class (portal/celery.py): enqueueing on commit goes through
    the outbox. Enqueue-time options (countdown, queue, ...) are not kept; no task of the
    portal's uses them."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        pending_task_add(task_name=self.name, args=list(args), kwargs=kwargs)

    def apply_async_on_commit(self, args=(), kwargs=None, **options) -> None:
        if options:
            raise TypeError(f"the outbox keeps no enqueue options: {sorted(options)}")
        pending_task_add(task_name=self.name, args=list(args or ()), kwargs=dict(kwargs or {}))


def task_enqueue_on_commit(task_name: str, *args) -> None:
    """`delay_on_commit` for code that may not import the task: a service below the
    tasks module that wraps it asks for the task by its registered name."""
    pending_task_add(task_name=task_name, args=list(args), kwargs={})


def pending_task_add(*, task_name: str, args: list, kwargs: dict) -> None:
    """Keep the task with the caller's change, and send it once that commits."""
    from portal.models import PendingTask

    pending = PendingTask.objects.create(task_name=task_name, args=args, kwargs=kwargs)
    transaction.on_commit(functools.partial(_pending_task_send_now, pending.pk))


def _pending_task_send_now(pending_id: int) -> None:
    if not broker_outage.is_on():
        pending_task_send(pending_id=pending_id)


def task_named(name: str):
    """The registered task of that name. A process that only sends tasks (the web server)
    has registered those whose module something imported; a task asked for by name
    (task_enqueue_on_commit) may not be one yet, so the apps' tasks modules are imported
    first, as a worker does when it starts."""
    from portal.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def pending_task_send(*, pending_id: int) -> bool:
    """Hand one kept task to the broker (on the embedded defaults: run it) and forget it.
    False when that failed and the task is kept for the next flush. Never raises: it runs
    after a person's change has committed, which must not turn into an error page."""
    from portal.models import PendingTask

    try:
        with transaction.atomic():
            pending = (
                PendingTask.objects.select_for_update(skip_locked=True)
                .filter(pk=pending_id)
                .first()
            )
            if pending is None:
                return True  # sent already, or being sent by a flush right now
            # Nobody reads these tasks' results: asking for none also keeps the result
            # backend (Redis, with retries of its own for 20 seconds) out of the send.
            task_named(pending.task_name).apply_async(
                args=pending.args, kwargs=pending.kwargs, ignore_result=True
            )
            pending.delete()
    except Exception as error:
        _pending_task_failed(pending_id, error)
        return False
    broker_outage.end()
    return True


def _pending_task_failed(pending_id: int, error: Exception) -> None:
    from portal.models import PendingTask

    if isinstance(error, KombuOperationalError):
        # The broker is away: one line, not a traceback, each time a request or the
        # flush finds it so.
        broker_outage.begin()
        logger.warning(
            "Pending task %s could not be sent (%s); the next flush tries again",
            pending_id,
            error,
        )
    else:
        logger.exception(
            "Pending task %s could not be sent; the next flush tries again", pending_id
        )
    try:
        PendingTask.objects.filter(pk=pending_id).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:500]
        )
    except Exception:
        # The database may be what failed; the row stays as it was, still to be sent.
        logger.exception("Pending task %s: its failed attempt could not be counted", pending_id)


def pending_tasks_send(*, now: datetime.datetime | None = None) -> int:
    """Send the kept tasks their own requests did not, until the broker refuses one; the
    number sent. The oldest of those that failed least go first, so a task that fails
    for another reason than the broker (one no longer known, say) falls behind the
    rest, and however many such tasks pile up, the others still go out."""
    from portal.models import PendingTask

    now = now or timezone.now()
    due = (
        PendingTask.objects.filter(created_at__lte=now - SENDING_GRACE)
        .order_by("attempts", "created_at", "id")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pending_id in list(due[:FLUSH_BATCH]):
        if pending_task_send(pending_id=pending_id):
            sent += 1
        elif broker_outage.is_on():
            break
    return sent
