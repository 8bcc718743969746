"""The emails each step of a business license sends, once its transaction commits: to the
holder at every status change, to the office when an application needs review, and the
renewal reminder and expiry notice."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.utils.formats import date_format

from licensing import services
from licensing.models import BusinessLicense, LicensingSettings
from payments.models import Payment
from payments.services import payment_record_counter
from tests.factories import BusinessLicenseFactory

pytestmark = pytest.mark.django_db

PORTAL_URL = "https://permits.example.gov"
MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles"))
NAME = "Harbor Hardware (Delgado Hardware LLC)"
OFFICE_PHONE = "Questions? Call Finance: Business Licenses and Cashier at 310-544-5301."


@pytest.fixture(autouse=True)
def _setting(settings, time_machine, finance):
    settings.PORTAL_URL = PORTAL_URL
    time_machine.move_to(MORNING, tick=False)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a change and return the messages it sent once its transaction committed."""

    def run(change):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        return result, list(mail.outbox)

    return run


def html_of(message) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def draft_of(holder, classification, **fields) -> BusinessLicense:
    return BusinessLicenseFactory(
        holder=holder,
        classification=classification,
        status=BusinessLicense.Status.DRAFT,
        number="",
        starts_on=None,
        expires_on=None,
        business_name="Delgado Hardware LLC",
        dba="Harbor Hardware",
        **fields,
    )


def license_page(license: BusinessLicense) -> str:
    return f"{PORTAL_URL}/licenses/{license.pk}/"


def only_to_holder(messages, owner):
    (message,) = messages
    assert message.to == [owner.email]
    return message


def test_submitting_tells_the_holder_it_was_received_and_the_office_to_review_it(
    sent, owner, retail
):
    draft = draft_of(owner, retail)

    _license, messages = sent(lambda: services.license_submit(license=draft, user=owner))

    holder, office = messages
    assert holder.to == [owner.email]
    assert holder.subject == "Business license application: Submitted"
    assert "Your business license application for Harbor Hardware (Delgado Hardware LLC)" in (
        holder.body
    )
    assert "The business license office reviews it and writes to you when it has." in holder.body
    assert license_page(draft) in holder.body
    assert OFFICE_PHONE in holder.body
    assert f'href="{license_page(draft)}"' in html_of(holder)
    assert 'href="tel:+13105445301"' in html_of(holder)

    assert office.to == ["finance@example.org"]
    assert (
        office.subject == "New business license application: Harbor Hardware (Delgado Hardware LLC)"
    )
    admin_url = f"{PORTAL_URL}/admin/licensing/businesslicense/{draft.pk}/change/"
    assert admin_url in office.body
    assert f'href="{admin_url}"' in html_of(office)
    assert "Classification: Retail" in office.body
    assert "30940 Hawthorne Blvd, Rancho Palos Verdes, CA 90275 (in the city)" in office.body


def test_the_review_steps_each_write_to_the_holder(sent, owner, retail, licensing_clerk):
    license = services.license_submit(license=draft_of(owner, retail), user=owner)

    _license, messages = sent(
        lambda: services.license_review_start(license=license, reviewer=licensing_clerk)
    )
    message = only_to_holder(messages, owner)
    assert message.subject == "Business license application: In review"
    assert "A reviewer in the business license office is looking at your application." in (
        message.body
    )

    _license, messages = sent(
        lambda: services.license_info_request(
            license=license,
            reviewer=licensing_clerk,
            message="Send a copy of the lease.\nAnd the <seller's permit>.",
        )
    )
    message = only_to_holder(messages, owner)
    assert message.subject == "Business license application: More information requested"
    assert "What the business license office asks for:\nSend a copy of the lease.\n" in (
        message.body
    )
    assert "add what is asked for above and submit it again" in message.body
    html = html_of(message)
    assert "Send a copy of the lease.<br>And the &lt;seller&#x27;s permit&gt;." in html
    assert f'<a href="{license_page(license)}" style="color: #14365d;">Answer the request' in html
    for staff_detail in (licensing_clerk.last_name, licensing_clerk.email):
        assert staff_detail not in message.body
        assert staff_detail not in html


