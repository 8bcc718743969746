"""Reads about accounts that views share: what stops a person, how a contractor stands."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import EXPIRY_WARNING_DAYS, ContractorProfile, User
from accounts.registry import Blocker, account_requirements


@dataclass(frozen=True)
class Credential:
    """A contractor's license or policy, with how it stands today."""

    label: str
    detail: str
    expires_on: datetime.date | None
    state: str  # "current", "expiring", "expired", "missing" or "exempt"


def email_is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def contractor_profile_of(user: User) -> ContractorProfile | None:
    if not user.is_contractor:
        return None
    return (
        ContractorProfile.objects.filter(user=user)
        .select_related("user")
        .prefetch_related("classifications")
        .first()
    )


def _expiry_state(expires_on: datetime.date | None, today: datetime.date) -> str:
    if expires_on is None:
        return "missing"
    if expires_on < today:
        return "expired"
    if expires_on <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return "current"


def contractor_credentials(
    profile: ContractorProfile, today: datetime.date | None = None
) -> list[Credential]:
    today = today or timezone.localdate()
    license_credential = Credential(
        label=_("State contractor license"),
        detail=", ".join(item.code for item in profile.classifications.all()),
        expires_on=profile.license_expires_on,
        state=_expiry_state(profile.license_expires_on, today),
    )
    if profile.workers_comp_exempt:
        insurance = Credential(
            label=_("Workers' compensation"),
            detail=_("Exempt (no employees in California)"),
            expires_on=None,
            state="exempt",
        )
    else:
        insurance = Credential(
            label=_("Workers' compensation"),
            detail=" · ".join(
                part
                for part in (profile.workers_comp_carrier, profile.workers_comp_policy_number)
                if part
            ),
            expires_on=profile.workers_comp_expires_on,
            state=_expiry_state(profile.workers_comp_expires_on, today),
        )
    return [license_credential, insurance]


def account_blockers(user: User, profile: ContractorProfile | None = None) -> list[Blocker]:
    """The gate to permits: why this person may not apply for or be named on a permit
    yet, each with its fix; empty when nothing stands in the way. Every entry point asks
    this one function."""
    blockers = _own_blockers(user, profile)
    for check in account_requirements():
        blockers.extend(check(user))
    return blockers


def _own_blockers(user: User, profile: ContractorProfile | None) -> list[Blocker]:
    blockers = []
    if not email_is_verified(user):
        blockers.append(
            Blocker(
                message=_("Confirm your email address %(email)s: open the link we sent you.")
                % {"email": user.email},
                action_url=reverse("account_email"),
                action_label=_("Send the link again"),
            )
        )
    if user.is_contractor:
        profile = profile or contractor_profile_of(user)
        fix_url = reverse("accounts:contractor-profile")
        if profile is None:
            blockers.append(
                Blocker(
                    _("Add your state license and workers' compensation details."),
                    fix_url,
                    _("Add license details"),
                )
            )
            return blockers
        if profile.license_expired():
            blockers.append(
                Blocker(
                    _(
                        "Your state contractor license has expired. Renew it with the CSLB, "
                        "then enter the new expiration date."
                    ),
                    fix_url,
                    _("Update license"),
                )
            )
        if profile.insurance_expired():
            blockers.append(
                Blocker(
                    _("Your workers' compensation policy has expired or is incomplete."),
                    fix_url,
                    _("Update insurance"),
                )
            )
        if not profile.is_verified:
            blockers.append(
                Blocker(
                    _(
                        "The Permit Center has not yet verified your license and insurance. "
                        "Staff check new and changed details within two business days; you "
                        "will get an email when it is done."
                    )
                )
            )
    return blockers
