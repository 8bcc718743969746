"""Every status an applicant can see is explained once: what it means on the permit page,
and what to do next in the status email."""

from permits.constants import NEXT_STEPS, STATUS_MEANINGS, PermitStatus

# A draft is only ever shown as the application wizard, and no email is sent about it.
SEEN_BY_THE_APPLICANT = set(PermitStatus) - {PermitStatus.DRAFT}


def test_every_status_the_applicant_sees_has_a_meaning():
    assert set(STATUS_MEANINGS) == SEEN_BY_THE_APPLICANT


def test_every_status_the_applicant_sees_has_a_next_step():
    assert set(NEXT_STEPS) == SEEN_BY_THE_APPLICANT
