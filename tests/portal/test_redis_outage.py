"""A fault test with a real Redis, stopped and started again: while it is down a person
submits a permit and pays for it, every page answers, and the permit PDF and the emails
follow once Redis is back, through a real Celery worker."""

import time

import pytest
from django.core import mail
from django.utils import timezone

from payments.models import Payment
from permits.models import Permit
from portal.config import redis_cache
from portal.models import PendingTask
from portal.outbox import SENDING_GRACE, pending_tasks_send
from tests.brokers import celery_broker, celery_worker_running
from tests.factories import UserFactory
from tests.permits.support import permit_draft_complete

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def portal_on_its_own_redis(settings, tmp_path, redis_server, demo_city):
    settings.PORTAL_URL = "http://testserver"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": redis_cache(redis_server.url(1))}
    with celery_broker(redis_server.url(0)):
        yield redis_server


def test_a_permit_is_submitted_and_paid_with_redis_down_and_its_work_follows_its_return(
    client, portal_on_its_own_redis
):
    redis = portal_on_its_own_redis
    rosa = UserFactory(username="rosa", email="rosa@example.org", email_verified=True)
    draft = permit_draft_complete(rosa, "WHTR")
    client.force_login(rosa)

    redis.stop()

    submitted = client.post(f"/permits/applications/{draft.pk}/submit/")
    assert submitted.status_code == 302
    permit = Permit.objects.get(pk=draft.pk)
    assert permit.status == Permit.Status.APPROVED  # over the counter: fees due at once
    for page in ("/", "/dashboard/", f"/permits/applications/{permit.pk}/", "/help/"):
        assert client.get(page).status_code == 200, page

    checkout = client.post("/payments/pay/", {"invoice": [permit.invoice_id]})
    assert checkout.status_code == 302
    paid = client.post(
        checkout.url,
        {"card_number": "4242 4242 4242 4242", "expiry": "12/40", "cvc": "123", "name": "Rosa"},
    )
    assert paid.status_code == 302
    receipt = client.get(paid.url, follow=True)
    assert receipt.status_code == 200
    assert "Visa card ending in 4242" in receipt.content.decode()

    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    assert Payment.objects.get(payer=rosa).status == Payment.Status.SUCCEEDED
    assert not permit.pdf
    assert mail.outbox == []
    waiting = list(PendingTask.objects.values_list("task_name", flat=True))
    assert "permits.tasks.permit_pdf_render" in waiting
    emails = waiting.count("portal.tasks.email_deliver")
    assert emails >= 2  # the submission's and the receipt's at least

    redis.start()
    with celery_worker_running():
        # What beat's flush does once a minute.
        assert pending_tasks_send(now=timezone.now() + SENDING_GRACE) == len(waiting)
        assert wait_for(lambda: len(mail.outbox) == emails)
        assert wait_for(lambda: bool(Permit.objects.get(pk=permit.pk).pdf))

    assert not PendingTask.objects.exists()
    assert rosa.email in {address for message in mail.outbox for address in message.to}
