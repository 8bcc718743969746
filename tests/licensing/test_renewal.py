"""Renewal on the city's calendar: the window that opens 60 days before expiry, the
reminders at 60, 30 and 7 days, expiry the night after the last day, the late penalty and
the late-renewal limit, and a paid renewal continuing the term under the same number."""

import datetime
import itertools
import re
import threading
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections

from licensing import services, tasks
from licensing.models import BusinessLicense, LicenseNumberCounter, LicensingSettings
from licensing.selectors import (
    license_current_of,
    license_public,
    license_renewal_refusal,
    renewals_due_of,
)
from licensing.services import LicenseError
from payments.models import Payment
from payments.services import payment_record_counter
from portal.celery import app as celery_app
from portal.models import City
from portal.selectors import city_localdate
from tests.factories import BusinessLicenseFactory, UserFactory

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
DAY = datetime.timedelta(days=1)
D = Decimal
Status = BusinessLicense.Status
# The license these tests renew: a home occupation ($75 a year, and the State's $4) for 2026.
LAST_DAY = datetime.date(2026, 12, 31)
NUMBER = "BL2026-00042"
TAX = "Business license tax: Home occupation"
STATE_FEE = "State disability access fee (SB 1186)"
PENALTY = "Late renewal penalty (25% of the license tax)"

_receipts = itertools.count(1)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LA)


def before_expiry(days: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return at(LAST_DAY - days * DAY, hour, minute)


def fee_lines(license: BusinessLicense) -> dict[str, Decimal]:
    return {line.description: line.amount for line in license.invoice.lines.all()}


def paid(license: BusinessLicense, clerk) -> BusinessLicense:
    payment_record_counter(
        invoice=license.invoice,
        method=Payment.Method.CASH,
        receipt_number=f"BL-{next(_receipts):05d}",
        recorded_by=clerk,
    )
    return BusinessLicense.objects.get(pk=license.pk)


def renewal_submitted(license: BusinessLicense, **values) -> BusinessLicense:
    """A renewal as the holder sends it: with its classification kept it is approved at
    once; `values` change the application first."""
    renewal = services.license_renewal_start(license=license, user=license.holder)
    if values:
        renewal = services.license_draft_update(license=renewal, user=license.holder, values=values)
    return services.license_submit(license=renewal, user=license.holder)


@pytest.fixture(autouse=True)
def _city_in_california(db):
    """The city keeps Pacific time whatever zone the server runs in."""
    City.objects.update_or_create(
        pk=City.SINGLETON_ID, defaults={"name": "Rancho Palos Verdes", "time_zone": LA.key}
    )


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a task as beat would and return what it reported and the mail it sent."""

    def run(task):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = task.apply().get()
        return result, list(mail.outbox)

    return run


@pytest.fixture
def license(owner, home_occupation, finance, time_machine) -> BusinessLicense:
    """The owner's active license, valid from March 2 through December 31, 2026."""
    time_machine.move_to(at(datetime.date(2026, 3, 2)), tick=False)
    return BusinessLicenseFactory(
        holder=owner,
        classification=home_occupation,
        number=NUMBER,
        starts_on=datetime.date(2026, 3, 2),
        expires_on=LAST_DAY,
    )


@pytest.fixture
def expired(license) -> BusinessLicense:
    """The same license, expired by the run the night after its last day."""
    services.licenses_expire(today=LAST_DAY + DAY)
    license.refresh_from_db()
    assert license.status == Status.EXPIRED
    return license


# The renewal window ----------------------------------------------------------------------


def test_renewal_opens_exactly_sixty_days_before_the_license_expires(license, owner, time_machine):
    time_machine.move_to(before_expiry(61, 23, 59), tick=False)
    opens = "Renewal opens on Nov. 1, 2026, 60 days before the license expires on Dec. 31, 2026."
    assert license_renewal_refusal(license, city_localdate()) == opens
    assert renewals_due_of(owner, city_localdate()) == []
    with pytest.raises(LicenseError, match=re.escape(opens)):
        services.license_renewal_start(license=license, user=owner)
    assert not license.renewals.exists()

    time_machine.move_to(before_expiry(60, 0, 1), tick=False)
    assert license_renewal_refusal(license, city_localdate()) == ""
    assert renewals_due_of(owner, city_localdate()) == [license]
    renewal = services.license_renewal_start(license=license, user=owner)
    assert (renewal.status, renewal.renewal_of, renewal.number) == (Status.DRAFT, license, "")


def test_the_renewal_is_filled_in_from_the_license_and_started_only_once(
    license, owner, time_machine
):
    time_machine.move_to(before_expiry(30), tick=False)

    renewal = services.license_renewal_start(license=license, user=owner)

    for name in services.APPLICANT_FIELDS:
        assert getattr(renewal, name) == getattr(license, name), name
    assert [(o.name, o.title) for o in renewal.owners.all()] == [
        (o.name, o.title) for o in license.owners.all()
    ]
    assert services.license_renewal_start(license=license, user=owner) == renewal
    assert license.renewals.count() == 1


def test_a_license_that_is_not_due_yet_cannot_be_renewed(license, owner, time_machine):
    time_machine.move_to(at(datetime.date(2026, 6, 1)), tick=False)

    with pytest.raises(LicenseError, match=r"Renewal opens on Nov\. 1, 2026"):
        services.license_renewal_start(license=license, user=owner)
    assert BusinessLicense.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.INFO_REQUESTED,
        Status.APPROVED,
        Status.DENIED,
    ],
)
def test_only_an_active_or_recently_expired_license_can_be_renewed(
    license, owner, time_machine, status
):
    BusinessLicense.objects.filter(pk=license.pk).update(status=status)
    license.refresh_from_db()
    time_machine.move_to(before_expiry(10), tick=False)

    with pytest.raises(LicenseError, match="Only an active or recently expired license"):
        services.license_renewal_start(license=license, user=owner)
    assert BusinessLicense.objects.count() == 1


