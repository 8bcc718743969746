"""A holder's licenses at a glance, for the dashboard section and the "My business
licenses" page: the latest term of each license, whether it is due for renewal, and the
applications still under way, from one query (two when a renewal window is open: the
renewal rule is the selector's, asked of the rows in hand)."""

import datetime
import functools
from dataclasses import dataclass

from django.urls import reverse

from accounts.models import User
from licensing.constants import APPLICATION_ACTIONS, SEE_THE_APPLICATION, ApplicationAction
from licensing.models import BusinessLicense, LicensingSettings
from licensing.selectors import licenses_of, renewal_refusal_of
from portal.selectors import city_localdate

DASHBOARD_LICENSES = 10
Status = BusinessLicense.Status
# Bootstrap badges whose text meets AA contrast on their background; the status is
# always written in words beside the colour.
STATUS_BADGES = {
    Status.SUBMITTED: "text-bg-info",
    Status.IN_REVIEW: "text-bg-info",
    Status.INFO_REQUESTED: "text-bg-warning",
    Status.APPROVED: "text-bg-warning",
    Status.ACTIVE: "text-bg-success",
    Status.DENIED: "text-bg-danger",
}


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@dataclass(frozen=True)
class LicenseTerm:
    """The latest term of one license number, as its holder sees it."""

    license: BusinessLicense
    renewal: BusinessLicense | None
    renewal_due: bool
    badge: str

    @property
    def has_certificate(self) -> bool:
        return self.license.status == Status.ACTIVE and bool(self.license.certificate)


@dataclass(frozen=True)
class LicenseApplication:
    """An application without a number yet, and what its holder does next."""

    license: BusinessLicense
    badge: str
    action_label: str
    needs_action: bool

    @property
    def url(self) -> str:
        return reverse("licensing:detail", args=[self.license.pk])


@dataclass(frozen=True)
class LicenseOverview:
    terms: list[LicenseTerm]
    applications: list[LicenseApplication]


def _next_step(license: BusinessLicense) -> ApplicationAction:
    """What the holder does next with an application, and whether it waits on them."""
    # "Pay the fees" only while there are fees to pay.
    if license.status == Status.APPROVED and not (
        license.invoice is not None and license.invoice.is_due
    ):
        return SEE_THE_APPLICATION
    return APPLICATION_ACTIONS.get(license.status, SEE_THE_APPLICATION)


def license_overview(user: User, today: datetime.date | None = None) -> LicenseOverview:
    """Every license of the holder's (its latest term) and every application without a
    number yet, newest first."""
    today = today or city_localdate()
    rows = list(licenses_of(user))
    # Newest first, so the first renewal seen is the one under way.
    renewals = {}
    for row in rows:
        if row.renewal_of_id and row.status != Status.DENIED:
            renewals.setdefault(row.renewal_of_id, row)
    latest_terms: dict[str, BusinessLicense] = {}
    applications = []
    for row in rows:
        if not row.number:
            label, needs_action = _next_step(row)
            applications.append(
                LicenseApplication(
                    license=row,
                    badge=status_badge(row.status),
                    action_label=label,
                    needs_action=needs_action,
                )
            )
            continue
        held = latest_terms.get(row.number)
        if held is None or row.starts_on > held.starts_on:
            latest_terms[row.number] = row
    rules = functools.cache(LicensingSettings.current)
    terms = [
        LicenseTerm(
            license=license,
            renewal=renewals.get(license.pk),
            renewal_due=not renewal_refusal_of(
                license,
                today,
                renewal_underway=license.pk in renewals,
                rules=rules,
            ),
            badge=status_badge(license.status),
        )
        for license in sorted(
            latest_terms.values(), key=lambda license: license.expires_on, reverse=True
        )
    ]
    return LicenseOverview(terms=terms, applications=applications)


def licenses_dashboard_context(user: User) -> dict:
    overview = license_overview(user)
    return {
        "terms": overview.terms[:DASHBOARD_LICENSES],
        "has_more": len(overview.terms) > DASHBOARD_LICENSES,
        # A denied application has nothing left to do; its page stays on the list page.
        "applications": [
            application
            for application in overview.applications
            if application.license.status != Status.DENIED
        ],
    }
