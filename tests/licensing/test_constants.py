"""Every status a holder can see is explained once: what it means on the license page,
and what to do next in the status email."""

from licensing.constants import NEXT_STEPS, STATUS_MEANINGS, LicenseStatus

# A draft is only ever shown as the application wizard, and no email is sent about it.
SEEN_BY_THE_HOLDER = set(LicenseStatus) - {LicenseStatus.DRAFT}


def test_every_status_the_holder_sees_has_a_meaning():
    assert set(STATUS_MEANINGS) == SEEN_BY_THE_HOLDER


def test_every_status_the_holder_sees_has_a_next_step():
    assert set(NEXT_STEPS) == SEEN_BY_THE_HOLDER
