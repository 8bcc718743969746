"""The business licenses section of the dashboard: my licenses with their status,
renewal and certificate, the applications waiting on me, and a way to apply."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from licensing import services
from licensing.dashboard import license_overview
from licensing.models import BusinessLicense
from licensing.selectors import license_renewal_refusal
from tests.factories import BusinessLicenseFactory, UserFactory

DASHBOARD = "/dashboard/"


def section_of(page: str) -> str:
    """The business licenses card of the dashboard page."""
    start = page.index('id="business-licenses"')
    return page[start : page.index("</section>", start)]


def test_someone_without_a_license_is_invited_to_apply(client, owner):
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    assert "You have no city business license on this account." in section
    assert f'href="{reverse("licensing:apply")}">Apply for New License<' in section


def test_an_active_license_shows_its_status_term_and_certificate(client, owner):
    license = BusinessLicenseFactory(holder=owner, number="BL2026-00003")
    license.certificate.save("certificate.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    assert f'href="{reverse("licensing:detail", args=[license.pk])}">BL2026-00003<' in section
    assert ">Active<" in section
    assert f"valid through {date_format(license.expires_on, 'DATE_FORMAT')}" in section
    assert f'href="{reverse("licensing:certificate", args=[license.pk])}"' in section
    # 200 days left: renewal has not opened.
    assert "Renewal due" not in section


def test_a_license_in_its_renewal_window_says_by_when(client, owner):
    today = datetime.date.today()
    license = BusinessLicenseFactory(
        holder=owner,
        starts_on=today - datetime.timedelta(days=330),
        expires_on=today + datetime.timedelta(days=25),
    )
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    assert f"Renewal due by {date_format(license.expires_on, 'DATE_FORMAT')}" in section
    assert f'href="{reverse("licensing:detail", args=[license.pk])}#renewal"' in section


def test_a_renewal_under_way_replaces_the_reminder(client, owner):
    today = datetime.date.today()
    license = BusinessLicenseFactory(
        holder=owner,
        starts_on=today - datetime.timedelta(days=330),
        expires_on=today + datetime.timedelta(days=25),
    )
    renewal = services.license_renewal_start(license=license, user=owner)
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    assert "Renewal due" not in section
    assert f'href="{reverse("licensing:detail", args=[renewal.pk])}">Renewal: Draft<' in section
    assert "Continue the application" in section


def test_applications_waiting_on_me_are_listed_with_their_next_step(
    client, owner, retail, licensing_clerk, license_draft_complete
):
    draft = services.license_draft_start(holder=owner)
    asked = services.license_submit(license=license_draft_complete(owner, retail), user=owner)
    services.license_info_request(license=asked, reviewer=licensing_clerk, message="EIN?")
    due = services.license_submit(license=license_draft_complete(owner, retail), user=owner)
    services.license_approve(license=due, reviewer=licensing_clerk)
    waiting = services.license_submit(license=license_draft_complete(owner, retail), user=owner)
    denied = services.license_submit(license=license_draft_complete(owner, retail), user=owner)
    services.license_deny(license=denied, reviewer=licensing_clerk, reason="No.")
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    def link(license: BusinessLicense) -> str:
        return f'href="{reverse("licensing:detail", args=[license.pk])}"'

    assert f'{link(draft)} class="fw-semibold">Continue the application' in section
    assert f'{link(asked)} class="fw-semibold">Answer the city&#x27;s request' in section
    assert f'{link(due)} class="fw-semibold">Pay the fees' in section
    assert f"{link(waiting)}>With the city: see the application" in section
    assert link(denied) not in section


def test_nobody_else_s_licenses_appear(client, owner):
    BusinessLicenseFactory(holder=UserFactory(username="neighbour"), number="BL2026-00999")
    client.force_login(owner)

    section = section_of(client.get(DASHBOARD).content.decode())

    assert "BL2026-00999" not in section


def test_the_section_takes_the_same_queries_for_one_license_or_many(
    client, owner, finance, django_assert_num_queries
):
    BusinessLicenseFactory(holder=owner)
    client.force_login(owner)
    client.get(DASHBOARD)

    with CaptureQueriesContext(connection) as one:
        client.get(DASHBOARD)
    for _ in range(6):
        BusinessLicenseFactory(holder=owner)
        services.license_draft_start(holder=owner)

    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(DASHBOARD).content.decode()

    assert section_of(page).count("Continue the application") == 6


@pytest.mark.parametrize(
    ("days_left", "status"),
    [
        (200, "active"),
        (61, "active"),
        (60, "active"),
        (1, "active"),
        (0, "active"),
        (-1, "expired"),
        (-180, "expired"),
        (-181, "expired"),
    ],
)
def test_renewal_due_agrees_with_the_renewal_rule(owner, finance, days_left, status):
    today = datetime.date.today()
    license = BusinessLicenseFactory(
        holder=owner,
        status=status,
        starts_on=today - datetime.timedelta(days=400),
        expires_on=today + datetime.timedelta(days=days_left),
    )

    (term,) = license_overview(owner, today).terms

    assert term.renewal_due == (license_renewal_refusal(license, today) == "")
