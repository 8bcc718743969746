import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The CSLB issues license numbers of up to eight digits; contractors sign in with theirs.
license_number_validator = RegexValidator(
    r"^[1-9][0-9]{0,9}\Z",
    _(
        "A CSLB license number is digits only, such as 1029384, with no letters, spaces "
        "or leading zeros."
    ),
    code="license_number",
)

# A person's phone and mailing address, as every form and the admin show them.
CONTACT_FIELDS = (
    "phone",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_postal_code",
)

# A license or policy that lapses within this many days earns a warning on the dashboard.
EXPIRY_WARNING_DAYS = 30


class SecurityQuestion(models.Model):
    """A question a person picks at registration; staff keep the list in the admin."""

    text = models.CharField(_("question"), max_length=200, unique=True)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Only offered questions appear on the forms.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "text")
        verbose_name = _("security question")
        verbose_name_plural = _("security questions")

    def __str__(self) -> str:
        return self.text


class LicenseClassification(models.Model):
    """A CSLB license classification such as B (General Building) or C-10 (Electrical)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("license classification")
        verbose_name_plural = _("license classifications")

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class User(AbstractUser):
    class AccountType(models.TextChoices):
        PUBLIC = "public", _("Public")
        CONTRACTOR = "contractor", _("Contractor")
        STAFF = "staff", _("City staff")

    account_type = models.CharField(
        _("account type"),
        max_length=20,
        choices=AccountType.choices,
        default=AccountType.PUBLIC,
        help_text=_("Contractors sign in with their CSLB license number as the username."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address_line1 = models.CharField(_("mailing address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    address_city = models.CharField(_("city"), max_length=100, blank=True)
    address_state = models.CharField(_("state"), max_length=2, blank=True)
    address_postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    security_question = models.ForeignKey(
        SecurityQuestion,
        verbose_name=_("security question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # Hashed like a password: the answer is a second secret and never stored in clear.
    security_answer_hash = models.CharField(
        _("security answer (hashed)"), max_length=128, blank=True, editable=False
    )
    must_change_password = models.BooleanField(
        _("must set a new password"),
        default=False,
        help_text=_(
            "Set for imported accounts and temporary passwords: the person chooses a new "
            "password before any other page opens."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("issue_temporary_password", _("Can issue a temporary password")),
            ("unlock_user", _("Can unlock a locked-out account")),
            ("import_users", _("Can import accounts from a CSV file")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("Another account already uses this email address."),
            ),
        ]

    @property
    def is_contractor(self) -> bool:
        return self.account_type == self.AccountType.CONTRACTOR

    @property
    def needs_account_setup(self) -> bool:
        """True while the person still owes a new password or a security question."""
        if self.is_staff:
            return False
        return self.must_change_password or self.security_question_id is None


# What staff verify on a contractor's profile: a change to any of these (or to the
# classifications) sends the profile back to them.
CONTRACTOR_VERIFIED_FIELDS = (
    "business_name",
    "license_expires_on",
    "workers_comp_exempt",
    "workers_comp_carrier",
    "workers_comp_policy_number",
    "workers_comp_expires_on",
)


class ContractorProfile(models.Model):
    """A contractor's state license and workers' compensation, as staff verify them.

    The CSLB license number is the account's username, so it is unique by construction.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="contractor_profile",
    )
    business_name = models.CharField(_("business name"), max_length=200)
    classifications = models.ManyToManyField(
        LicenseClassification, verbose_name=_("license classifications"), blank=True
    )
    license_expires_on = models.DateField(_("state license expires on"), null=True, blank=True)
    workers_comp_exempt = models.BooleanField(
        _("exempt from workers' compensation"),
        default=False,
        help_text=_("The contractor declares they have no employees in California."),
    )
    workers_comp_carrier = models.CharField(
        _("workers' compensation carrier"), max_length=200, blank=True
    )
    workers_comp_policy_number = models.CharField(_("policy number"), max_length=60, blank=True)
    workers_comp_expires_on = models.DateField(_("policy expires on"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contractor profile")
        verbose_name_plural = _("contractor profiles")
        permissions = [
            ("verify_contractorprofile", _("Can verify a contractor's license and insurance")),
        ]

    def __str__(self) -> str:
        return f"{self.business_name} ({self.license_number})"

    @property
    def license_number(self) -> str:
        return self.user.username

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def license_expired(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.license_expires_on is None or self.license_expires_on < today

    def insurance_expired(self, today: datetime.date | None = None) -> bool:
        if self.workers_comp_exempt:
            return False
        today = today or timezone.localdate()
        return self.workers_comp_expires_on is None or self.workers_comp_expires_on < today
