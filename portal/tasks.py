from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.tasks.sessions_clear_expired")
def sessions_clear_expired() -> None:
    """Delete expired sessions; running it twice finds nothing left to delete."""
    call_command("clearsessions")
