"""Everything that changes an account: registration, passwords, verification, lockouts."""

import datetime
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lockout import lockout_threshold
from accounts.models import (
    CONTRACTOR_VERIFIED_FIELDS,
    ContractorProfile,
    LicenseClassification,
    SecurityQuestion,
    User,
)
from portal.email import email_send

# Letters and digits that cannot be mistaken for one another when read over the phone.
TEMPORARY_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679"  # noqa: S105
TEMPORARY_PASSWORD_LENGTH = 14


class AccountError(Exception):
    """A change that cannot be made, with a message a person can read."""


@dataclass(frozen=True)
class ContactDetails:
    """Contact details every account carries."""

    phone: str
    address_line1: str
    address_city: str
    address_state: str
    address_postal_code: str
    address_line2: str = ""


@dataclass(frozen=True)
class ContractorDetails:
    business_name: str
    license_expires_on: datetime.date | None
    classifications: list[LicenseClassification] = field(default_factory=list)
    workers_comp_exempt: bool = False
    workers_comp_carrier: str = ""
    workers_comp_policy_number: str = ""
    workers_comp_expires_on: datetime.date | None = None


def security_answer_normalize(answer: str) -> str:
    """Answers match ignoring capital letters and extra spaces: "  Main  street" = "main street"."""
    return " ".join(answer.split()).casefold()


def security_answer_matches(*, user: User, answer: str) -> bool:
    if not user.security_answer_hash:
        return False
    return check_password(security_answer_normalize(answer), user.security_answer_hash)


def _security_question_assign(user: User, question: SecurityQuestion, answer: str) -> None:
    normalized = security_answer_normalize(answer)
    if not normalized:
        raise AccountError(_("Give an answer to the security question."))
    user.security_question = question
    user.security_answer_hash = make_password(normalized)


def _contractor_profile_fill(profile: ContractorProfile, details: ContractorDetails) -> None:
    profile.business_name = details.business_name
    profile.license_expires_on = details.license_expires_on
    profile.workers_comp_exempt = details.workers_comp_exempt
    if details.workers_comp_exempt:
        profile.workers_comp_carrier = ""
        profile.workers_comp_policy_number = ""
        profile.workers_comp_expires_on = None
    else:
        profile.workers_comp_carrier = details.workers_comp_carrier
        profile.workers_comp_policy_number = details.workers_comp_policy_number
        profile.workers_comp_expires_on = details.workers_comp_expires_on


@transaction.atomic
def user_register(
    *,
    user: User,
    account_type: str,
    contact: ContactDetails,
    security_question: SecurityQuestion,
    security_answer: str,
    contractor: ContractorDetails | None = None,
) -> User:
    """Complete a new account that allauth has filled with username, email and password."""
    if account_type == User.AccountType.CONTRACTOR and contractor is None:
        raise AccountError(_("A contractor account needs the contractor's license details."))
    if account_type not in (User.AccountType.PUBLIC, User.AccountType.CONTRACTOR):
        raise AccountError(_("Only public and contractor accounts can be registered online."))
    user.account_type = account_type
    for name, value in vars(contact).items():
        setattr(user, name, value)
    _security_question_assign(user, security_question, security_answer)
    user.save()
    if contractor is not None:
        profile = ContractorProfile(user=user)
        _contractor_profile_fill(profile, contractor)
        profile.save()
        profile.classifications.set(contractor.classifications)
    email_send(template_prefix="email/welcome", to=[user.email], context={"user": user})
    return user


@transaction.atomic
def user_account_setup(
    *, user: User, password: str | None, security_question: SecurityQuestion, security_answer: str
) -> None:
    """Finish an imported account or a temporary password: new password and security question."""
    if user.must_change_password and not password:
        raise AccountError(_("Choose a new password."))
    if password:
        user.set_password(password)
        user.must_change_password = False
    _security_question_assign(user, security_question, security_answer)
    user.save()


@transaction.atomic
def user_security_question_change(
    *, user: User, security_question: SecurityQuestion, security_answer: str
) -> None:
    _security_question_assign(user, security_question, security_answer)
    user.save(update_fields=["security_question", "security_answer_hash"])


@transaction.atomic
def user_password_set(*, user: User, password: str) -> None:
    """A password the person chose (reset link or change): any temporary one is over."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


@transaction.atomic
def temporary_password_issue(*, user: User) -> str:
    """Give a person a one-time password to read to them; they must replace it at login.

    The password is returned once, for staff to pass on, and never stored in clear. Any
    lockout on the account is lifted, since the person is usually calling about it.
    """
    if not user.is_active:
        raise AccountError(_("This account is inactive; activate it before issuing a password."))
    password = "".join(
        secrets.choice(TEMPORARY_PASSWORD_ALPHABET) for _index in range(TEMPORARY_PASSWORD_LENGTH)
    )
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    accounts_unlock(usernames=[user.username])
    if user.email:
        email_send(
            template_prefix="email/temporary_password", to=[user.email], context={"user": user}
        )
    return password


@transaction.atomic
def contractor_verify(*, profile: ContractorProfile, verified_by: User) -> bool:
    """Record that staff checked the state license and insurance; False if already done."""
    profile = (
        ContractorProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    )
    if profile.is_verified:
        return False
    if profile.license_expired():
        raise AccountError(
            _("%(name)s: the state license has expired or has no expiration date on file.")
            % {"name": profile.business_name}
        )
    if profile.insurance_expired():
        raise AccountError(
            _("%(name)s: the workers' compensation policy has expired or is incomplete.")
            % {"name": profile.business_name}
        )
    profile.verified_at = timezone.now()
    profile.verified_by = verified_by
    profile.save(update_fields=["verified_at", "verified_by"])
    if profile.user.email:
        email_send(
            template_prefix="email/contractor_verified",
            to=[profile.user.email],
            context={"user": profile.user, "profile": profile},
        )
    return True


def _verified_details(profile: ContractorProfile, classification_ids) -> tuple:
    return (
        *(getattr(profile, name) for name in CONTRACTOR_VERIFIED_FIELDS),
        frozenset(classification_ids),
    )


@transaction.atomic
def contractor_profile_update(
    *, profile: ContractorProfile, details: ContractorDetails
) -> ContractorProfile:
    """A contractor's own change to license or insurance (or their first entry of it, for
    an account staff made); staff must verify it again."""
    if profile.pk is None:
        before = None
    else:
        profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
        before = _verified_details(profile, profile.classifications.values_list("pk", flat=True))
    _contractor_profile_fill(profile, details)
    after = _verified_details(profile, [item.pk for item in details.classifications])
    if before != after:
        profile.verified_at = None
        profile.verified_by = None
    profile.save()
    profile.classifications.set(details.classifications)
    return profile


def accounts_unlock(*, usernames: list[str]) -> int:
    """Lift lockouts on these accounts now; returns how many lockout records went."""
    from axes.models import AccessAttempt

    deleted, _details = AccessAttempt.objects.filter(
        username__in=[username.lower() for username in usernames]
    ).delete()
    return deleted


def lockouts_purge_expired() -> int:
    """Delete lockout records whose cool-off has passed (they no longer lock anything)."""
    from axes.models import AccessAttempt

    deleted, _details = AccessAttempt.objects.filter(attempt_time__lt=lockout_threshold()).delete()
    return deleted