def test_someone_elses_license_cannot_be_renewed(license, time_machine):
    time_machine.move_to(before_expiry(10), tick=False)

    with pytest.raises(LicenseError, match="Only the account holder can renew"):
        services.license_renewal_start(license=license, user=UserFactory())
    assert BusinessLicense.objects.count() == 1


def test_a_license_with_a_renewal_before_the_city_is_not_renewed_twice(
    license, owner, retail, time_machine
):
    time_machine.move_to(before_expiry(10), tick=False)
    # Another classification needs the city's review, so the renewal waits there.
    renewal = renewal_submitted(license, classification=retail)
    assert renewal.status == Status.SUBMITTED

    assert license_renewal_refusal(license, city_localdate()) == (
        "This license already has a renewal underway."
    )
    with pytest.raises(LicenseError, match="already has a renewal underway"):
        services.license_renewal_start(license=license, user=owner)
    assert license.renewals.count() == 1


def test_after_a_denied_renewal_the_license_can_be_renewed_again(
    license, owner, retail, licensing_clerk, time_machine
):
    time_machine.move_to(before_expiry(10), tick=False)
    denied = services.license_deny(
        license=renewal_submitted(license, classification=retail),
        reviewer=licensing_clerk,
        reason="A bookshop is retail only with a storefront.",
    )

    again = services.license_renewal_start(license=license, user=owner)

    assert again != denied and again.status == Status.DRAFT


# Reminders -------------------------------------------------------------------------------


def test_reminders_go_sixty_thirty_and_seven_days_before_once_each(
    license, owner, time_machine, sent
):
    reminded = {}
    for days_left in range(61, -1, -1):
        time_machine.move_to(before_expiry(days_left, 6, 15), tick=False)
        count, messages = sent(tasks.licenses_remind_renewal_scheduled)
        assert count == len(messages)
        if messages:
            reminded[days_left] = messages

    assert list(reminded) == [60, 30, 7]
    (message,) = reminded[30]
    assert message.to == [owner.email]
    assert message.subject == f"Renew business license {NUMBER}: it expires on Dec. 31, 2026"
    assert "expires on Dec. 31, 2026, in 30 days." in message.body
    assert f"/licenses/{license.pk}/" in message.body
    assert any(mimetype == "text/html" for _content, mimetype in message.alternatives)


def test_a_second_run_the_same_morning_sends_nothing(license, time_machine, sent):
    time_machine.move_to(before_expiry(60, 6, 15), tick=False)
    assert sent(tasks.licenses_remind_renewal_scheduled)[0] == 1

    time_machine.move_to(before_expiry(60, 18), tick=False)
    assert sent(tasks.licenses_remind_renewal_scheduled) == (0, [])
    license.refresh_from_db()
    assert license.reminder_sent_days == 60


