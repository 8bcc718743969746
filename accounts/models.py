from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
