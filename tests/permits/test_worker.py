"""A real Celery worker on Redis renders the PDF of a permit issued at the counter."""

import time

import pytest
from pypdf import PdfReader

from permits.models import Permit
from tests.permits.issuing import permit_issued

WAIT_SECONDS = 60


def wait_for_pdf(permit_id: int) -> Permit:
    """The permit once the worker has stored its PDF; the test polls as a person would."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        permit = Permit.objects.get(pk=permit_id)
        if permit.pdf:
            return permit
        time.sleep(0.25)
    pytest.fail(f"No PDF for permit {permit_id} after {WAIT_SECONDS} seconds")


@pytest.mark.worker
# The worker needs committed rows.
@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_pdf_of_a_permit_issued_at_the_counter(
    celery_worker, homeowner, clerk
):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)
    assert permit.status == Permit.Status.ISSUED

    permit = wait_for_pdf(permit.pk)

    assert permit.pdf.name == f"permits/pdf/{permit.number}.pdf"
    with permit.pdf.open("rb") as pdf:
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert permit.number in text