@pytest.mark.parametrize(
    ("first_run_days_left", "reminded_days_left"),
    [(45, [45, 30, 7]), (20, [20, 7]), (3, [3]), (0, [0])],
)
def test_a_first_run_late_sends_only_the_smallest_reminder_due(
    license, time_machine, sent, first_run_days_left, reminded_days_left
):
    """A license issued inside the window, or a beat that was down, gets one reminder for
    the nearest threshold passed, not one for each."""
    reminded = []
    for days_left in range(first_run_days_left, -1, -1):
        time_machine.move_to(before_expiry(days_left, 6, 15), tick=False)
        count, messages = sent(tasks.licenses_remind_renewal_scheduled)
        assert count == len(messages) <= 1
        if messages:
            reminded.append(days_left)

    assert reminded == reminded_days_left


def test_the_last_days_reminder_says_it_expires_today(license, time_machine, sent):
    time_machine.move_to(at(LAST_DAY, 6, 15), tick=False)

    _count, (message,) = sent(tasks.licenses_remind_renewal_scheduled)

    assert "expires today, Dec. 31, 2026." in message.body


def test_no_reminder_goes_while_a_renewal_is_with_the_city(
    license, owner, professional, time_machine, sent
):
    time_machine.move_to(before_expiry(60, 5), tick=False)
    # A new classification sends the renewal to review rather than approving it.
    renewal_submitted(license, classification=professional)

    for days_left in (60, 30, 7):
        time_machine.move_to(before_expiry(days_left, 6, 15), tick=False)
        assert sent(tasks.licenses_remind_renewal_scheduled) == (0, [])


def test_a_renewal_started_but_not_sent_still_earns_the_reminders(
    license, owner, time_machine, sent
):
    time_machine.move_to(before_expiry(60, 5), tick=False)
    services.license_renewal_start(license=license, user=owner)

    for days_left in (60, 30, 7):
        time_machine.move_to(before_expiry(days_left, 6, 15), tick=False)
        count, messages = sent(tasks.licenses_remind_renewal_scheduled)
        assert (count, [message.to for message in messages]) == (1, [[owner.email]])


def test_a_renewed_license_is_not_reminded(license, licensing_clerk, time_machine, sent):
    time_machine.move_to(before_expiry(60, 5), tick=False)
    paid(renewal_submitted(license), licensing_clerk)

    for days_left in (60, 30, 7):
        time_machine.move_to(before_expiry(days_left, 6, 15), tick=False)
        assert sent(tasks.licenses_remind_renewal_scheduled) == (0, [])


@pytest.mark.parametrize(
    "task",
    [
        "licensing.tasks.licenses_expire_scheduled",
        "licensing.tasks.licenses_remind_renewal_scheduled",
    ],
)
def test_beat_runs_the_renewal_tasks_once_each_early_morning(task):
    (entry,) = [
        entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task
    ]
    schedule = entry["schedule"]

    assert task in celery_app.tasks
    assert len(schedule.hour) == 1 and max(schedule.hour) < 7
    assert len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7
    assert len(schedule.day_of_month) == 31


# Expiry ----------------------------------------------------------------------------------


def test_on_its_last_day_it_is_active_and_the_next_night_it_has_expired(
    license, owner, time_machine, sent
):
    time_machine.move_to(at(LAST_DAY, 23, 30), tick=False)
    assert sent(tasks.licenses_expire_scheduled) == (0, [])
    assert license_current_of(owner) == license

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    assert license_current_of(owner) is None
    expired, (message,) = sent(tasks.licenses_expire_scheduled)

    assert expired == 1
    license.refresh_from_db()
    assert license.status == Status.EXPIRED
    assert license.history.first().status == Status.EXPIRED
    assert message.to == [owner.email]
    assert message.subject == f"Business license {NUMBER} has expired"
    body = " ".join(message.body.split())
    assert "You can still renew it until June 29, 2027" in body
    assert "a late penalty of 25% of the license tax" in body
    assert f"/licenses/{license.pk}/" in body

    assert sent(tasks.licenses_expire_scheduled) == (0, [])


def test_the_day_is_the_citys_even_on_a_server_that_runs_on_utc(
    license, owner, time_machine, sent, settings
):
    settings.TIME_ZONE = "UTC"
    # 20:00 in the city on the last day is already the next day in UTC.
    time_machine.move_to(at(LAST_DAY, 20), tick=False)

    assert sent(tasks.licenses_expire_scheduled) == (0, [])
    assert license_current_of(owner) == license
    license.refresh_from_db()
    assert license.status == Status.ACTIVE


