import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.factories import ContractorFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded documents and PDFs go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homeowner(demo_city):
    """A public user with a confirmed email, who may submit applications."""
    return UserFactory(username="rosa", email_verified=True)


@pytest.fixture
def contractor(demo_city):
    """A contractor verified by the Permit Center, license and insurance current."""
    contractor = ContractorFactory(username="1029384", email_verified=True)
    contractor.contractor_profile.verified_at = timezone.now()
    contractor.contractor_profile.business_name = "Coastline Roofing"
    contractor.contractor_profile.save()
    return contractor


@pytest.fixture
def clerk(db):
    """A Permit Center clerk (staff, in the group)."""
    clerk = UserFactory(
        username="clerk",
        last_name="Okafor",
        is_staff=True,
        account_type="staff",
        email="clerk@city.example",
    )
    clerk.groups.add(Group.objects.get(name="Permit Center"))
    return clerk
