"""Permit numbers: <PREFIX><YEAR>-<SEQ>, one counter per prefix and year, never twice."""

import threading

import pytest
import time_machine
from django.db import connections

from permits import services
from permits.models import Permit, PermitNumberCounter
from permits.numbering import permit_number_next
from tests.factories import UserFactory
from tests.permits.support import permit_draft_complete, permit_submitted


def test_numbers_count_per_prefix_and_start_again_each_year(homeowner):
    with time_machine.travel("2026-12-31 23:30 -08:00", tick=False):
        first = permit_submitted(homeowner, "WHTR")
        second = permit_submitted(homeowner, "WHTR")
        other_type = permit_submitted(homeowner, "RPRK")
    # The city's year, not UTC's: 23:30 on New Year's Eve in California is 2027 in UTC.
    with time_machine.travel("2027-01-01 00:30 -08:00", tick=False):
        next_year = permit_submitted(homeowner, "WHTR")
    assert [first.number, second.number, other_type.number, next_year.number] == [
        "WHTR2026-0001",
        "WHTR2026-0002",
        "RPRK2026-0001",
        "WHTR2027-0001",
    ]
    assert first.number_compact == "WHTR20260001"


def test_the_sequence_grows_past_four_digits(db):
    PermitNumberCounter.objects.create(prefix="RERF", year=2026, last_value=9999)
    assert permit_number_next(prefix="RERF", year=2026) == "RERF2026-10000"


def test_a_draft_has_no_number_until_it_is_submitted(homeowner):
    draft = permit_draft_complete(homeowner, "WHTR")
    assert draft.number is None
    assert not PermitNumberCounter.objects.exists()


SUBMISSIONS = 50


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_get_fifty_numbers(demo_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicants = [UserFactory(email_verified=True) for _ in range(SUBMISSIONS)]
    drafts = [permit_draft_complete(user, "RERF") for user in applicants]
    start = threading.Barrier(SUBMISSIONS)
    errors = []

    def submit(permit: Permit) -> None:
        try:
            start.wait()
            services.permit_submit(permit=permit, user=permit.applicant)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Permit.objects.exclude(number=None).values_list("number", flat=True))
    year = Permit.objects.first().submitted_at.year
    assert numbers == [f"RERF{year}-{n:04d}" for n in range(1, SUBMISSIONS + 1)]
    assert PermitNumberCounter.objects.get(prefix="RERF").last_value == SUBMISSIONS
