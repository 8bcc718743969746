"""A business license's statuses, what each means to the holder and what they do next,
declared once for the license page, the status emails and the dashboard."""

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    APPROVED = "approved", _("Approved, fees due")
    ACTIVE = "active", _("Active")
    DENIED = "denied", _("Denied")
    EXPIRED = "expired", _("Expired")


# What the license page says a status means; a draft is shown as its wizard instead.
STATUS_MEANINGS = {
    LicenseStatus.SUBMITTED: _(
        "The business license office has your application and will review it. It writes "
        "to you when it decides or needs more from you."
    ),
    LicenseStatus.IN_REVIEW: _(
        "The business license office is reviewing your application. It writes to you when "
        "it decides or needs more from you."
    ),
    LicenseStatus.INFO_REQUESTED: _(
        "The business license office needs more information: read its message, update the "
        "application and submit it again."
    ),
    LicenseStatus.APPROVED: _(
        "Approved. Pay the fees and the license becomes active, with its number and certificate."
    ),
    LicenseStatus.ACTIVE: _(
        "Active. Keep the certificate at your place of business; renew the license before "
        "it expires."
    ),
    LicenseStatus.DENIED: _(
        "The application was denied; the reason is below. You may apply again, or call "
        "the business license office."
    ),
    LicenseStatus.EXPIRED: _(
        "Expired. The business may not operate in the city until the license is renewed or "
        "a new one is issued."
    ),
}

# What the status email tells the holder to do next. `BusinessLicense.next_step` fills in
# the fees due (`total`) and the term (`starts`, `expires`); the placeholders keep the
# names the email templates gave them, so translations made from those templates still
# apply.
NEXT_STEPS = {
    LicenseStatus.SUBMITTED: _(
        "We received it. The business license office reviews it and writes to you when it has."
    ),
    LicenseStatus.IN_REVIEW: _(
        "A reviewer in the business license office is looking at your application."
    ),
    LicenseStatus.INFO_REQUESTED: _(
        "Open the application, add what is asked for above and submit it again. The review "
        "continues once you have."
    ),
    LicenseStatus.APPROVED: _(
        "The fees of $%(total)s are due. Pay them on the license page; the license becomes "
        "active as soon as they are paid."
    ),
    LicenseStatus.ACTIVE: _(
        "It is valid from %(starts)s through %(expires)s. Download the certificate from the "
        "license page and post it in a conspicuous place at the business."
    ),
    LicenseStatus.DENIED: _(
        "No fees are due. To get a license, apply again with what the reason above asks for, "
        "or call the business license office."
    ),
    LicenseStatus.EXPIRED: _(
        "The business can no longer operate in the city under this license. Renew it from "
        "the license page or apply for a new license."
    ),
}


class ApplicationAction(NamedTuple):
    """The link to an application on the holder's dashboard: what they do next, and
    whether the application waits on them."""

    label: str
    needs_action: bool


SEE_THE_APPLICATION = ApplicationAction(_("See the application"), needs_action=False)
WITH_THE_CITY = ApplicationAction(_("With the city: see the application"), needs_action=False)

# An application in any other status, or approved with no fees left due, links to its
# page as SEE_THE_APPLICATION.
APPLICATION_ACTIONS = {
    LicenseStatus.DRAFT: ApplicationAction(_("Continue the application"), needs_action=True),
    LicenseStatus.SUBMITTED: WITH_THE_CITY,
    LicenseStatus.IN_REVIEW: WITH_THE_CITY,
    LicenseStatus.INFO_REQUESTED: ApplicationAction(
        _("Answer the city's request"), needs_action=True
    ),
    LicenseStatus.APPROVED: ApplicationAction(_("Pay the fees"), needs_action=True),
}
