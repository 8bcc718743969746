"""The Celery application: tasks live in each app's tasks.py.

Code enqueues with `task.delay_on_commit(...)`, or, in a service the tasks module
imports, `task_enqueue_on_commit(name, ...)`: a worker never sees a row its transaction
has not committed yet, and the task is kept in the transactional outbox
(portal/outbox.py) until the broker has taken it.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="portal.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
