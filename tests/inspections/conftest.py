"""People and permits of the inspection tests: a reroof issued to a homeowner with a
contractor, and an inspector."""

import pytest
from django.contrib.auth.models import Group

from inspections.models import INSPECTOR_GROUP
from tests.factories import UserFactory
from tests.permits.conftest import _media_in_tmp, clerk, contractor, homeowner  # noqa: F401
from tests.permits.issuing import permit_issued


@pytest.fixture
def inspector(db):
    """A city inspector (staff, in the Inspector group)."""
    inspector = UserFactory(
        username="inspector",
        first_name="Dana",
        last_name="Reyes",
        is_staff=True,
        account_type="staff",
        email="inspector@city.example",
    )
    inspector.groups.add(Group.objects.get(name=INSPECTOR_GROUP))
    return inspector


@pytest.fixture
def reroof(homeowner, contractor, clerk):  # noqa: F811 - uses the imported fixtures
    """An issued reroof permit: the homeowner applied and named the contractor. Issued
    today, so a test that moves the clock moves it before asking for this."""
    return permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