def test_a_license_renewed_in_advance_expires_without_a_word(
    license, owner, licensing_clerk, time_machine, sent
):
    time_machine.move_to(before_expiry(20), tick=False)
    renewal = paid(renewal_submitted(license), licensing_clerk)

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    # Between midnight and the night's run, the renewal already covers the day.
    assert license_current_of(owner) == renewal
    assert sent(tasks.licenses_expire_scheduled) == (1, [])

    license.refresh_from_db()
    renewal.refresh_from_db()
    assert (license.status, renewal.status) == (Status.EXPIRED, Status.ACTIVE)
    assert license_current_of(owner) == renewal


# The late penalty ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "penalty"),
    [
        (at(LAST_DAY, 23, 30), None),
        (at(LAST_DAY + DAY, 0, 30), D("18.75")),
        (at(datetime.date(2027, 6, 29), 16), D("18.75")),
    ],
)
def test_a_renewal_submitted_after_the_last_day_pays_the_late_penalty(
    license, time_machine, settings, submitted_at, penalty
):
    # The city's day decides, on a server that keeps UTC: 23:30 on the last day in the
    # city is the next morning there.
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(before_expiry(10), tick=False)
    renewal = services.license_renewal_start(license=license, user=license.holder)

    time_machine.move_to(submitted_at, tick=False)
    renewal = services.license_submit(license=renewal, user=license.holder)

    expected = {TAX: D("75.00"), STATE_FEE: D("4.00")}
    if penalty:
        expected[PENALTY] = penalty
    assert renewal.status == Status.APPROVED
    assert fee_lines(renewal) == expected


def test_the_day_of_submission_decides_the_penalty_not_the_day_of_approval(
    license, retail, licensing_clerk, time_machine
):
    time_machine.move_to(before_expiry(5), tick=False)
    renewal = renewal_submitted(license, classification=retail)
    assert renewal.status == Status.SUBMITTED

    time_machine.move_to(at(LAST_DAY + 20 * DAY), tick=False)
    services.license_review_start(license=renewal, reviewer=licensing_clerk)
    renewal = services.license_approve(license=renewal, reviewer=licensing_clerk)

    assert fee_lines(renewal) == {
        "Business license tax: Retail (gross receipts of $100,000.00)": D("150.00"),
        STATE_FEE: D("4.00"),
    }


def test_an_answer_to_the_citys_question_after_the_last_day_does_not_make_it_late(
    license, retail, licensing_clerk, time_machine
):
    """The renewal was submitted in time; that the city asked a question and the answer
    came after the license's last day is not the holder's lateness."""
    time_machine.move_to(before_expiry(5), tick=False)
    renewal = renewal_submitted(license, classification=retail)
    services.license_info_request(
        license=renewal, reviewer=licensing_clerk, message="How many square feet is the shop?"
    )

    time_machine.move_to(at(LAST_DAY + 10 * DAY), tick=False)
    renewal = services.license_submit(license=renewal, user=license.holder)
    renewal = services.license_approve(license=renewal, reviewer=licensing_clerk)

    assert PENALTY not in fee_lines(renewal)


def test_an_approved_renewal_still_unpaid_when_the_license_expires_gets_the_penalty(
    license, owner, licensing_clerk, time_machine, sent
):
    time_machine.move_to(before_expiry(20), tick=False)
    renewal = renewal_submitted(license)
    assert renewal.invoice.total == D("79.00")

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    expired, (message,) = sent(tasks.licenses_expire_scheduled)
    assert expired == 1 and message.subject == f"Business license {NUMBER} has expired"
    renewal.refresh_from_db()
    assert fee_lines(renewal) == {TAX: D("75.00"), STATE_FEE: D("4.00"), PENALTY: D("18.75")}
    assert renewal.invoice.lines.get(description=PENALTY).reason == (
        "The license expired before the renewal fees were paid."
    )
    assert renewal.invoice.total == D("97.75")

    # A second run of the night adds nothing more.
    assert sent(tasks.licenses_expire_scheduled) == (0, [])
    assert renewal.invoice.lines.count() == 3

    renewal = paid(renewal, licensing_clerk)
    assert (renewal.status, renewal.starts_on) == (Status.ACTIVE, LAST_DAY + DAY)


def test_a_renewal_paid_before_the_license_expires_owes_no_penalty(
    license, licensing_clerk, time_machine, sent
):
    time_machine.move_to(before_expiry(20), tick=False)
    renewal = paid(renewal_submitted(license), licensing_clerk)

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    sent(tasks.licenses_expire_scheduled)

    assert fee_lines(renewal) == {TAX: D("75.00"), STATE_FEE: D("4.00")}