def test_an_answered_request_goes_back_to_the_reviewer(sent, owner, retail, licensing_clerk):
    license = services.license_submit(license=draft_of(owner, retail), user=owner)
    services.license_info_request(license=license, reviewer=licensing_clerk, message="Lease?")

    _license, messages = sent(lambda: services.license_submit(license=license, user=owner))

    holder, reviewer = messages
    assert holder.subject == "Business license application: Submitted"
    assert reviewer.to == [licensing_clerk.email]
    assert reviewer.subject == f"Information added to a business license application: {NAME}"
    assert "has added the information you asked for" in reviewer.body


def test_approval_gives_the_fees_their_total_and_where_to_pay(sent, owner, retail, licensing_clerk):
    license = services.license_submit(
        license=draft_of(owner, retail, gross_receipts=Decimal("250000.00")), user=owner
    )

    _license, messages = sent(
        lambda: services.license_approve(license=license, reviewer=licensing_clerk)
    )

    message = only_to_holder(messages, owner)
    assert message.subject == "Business license application: Approved, fees due"
    assert "Business license tax: Retail (gross receipts of $250,000.00): $300.00" in message.body
    assert "State disability access fee (SB 1186): $4.00" in message.body
    assert "The fees of $304.00 are due." in message.body
    assert "the license becomes active as soon as they are paid" in message.body
    html = html_of(message)
    assert '<th scope="row" style="text-align: left; padding: 4px 16px 4px 0;">Total</th>' in html
    assert "$304.00" in html
    assert f'<a href="{license_page(license)}" style="color: #14365d;">Pay the fees' in html


def test_payment_tells_the_holder_the_number_term_and_certificate(
    sent, owner, retail, licensing_clerk
):
    license = services.license_submit(license=draft_of(owner, retail), user=owner)
    license = services.license_approve(license=license, reviewer=licensing_clerk)

    _payment, messages = sent(
        lambda: payment_record_counter(
            invoice=license.invoice,
            method=Payment.Method.CASH,
            receipt_number="R-1",
            recorded_by=licensing_clerk,
        )
    )

    (message,) = [message for message in messages if message.subject.startswith("Business")]
    assert message.to == [owner.email]
    assert message.subject == "Business license BL2026-00001: Active"
    assert "Business license BL2026-00001 for Harbor Hardware (Delgado Hardware LLC)" in (
        message.body
    )
    assert "It is valid from March 2, 2026 through Dec. 31, 2026." in message.body
    assert "Download the certificate from the license page" in message.body
    assert "conspicuous place" in message.body
    assert license_page(license) in message.body


def test_a_denial_gives_the_reason(sent, owner, retail, licensing_clerk):
    license = services.license_submit(license=draft_of(owner, retail), user=owner)

    _license, messages = sent(
        lambda: services.license_deny(
            license=license, reviewer=licensing_clerk, reason="Retail is not allowed at a home."
        )
    )

    message = only_to_holder(messages, owner)
    assert message.subject == "Business license application: Denied"
    assert "The reason, from the business license office:\nRetail is not allowed at a home." in (
        message.body
    )
    assert "No fees are due." in message.body
    assert "Retail is not allowed at a home." in html_of(message)


def test_a_renewal_is_named_by_the_license_it_renews(sent, owner, retail, home_occupation):
    current = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00031",
        business_name="Delgado Hardware LLC",
        starts_on=datetime.date(2025, 4, 1),
        expires_on=datetime.date(2026, 3, 31),
    )
    renewal = services.license_renewal_start(license=current, user=owner)
    services.license_draft_update(
        license=renewal, user=owner, values={"classification": home_occupation}
    )

    _renewal, messages = sent(lambda: services.license_submit(license=renewal, user=owner))

    holder, office = messages
    assert holder.subject == "Renewal of business license BL2025-00031: Submitted"
    assert "Your renewal of business license BL2025-00031 for Delgado Hardware LLC" in holder.body
    assert office.subject == "Business license renewal to review: BL2025-00031 Delgado Hardware LLC"
    assert "under another classification" in office.body


