"""The Celery application: tasks live in each app's tasks.py.

Tasks are DjangoTask instances, so code enqueues with `task.delay_on_commit(...)`
and a worker never sees a row its transaction has not committed yet.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