def test_a_city_without_a_late_penalty_adds_none_at_expiry(
    license, licensing_clerk, time_machine, sent
):
    LicensingSettings.objects.filter(pk=1).update(late_penalty_percent=0)
    time_machine.move_to(before_expiry(20), tick=False)
    renewal = renewal_submitted(license)

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    sent(tasks.licenses_expire_scheduled)

    assert fee_lines(renewal) == {TAX: D("75.00"), STATE_FEE: D("4.00")}


# The late-renewal limit ------------------------------------------------------------------


def test_a_lapsed_license_can_be_renewed_for_180_days_and_then_only_applied_for_anew(
    expired, owner, time_machine
):
    time_machine.move_to(at(datetime.date(2027, 6, 29), 23, 30), tick=False)
    assert license_renewal_refusal(expired, city_localdate()) == ""
    assert renewals_due_of(owner, city_localdate()) == [expired]

    time_machine.move_to(at(datetime.date(2027, 6, 30), 0, 30), tick=False)
    refusal = (
        "This license expired on Dec. 31, 2026, more than 180 days ago, so it can no longer "
        "be renewed. Apply for a new license instead."
    )
    assert license_renewal_refusal(expired, city_localdate()) == refusal
    assert renewals_due_of(owner, city_localdate()) == []
    with pytest.raises(LicenseError, match="Apply for a new license instead"):
        services.license_renewal_start(license=expired, user=owner)
    assert not expired.renewals.exists()


def test_the_limit_is_the_citys_setting(expired, owner, time_machine):
    LicensingSettings.objects.filter(pk=1).update(late_renewal_days=30)

    time_machine.move_to(at(LAST_DAY + 31 * DAY), tick=False)

    with pytest.raises(LicenseError, match="more than 30 days ago"):
        services.license_renewal_start(license=expired, user=owner)


def test_a_renewal_started_in_time_cannot_be_submitted_after_the_limit(
    expired, owner, time_machine
):
    time_machine.move_to(at(datetime.date(2027, 6, 20)), tick=False)
    renewal = services.license_renewal_start(license=expired, user=owner)

    time_machine.move_to(at(datetime.date(2027, 7, 1)), tick=False)
    with pytest.raises(LicenseError, match="can no longer be renewed"):
        services.license_submit(license=renewal, user=owner)

    renewal.refresh_from_db()
    assert (renewal.status, renewal.invoice, renewal.submitted_at) == (Status.DRAFT, None, None)


# Activation of a renewal -----------------------------------------------------------------


def test_a_renewal_paid_in_advance_continues_the_term_under_the_same_number(
    license, owner, licensing_clerk, time_machine
):
    counter_before = list(LicenseNumberCounter.objects.values_list("year", "last_value"))
    time_machine.move_to(before_expiry(30), tick=False)

    renewal = paid(renewal_submitted(license), licensing_clerk)

    assert renewal.status == Status.ACTIVE
    assert renewal.number == NUMBER
    assert (renewal.starts_on, renewal.expires_on) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert list(LicenseNumberCounter.objects.values_list("year", "last_value")) == counter_before
    license.refresh_from_db()
    assert license.status == Status.ACTIVE
    assert license_current_of(owner) == license
    # The public check shows the latest term.
    assert license_public("bl2026-42") == renewal