def test_no_office_phone_no_phone_line(sent, owner, retail):
    rules = LicensingSettings.current()
    rules.department = None
    rules.save()
    draft = draft_of(owner, retail)

    _license, messages = sent(lambda: services.license_submit(license=draft, user=owner))

    (holder,) = messages  # and no office address to notify
    assert "Questions? Call" not in holder.body
    assert "Questions? Call" not in html_of(holder)


@pytest.mark.parametrize(("days_left", "phrase"), [(30, "in 30 days"), (1, "in 1 day")])
def test_the_renewal_reminder_gives_the_days_left_and_the_renew_link(
    sent, owner, retail, days_left, phrase
):
    license = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00077",
        business_name="Delgado Hardware LLC",
        starts_on=datetime.date(2025, 4, 1),
        expires_on=datetime.date(2026, 3, 2) + datetime.timedelta(days=days_left),
        reminder_sent_days=60,
    )

    _sent_one, messages = sent(
        lambda: services.license_renewal_remind(license=license, today=datetime.date(2026, 3, 2))
    )

    message = only_to_holder(messages, owner)
    expires = date_format(license.expires_on, "DATE_FORMAT")
    assert message.subject == f"Renew business license BL2025-00077: it expires on {expires}"
    assert (
        f"Business license BL2025-00077 for Delgado Hardware LLC expires on {expires}, {phrase}."
        in message.body
    )
    assert "a late penalty of 25% of the license tax" in message.body
    renew_url = f"{PORTAL_URL}/licenses/{license.pk}/"
    assert f"Renew the license: {renew_url}" in message.body
    assert f'href="{renew_url}"' in html_of(message)


def test_on_the_last_day_the_reminder_says_today(sent, owner, retail):
    license = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00078",
        starts_on=datetime.date(2025, 3, 3),
        expires_on=datetime.date(2026, 3, 2),
        reminder_sent_days=30,
    )

    _sent_one, messages = sent(
        lambda: services.license_renewal_remind(license=license, today=datetime.date(2026, 3, 2))
    )

    message = only_to_holder(messages, owner)
    assert "expires today, March 2, 2026." in message.body


def test_the_expiry_notice_gives_the_last_day_to_renew_and_the_penalty(sent, owner, retail):
    rules = LicensingSettings.current()
    rules.late_penalty_percent = Decimal("12.50")
    rules.late_renewal_days = 90
    rules.save()
    license = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00079",
        business_name="Delgado Hardware LLC",
        starts_on=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2026, 2, 28),
    )

    _expired, messages = sent(
        lambda: services.license_expire(license=license, today=datetime.date(2026, 3, 2))
    )

    message = only_to_holder(messages, owner)
    assert message.subject == "Business license BL2025-00079 has expired"
    assert "Business license BL2025-00079 for Delgado Hardware LLC expired on Feb. 28, 2026." in (
        message.body
    )
    assert (
        "You can still renew it until May 29, 2026; a late penalty of 12.5% of the license tax "
        "is added to the renewal fees." in message.body
    )
    assert "After that date, apply for a new license instead." in message.body
    renew_url = f"{PORTAL_URL}/licenses/{license.pk}/"
    assert renew_url in message.body
    assert f'href="{renew_url}"' in html_of(message)
    assert "12.5%" in html_of(message)


def test_without_a_penalty_the_expiry_notice_mentions_none(sent, owner, retail):
    rules = LicensingSettings.current()
    rules.late_penalty_percent = Decimal(0)
    rules.save()
    license = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00080",
        starts_on=datetime.date(2025, 3, 1),
        expires_on=datetime.date(2026, 2, 28),
    )

    _expired, messages = sent(
        lambda: services.license_expire(license=license, today=datetime.date(2026, 3, 2))
    )

    message = only_to_holder(messages, owner)
    assert "You can still renew it until Aug. 27, 2026." in message.body
    assert "penalty" not in message.body
