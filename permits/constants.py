"""A permit's statuses, what each means to the applicant and what they do next, declared
once for the permit page and the status emails."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PermitStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CORRECTIONS_REQUESTED = "corrections_requested", _("Corrections requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved, fees due")
    ISSUED = "issued", _("Issued")
    FINALED = "finaled", _("Finaled")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# What the permit page says a status means; a draft is shown as its wizard instead.
STATUS_MEANINGS = {
    PermitStatus.SUBMITTED: _("The Permit Center has the application and will review it."),
    PermitStatus.IN_REVIEW: _("A Permit Center reviewer is looking at the application."),
    PermitStatus.CORRECTIONS_REQUESTED: _(
        "The reviewer needs corrections: read their message, upload revised documents and resubmit."
    ),
    PermitStatus.RESUBMITTED: _("The corrections are with the reviewer."),
    PermitStatus.APPROVED: _("Approved. The permit is issued once the fees are paid."),
    PermitStatus.ISSUED: _(
        "Issued. Keep the permit on the site until the work passes its final inspection."
    ),
    PermitStatus.FINALED: _("The work passed its final inspection. Nothing more is needed."),
    PermitStatus.DENIED: _("The application was denied; the reason is in the timeline."),
    PermitStatus.WITHDRAWN: _("The application was withdrawn."),
    PermitStatus.EXPIRED: _(
        "The permit expired before the work was finaled. To finish the work, apply for a new "
        "permit or call the Permit Center."
    ),
}

# What the status email tells the applicant to do next. `Permit.next_step` fills in the
# fees due (`total`) and the expiry date (`date`); the placeholders keep the names the
# email templates gave them, so translations made from those templates still apply.
NEXT_STEPS = {
    PermitStatus.SUBMITTED: _("The Permit Center will review it and write to you when it has."),
    PermitStatus.IN_REVIEW: _("A plan reviewer is looking at your application."),
    PermitStatus.CORRECTIONS_REQUESTED: _(
        "Open the permit page, upload the corrected documents and resubmit."
    ),
    PermitStatus.RESUBMITTED: _("The reviewer has been told and will look at your corrections."),
    PermitStatus.APPROVED: _(
        "The fees of $%(total)s are due. The permit is issued as soon as they are paid."
    ),
    PermitStatus.ISSUED: _(
        "Download the permit from the permit page and keep it on the job site. It is valid "
        "until %(date)s."
    ),
    PermitStatus.FINALED: _("The work passed its final inspection. Nothing more is needed."),
    PermitStatus.DENIED: _(
        "No fees are due. To do the work, apply again with what the reason above asks for, or "
        "call the Permit Center."
    ),
    PermitStatus.WITHDRAWN: _(
        "The application is closed and its unpaid fees are cancelled. Nothing more is needed."
    ),
    PermitStatus.EXPIRED: _(
        "The permit can no longer be inspected. To finish the work, apply for a new permit or "
        "call the Permit Center."
    ),
}
