from celery import shared_task

from accounts import services


@shared_task(name="accounts.tasks.lockouts_purge_expired_scheduled")
def lockouts_purge_expired_scheduled() -> int:
    """Beat: delete lockout records whose cool-off has passed. Idempotent."""
    return services.lockouts_purge_expired()
