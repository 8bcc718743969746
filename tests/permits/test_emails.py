"""The emails a status change sends: to the applicant and their contractor, with the
number, the status, the Permit Center's message and a link to the permit page."""

import pytest
from django.core import mail

from permits import services
from permits.models import Permit, PermitType
from tests.permits.issuing import fees_paid_at_counter
from tests.permits.support import permit_draft_complete, permit_submitted

PORTAL_URL = "https://permits.example.gov"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL_URL


@pytest.fixture
def reviewed_reroof(demo_city):
    """Reroofs are approved over the counter in the demo city; this city reviews them."""
    PermitType.objects.filter(code_prefix="RERF").update(is_over_the_counter=False)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a change and return the messages it sent once its transaction committed."""

    def run(change):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return list(mail.outbox)

    return run


def html_of(message) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def assert_status_email(message, permit: Permit, to: list[str], status: str, clerk=None):
    assert message.to == to
    assert message.subject == f"Permit {permit.number}: {status}"
    page = f"{PORTAL_URL}/permits/applications/{permit.pk}/"
    assert page in message.body
    html = html_of(message)
    assert f'href="{page}"' in html
    assert f"is now: <strong>{status}</strong>" in html
    if clerk is not None:
        for staff_detail in (clerk.last_name, clerk.email, clerk.username):
            assert staff_detail not in message.body
            assert staff_detail not in html


def assert_each(messages, permit: Permit, to: list[str], status: str, clerk=None):
    """One message per recipient, each the same status email; returns the first."""
    assert [message.to for message in messages] == [[address] for address in to]
    for message, address in zip(messages, to, strict=True):
        assert_status_email(message, permit, [address], status, clerk)
    return messages[0]


def test_every_review_step_writes_to_the_applicant_and_the_contractor(
    homeowner, contractor, clerk, reviewed_reroof, sent
):
    both = [homeowner.email, contractor.email]
    draft = permit_draft_complete(homeowner, "RERF", contractor=contractor)

    messages = sent(lambda: services.permit_submit(permit=draft, user=homeowner))
    permit = Permit.objects.get(pk=draft.pk)
    message = assert_each(messages, permit, both, "Submitted", clerk)
    assert "The Permit Center will review it" in message.body

    messages = sent(lambda: services.permit_review_start(permit=permit, reviewer=clerk))
    message = assert_each(messages, permit, both, "In review", clerk)

    corrections = "The roofing sheet must show the Class A fire rating."
    messages = sent(
        lambda: services.permit_corrections_request(
            permit=permit, reviewer=clerk, message=corrections
        )
    )
    message = assert_each(messages, permit, both, "Corrections requested", clerk)
    assert f"Message from the Permit Center:\n{corrections}" in message.body
    assert corrections in html_of(message)
    assert "upload the corrected documents and resubmit" in message.body

    *to_both, to_staff = sent(
        lambda: services.permit_resubmit(permit=permit, user=homeowner, message="Sheet attached.")
    )
    to_applicant = assert_each(to_both, permit, both, "Resubmitted", clerk)
    assert "The applicant's note:\nSheet attached." in to_applicant.body
    assert "Message from the Permit Center" not in to_applicant.body
    assert to_staff.to == [clerk.email]
    assert to_staff.subject == f"Corrections resubmitted: {permit.number}"
    admin_page = f"{PORTAL_URL}/admin/permits/permit/{permit.pk}/change/"
    assert admin_page in to_staff.body
    assert "Sheet attached." in to_staff.body
    assert f'href="{admin_page}"' in html_of(to_staff)

    services.permit_review_start(permit=permit, reviewer=clerk)
    messages = sent(lambda: services.permit_approve(permit=permit, reviewer=clerk))
    message = assert_each(messages, permit, both, "Approved, fees due", clerk)
    assert f"The fees of ${permit.invoice.total} are due." in message.body

    messages = sent(lambda: fees_paid_at_counter(permit, clerk=clerk))
    permit.refresh_from_db()
    message = assert_each(messages, permit, both, "Issued", clerk)
    assert "keep it on the job site" in message.body


def test_a_denial_gives_the_reason(homeowner, clerk, sent):
    permit = permit_submitted(homeowner, "DMPR")
    reason = "The bin would block the only fire lane on the street."

    (message,) = sent(lambda: services.permit_deny(permit=permit, reviewer=clerk, reason=reason))

    assert_status_email(message, permit, [homeowner.email], "Denied", clerk)
    assert f"Message from the Permit Center:\n{reason}" in message.body
    assert reason in html_of(message)
    assert "No fees are due." in message.body


def test_a_withdrawal_is_confirmed_with_the_applicants_own_reason(homeowner, sent):
    permit = permit_submitted(homeowner, "DMPR")

    (message,) = sent(
        lambda: services.permit_withdraw(permit=permit, user=homeowner, reason="Plans changed.")
    )

    assert_status_email(message, permit, [homeowner.email], "Withdrawn")
    assert "The applicant's note:\nPlans changed." in message.body
    assert "unpaid fees are cancelled" in message.body


def test_an_over_the_counter_permit_sends_one_email_approved_with_fees_due(homeowner, sent):
    draft = permit_draft_complete(homeowner, "WHTR")

    (approved,) = sent(lambda: services.permit_submit(permit=draft, user=homeowner))

    permit = Permit.objects.get(pk=draft.pk)
    assert_status_email(approved, permit, [homeowner.email], "Approved, fees due")
    assert "Approved over the counter." in approved.body
    assert "$143.00" in approved.body


def test_a_permit_without_fees_sends_only_the_issue_email(homeowner, sent):
    PermitType.objects.get(code_prefix="OVPK").fee_rules.all().delete()
    draft = permit_draft_complete(homeowner, "OVPK")

    (issued,) = sent(lambda: services.permit_submit(permit=draft, user=homeowner))

    assert_status_email(issued, Permit.objects.get(pk=draft.pk), [homeowner.email], "Issued")


def test_a_contractor_applying_for_themselves_gets_one_email(contractor, sent):
    draft = permit_draft_complete(contractor, "RERF")

    messages = sent(lambda: services.permit_submit(permit=draft, user=contractor))

    assert [message.to for message in messages] == [[contractor.email]]


def test_a_film_permit_is_not_called_a_film_permit_permit(homeowner, sent):
    draft = permit_draft_complete(homeowner, "FILM")

    (message,) = sent(lambda: services.permit_submit(permit=draft, user=homeowner))

    assert "(Film Permit)" in message.body
    assert "Permit permit" not in message.body