def test_a_renewal_paid_after_expiry_still_continues_the_term(
    expired, owner, licensing_clerk, time_machine
):
    time_machine.move_to(at(datetime.date(2027, 2, 10)), tick=False)
    renewal = paid(renewal_submitted(expired), licensing_clerk)

    assert fee_lines(renewal)[PENALTY] == D("18.75")
    assert (renewal.number, renewal.starts_on, renewal.expires_on) == (
        NUMBER,
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert license_current_of(owner) == renewal


def test_a_twelve_month_renewal_runs_twelve_months_from_the_day_after_the_last(
    owner, professional, licensing_clerk, time_machine
):
    time_machine.move_to(at(datetime.date(2027, 3, 1)), tick=False)
    license = BusinessLicenseFactory(
        holder=owner,
        classification=professional,
        number="BL2026-00007",
        starts_on=datetime.date(2026, 3, 15),
        expires_on=datetime.date(2027, 3, 14),
    )

    renewal = paid(renewal_submitted(license), licensing_clerk)

    assert (renewal.starts_on, renewal.expires_on) == (
        datetime.date(2027, 3, 15),
        datetime.date(2028, 3, 14),
    )


def test_a_renewal_paid_after_its_term_would_have_ended_is_valid_when_it_is_paid(
    license, owner, licensing_clerk, time_machine
):
    """An approved renewal's fees stay payable; paid at the counter a year late, it must
    not become an active license whose whole term is already over."""
    time_machine.move_to(before_expiry(20), tick=False)
    renewal = renewal_submitted(license)

    paid_on = datetime.date(2028, 1, 15)
    time_machine.move_to(at(paid_on), tick=False)
    renewal = paid(renewal, licensing_clerk)

    assert renewal.is_current(paid_on)
    assert license_current_of(owner) == renewal


# Numbers ---------------------------------------------------------------------------------


def test_a_new_license_takes_the_citys_date_and_year_on_a_server_that_runs_on_utc(
    owner, home_occupation, licensing_clerk, time_machine, settings
):
    settings.TIME_ZONE = "UTC"
    # 23:30 on New Year's Eve in the city is already 2027 in UTC.
    time_machine.move_to(at(LAST_DAY, 23, 30), tick=False)
    application = BusinessLicenseFactory(
        holder=owner,
        classification=home_occupation,
        status=Status.SUBMITTED,
        number="",
        starts_on=None,
        expires_on=None,
    )

    license = paid(
        services.license_approve(license=application, reviewer=licensing_clerk), licensing_clerk
    )

    assert (license.number, license.starts_on, license.expires_on) == (
        "BL2026-00001",
        LAST_DAY,
        LAST_DAY,
    )


ACTIVATIONS = 5


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_activations_get_distinct_numbers(home_occupation, licensing_clerk):
    approved = [
        services.license_approve(
            license=BusinessLicenseFactory(
                holder=UserFactory(),
                classification=home_occupation,
                status=Status.SUBMITTED,
                number="",
                starts_on=None,
                expires_on=None,
            ),
            reviewer=licensing_clerk,
        )
        for _ in range(ACTIVATIONS)
    ]
    start = threading.Barrier(ACTIVATIONS)
    errors = []

    def pay(license: BusinessLicense, receipt: int) -> None:
        try:
            start.wait()
            payment_record_counter(
                invoice=license.invoice,
                method=Payment.Method.CASH,
                receipt_number=f"R-{receipt}",
                recorded_by=licensing_clerk,
            )
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=pay, args=(license, receipt))
        for receipt, license in enumerate(approved)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    year = city_localdate().year
    numbers = sorted(BusinessLicense.objects.values_list("number", flat=True))
    assert numbers == [f"BL{year}-{n:05d}" for n in range(1, ACTIVATIONS + 1)]
    assert LicenseNumberCounter.objects.get(year=year).last_value == ACTIVATIONS
    assert set(BusinessLicense.objects.values_list("status", flat=True)) == {Status.ACTIVE}


# What review found -----------------------------------------------------------------------


def test_a_renewal_sent_after_midnight_before_the_nightly_run_pays_the_penalty_once(
    license, time_machine
):
    time_machine.move_to(at(LAST_DAY + DAY, 0, 30), tick=False)
    renewal = renewal_submitted(license)
    assert PENALTY in fee_lines(renewal)

    services.licenses_expire(today=LAST_DAY + DAY)

    renewal.refresh_from_db()
    penalties = [line for line in renewal.invoice.lines.all() if line.description == PENALTY]
    assert len(penalties) == 1


def test_no_expiry_notice_while_the_renewal_is_with_the_city(
    license, professional, time_machine, sent
):
    time_machine.move_to(before_expiry(10), tick=False)
    renewal_submitted(license, classification=professional)

    time_machine.move_to(at(LAST_DAY + DAY, 1, 45), tick=False)
    count, messages = sent(tasks.licenses_expire_scheduled)

    license.refresh_from_db()
    assert (count, messages, license.status) == (1, [], Status.EXPIRED)


def test_an_answer_past_the_late_renewal_limit_is_refused(
    license, owner, professional, licensing_clerk, time_machine
):
    time_machine.move_to(before_expiry(10), tick=False)
    renewal = renewal_submitted(license, classification=professional)
    services.license_info_request(
        license=renewal, reviewer=licensing_clerk, message="Send the new floor plan."
    )
    services.licenses_expire(today=LAST_DAY + DAY)

    time_machine.move_to(at(LAST_DAY + 181 * DAY), tick=False)
    with pytest.raises(LicenseError, match="Apply for a new license instead"):
        services.license_submit(license=renewal, user=owner)
    renewal.refresh_from_db()
    assert renewal.status == Status.INFO_REQUESTED
