"""Everything that changes a permit: drafts, submission, review, issuance, expiry.

Every transition locks the row, checks the status it starts from, writes a timeline
entry and tells the applicant (and the contractor) by email. It is longer than the house's
500 lines on purpose: the whole lifecycle reads in one file, and every step shares those
helpers.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import account_blockers
from payments.models import Invoice
from payments.services import (
    PaymentError,
    invoice_create,
    invoice_make_due,
    invoice_void,
)
from permits.fees import FEES_OUT_OF_RANGE, FeeScheduleError
from permits.models import (
    Permit,
    PermitDocument,
    PermitEvent,
    PermitType,
    RequiredDocument,
    number_compact,
)
from permits.numbering import permit_number_next
from permits.pdf import PERMIT_PDF_TASK
from permits.selectors import (
    contractor_for_license,
    permit_fee_lines,
    permit_final_refusal,
    permit_missing_items,
    permit_type_refusal,
)
from permits.uploads import UploadRejected, upload_content_type
from portal.email import EmailAttachment, email_send
from portal.links import absolute_url
from portal.outbox import task_enqueue_on_commit
from portal.selectors import city_localdate

INVOICE_KIND = "permit"
EXPIRY_WARNING_DAYS = 30
PERMIT_CENTER_GROUP = "Permit Center"

logger = logging.getLogger(__name__)


class PermitError(Exception):
    """A change that cannot be made, with a message a person can read."""


@dataclass(frozen=True)
class SiteDetails:
    site_address: str
    site_city: str
    site_postal_code: str
    site_unit: str = ""
    parcel_number: str = ""


def _locked(permit: Permit) -> Permit:
    """The permit, locked, after its invoice: paying locks the invoice and then issues the
    permit, so every path takes the two in that order and none waits on the other."""
    invoice_id = Permit.objects.filter(pk=permit.pk).values_list("invoice_id", flat=True).get()
    if invoice_id is not None:
        Invoice.objects.select_for_update().only("pk").get(pk=invoice_id)
    return Permit.objects.select_for_update().select_related("permit_type").get(pk=permit.pk)


def _require_status(permit: Permit, *allowed: str) -> None:
    if permit.status not in allowed:
        raise PermitError(
            _("This can't be done while the permit is “%(status)s”.")
            % {"status": permit.get_status_display()}
        )


def _draft_of(permit: Permit, user: User) -> Permit:
    permit = _locked(permit)
    if permit.applicant_id != user.pk:
        raise PermitError(_("Only the applicant can change this application."))
    _require_status(permit, Permit.Status.DRAFT)
    return permit


def _event(permit: Permit, actor: User | None, message: str = "") -> PermitEvent:
    return PermitEvent.objects.create(
        permit=permit, status=permit.status, message=message, actor=actor
    )


def _recipients(permit: Permit) -> list[str]:
    addresses = [permit.applicant.email]
    if permit.contractor_id and permit.contractor_id != permit.applicant_id:
        addresses.append(permit.contractor.email)
    return [address for address in dict.fromkeys(addresses) if address]


def permit_email_each(
    permit: Permit,
    template_prefix: str,
    *,
    attachments: tuple[EmailAttachment, ...] = (),
    **context,
) -> None:
    """One message per person: a homeowner and the contractor they named do not learn
    each other's address from us."""
    for recipient in _recipients(permit):
        email_send(
            template_prefix=template_prefix,
            to=[recipient],
            attachments=attachments,
            context={
                "permit": permit,
                "permit_url": absolute_url(reverse("permits:detail", args=[permit.pk])),
                **context,
            },
        )


def _notify(permit: Permit, event: PermitEvent) -> None:
    permit_email_each(permit, "email/permit_status", event=event)


def _transition(
    permit: Permit,
    status: str,
    actor: User | None,
    message: str = "",
    *fields: str,
    notify: bool = True,
) -> Permit:
    permit.status = status
    if actor is not None:
        permit._history_user = actor
    permit.save(update_fields=["status", "updated_at", *fields])
    event = _event(permit, actor, message)
    if notify:
        _notify(permit, event)
    return permit


def _file_delete_on_commit(file) -> None:
    """Remove a stored file once the rows that named it are gone for good: a rollback
    would otherwise leave rows pointing at nothing. A file that cannot be removed then is
    left behind and logged: the change has committed, and the person sees it done."""
    storage, name = file.storage, file.name

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Stored file %s could not be removed; it is left behind", name)

    if name:
        transaction.on_commit(delete)


# Drafts ---------------------------------------------------------------------------------


def _site_fill(permit: Permit, site: SiteDetails) -> None:
    permit.site_address = " ".join(site.site_address.split())
    permit.site_unit = site.site_unit.strip()
    permit.site_city = site.site_city.strip()
    permit.site_postal_code = site.site_postal_code.strip()
    permit.parcel_number = site.parcel_number.strip()


@transaction.atomic
def permit_draft_start(*, applicant: User, permit_type: PermitType, site: SiteDetails) -> Permit:
    refusal = permit_type_refusal(applicant, permit_type)
    if refusal:
        raise PermitError(refusal)
    permit = Permit(permit_type=permit_type, applicant=applicant, draft_step="site")
    _site_fill(permit, site)
    if applicant.is_contractor and permit_type.is_construction:
        _contractor_assign(permit, applicant)
    permit._history_user = applicant
    permit.save()
    return permit


def _draft_save(permit: Permit, user: User, step: str, fields: list[str]) -> Permit:
    permit.draft_step = step
    permit._history_user = user
    permit.save(update_fields=[*fields, "draft_step", "updated_at"])
    return permit


@transaction.atomic
def permit_site_update(*, permit: Permit, user: User, site: SiteDetails) -> Permit:
    permit = _draft_of(permit, user)
    _site_fill(permit, site)
    fields = ["site_address", "site_unit", "site_city", "site_postal_code", "parcel_number"]
    return _draft_save(permit, user, "site", fields)


@transaction.atomic
def permit_project_update(
    *, permit: Permit, user: User, description: str, valuation: Decimal | None
) -> Permit:
    permit = _draft_of(permit, user)
    if valuation is not None and valuation < 0:
        raise PermitError(_("The valuation cannot be negative."))
    permit.description = description.strip()
    permit.valuation = valuation
    return _draft_save(permit, user, "project", ["description", "valuation"])


@transaction.atomic
def permit_details_update(*, permit: Permit, user: User, field_values: dict) -> Permit:
    """`field_values` as the type's form cleaned them: JSON-ready, keyed by field name."""
    permit = _draft_of(permit, user)
    known = set(permit.permit_type.fields.values_list("name", flat=True))
    permit.field_values = {name: value for name, value in field_values.items() if name in known}
    return _draft_save(permit, user, "details", ["field_values"])


def _contractor_assign(permit: Permit, contractor: User) -> None:
    permit.work_by = Permit.WorkBy.CONTRACTOR
    permit.contractor = contractor
    permit.contractor_license_number = contractor.username
    profile = getattr(contractor, "contractor_profile", None)
    permit.contractor_business_name = profile.business_name if profile else ""
    permit.owner_builder_declared_at = None


@transaction.atomic
def permit_work_update(
    *,
    permit: Permit,
    user: User,
    work_by: str,
    contractor_license_number: str = "",
    owner_builder_declared: bool = False,
) -> Permit:
    permit = _draft_of(permit, user)
    permit_type = permit.permit_type
    if not permit_type.is_construction:
        raise PermitError(_("This permit does not ask who does the work."))
    if user.is_contractor:
        raise PermitError(_("As a contractor, you are the contractor on your applications."))
    if work_by == Permit.WorkBy.CONTRACTOR:
        contractor = contractor_for_license(contractor_license_number)
        if contractor is None:
            raise PermitError(
                _(
                    "No contractor with license %(number)s has an account on the portal. "
                    "Check the number, or ask your contractor to register."
                )
                % {"number": contractor_license_number}
            )
        problems = account_blockers(contractor, contractor.contractor_profile)
        if problems:
            raise PermitError(
                _(
                    "Contractor %(number)s cannot be named on a permit yet: their City "
                    "business license, state license or insurance is not current, or they "
                    "are not yet verified by the Permit Center."
                )
                % {"number": contractor_license_number}
            )
        _contractor_assign(permit, contractor)
    elif work_by == Permit.WorkBy.OWNER_BUILDER:
        if not permit_type.owner_builder_allowed:
            raise PermitError(
                _("A licensed contractor must do this work; owner-builders may not apply.")
            )
        if not owner_builder_declared:
            raise PermitError(_("Sign the owner-builder declaration to do the work yourself."))
        permit.work_by = Permit.WorkBy.OWNER_BUILDER
        permit.contractor = None
        permit.contractor_license_number = ""
        permit.contractor_business_name = ""
        permit.owner_builder_declared_at = timezone.now()
    else:
        raise PermitError(_("Choose who does the work."))
    fields = [
        "work_by",
        "contractor",
        "contractor_license_number",
        "contractor_business_name",
        "owner_builder_declared_at",
    ]
    return _draft_save(permit, user, "work", fields)


def _document_store(
    permit: Permit, user: User, required_document: RequiredDocument | None, upload: UploadedFile
) -> PermitDocument:
    if required_document is not None and required_document.permit_type_id != permit.permit_type_id:
        raise PermitError(_("Choose one of the documents this permit asks for."))
    try:
        content_type = upload_content_type(upload)
    except UploadRejected as error:
        raise PermitError(str(error)) from None
    document = PermitDocument(
        permit=permit,
        required_document=required_document,
        original_name=upload.name[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def permit_document_add(
    *,
    permit: Permit,
    user: User,
    required_document: RequiredDocument | None,
    upload: UploadedFile,
) -> PermitDocument:
    """A document for a draft, or a revised one while corrections are requested."""
    permit = _locked(permit)
    if permit.applicant_id != user.pk:
        raise PermitError(_("Only the applicant can add documents."))
    _require_status(permit, Permit.Status.DRAFT, Permit.Status.CORRECTIONS_REQUESTED)
    replaced = (
        list(permit.documents.filter(replaced_by=None, required_document=required_document))
        if required_document is not None
        else []
    )
    document = _document_store(permit, user, required_document, upload)
    if permit.is_draft:
        for old in replaced:
            _file_delete_on_commit(old.file)
            old.delete()
    else:
        PermitDocument.objects.filter(pk__in=[old.pk for old in replaced]).update(
            replaced_by=document
        )
    return document


@transaction.atomic
def permit_document_remove(*, document: PermitDocument, user: User) -> None:
    permit = _draft_of(document.permit, user)
    document = permit.documents.get(pk=document.pk)
    _file_delete_on_commit(document.file)
    document.delete()


@transaction.atomic
def permit_draft_delete(*, permit: Permit, user: User) -> None:
    permit = _draft_of(permit, user)
    for document in permit.documents.all():
        _file_delete_on_commit(document.file)
    permit.delete()


# Submission and review ------------------------------------------------------------------


def _fees_compute(permit: Permit) -> list:
    try:
        return permit_fee_lines(permit)
    except FeeScheduleError:
        raise PermitError(FEES_OUT_OF_RANGE) from None


@transaction.atomic
def permit_submit(*, permit: Permit, user: User) -> Permit:
    permit = _draft_of(permit, user)
    refusal = permit_type_refusal(user, permit.permit_type)
    if refusal:
        raise PermitError(refusal)
    blockers = account_blockers(user)
    if blockers:
        raise PermitError(" ".join(blocker.message for blocker in blockers))
    missing = permit_missing_items(permit)
    if missing:
        raise PermitError(
            _("The application is not complete: %(missing)s.") % {"missing": "; ".join(missing)}
        )
    now = timezone.now()
    permit.number = permit_number_next(
        prefix=permit.permit_type.code_prefix, year=city_localdate(now).year
    )
    permit.number_compact = number_compact(permit.number)
    permit.submitted_at = now
    permit.invoice = invoice_create(
        payer=user,
        kind=INVOICE_KIND,
        reference=permit.number,
        description=permit.permit_type.name,
        lines=_fees_compute(permit),
    )
    permit.draft_step = ""
    _transition(
        permit,
        Permit.Status.SUBMITTED,
        user,
        "",
        "number",
        "number_compact",
        "submitted_at",
        "invoice",
        "draft_step",
        # Over the counter, the applicant hears once: approved, with the fees due.
        notify=not permit.permit_type.is_over_the_counter,
    )
    if permit.permit_type.is_over_the_counter:
        permit = _approve(permit, None, _("Approved over the counter."))
    return permit


def _approve(permit: Permit, actor: User | None, message: str) -> Permit:
    _transition(permit, Permit.Status.APPROVED, actor, message, notify=False)
    # Fees of nothing are settled at once, and the permit issues on the spot; then the
    # issue email is the one the applicant needs, not "fees of $0.00 are due".
    invoice_make_due(invoice=permit.invoice)
    permit.refresh_from_db()
    if permit.status == Permit.Status.APPROVED:
        _notify(permit, permit.events.filter(status=Permit.Status.APPROVED).last())
    return permit


def _staff_recipients(permit: Permit) -> list[str]:
    if permit.reviewer_id and permit.reviewer.email:
        return [permit.reviewer.email]
    group = Group.objects.filter(name=PERMIT_CENTER_GROUP).first()
    if group is None:
        return []
    return list(
        group.user_set.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )


@transaction.atomic
def permit_review_start(*, permit: Permit, reviewer: User) -> Permit:
    permit = _locked(permit)
    _require_status(permit, Permit.Status.SUBMITTED, Permit.Status.RESUBMITTED)
    permit.reviewer = reviewer
    return _transition(permit, Permit.Status.IN_REVIEW, reviewer, "", "reviewer")


@transaction.atomic
def permit_corrections_request(*, permit: Permit, reviewer: User, message: str) -> Permit:
    permit = _locked(permit)
    _require_status(permit, Permit.Status.IN_REVIEW)
    message = message.strip()
    if not message:
        raise PermitError(_("Tell the applicant what to correct."))
    return _transition(permit, Permit.Status.CORRECTIONS_REQUESTED, reviewer, message)


@transaction.atomic
def permit_resubmit(*, permit: Permit, user: User, message: str = "") -> Permit:
    permit = _locked(permit)
    if permit.applicant_id != user.pk:
        raise PermitError(_("Only the applicant can resubmit."))
    _require_status(permit, Permit.Status.CORRECTIONS_REQUESTED)
    _transition(permit, Permit.Status.RESUBMITTED, user, message.strip())
    staff = _staff_recipients(permit)
    if staff:
        email_send(
            template_prefix="email/permit_resubmitted",
            to=staff,
            context={
                "permit": permit,
                "message": message.strip(),
                "admin_url": absolute_url(reverse("admin:permits_permit_change", args=[permit.pk])),
            },
        )
    return permit


@transaction.atomic
def permit_approve(*, permit: Permit, reviewer: User, message: str = "") -> Permit:
    permit = _locked(permit)
    _require_status(permit, Permit.Status.IN_REVIEW)
    return _approve(permit, reviewer, message.strip())


@transaction.atomic
def permit_deny(*, permit: Permit, reviewer: User, reason: str) -> Permit:
    permit = _locked(permit)
    _require_status(
        permit,
        Permit.Status.SUBMITTED,
        Permit.Status.IN_REVIEW,
        Permit.Status.CORRECTIONS_REQUESTED,
        Permit.Status.RESUBMITTED,
    )
    reason = reason.strip()
    if not reason:
        raise PermitError(_("Give the reason for the denial; the applicant reads it."))
    permit.invoice = invoice_void(invoice=permit.invoice)
    return _transition(permit, Permit.Status.DENIED, reviewer, reason)


@transaction.atomic
def permit_withdraw(*, permit: Permit, user: User, reason: str = "") -> Permit:
    permit = _locked(permit)
    if permit.applicant_id != user.pk:
        raise PermitError(_("Only the applicant can withdraw an application."))
    _require_status(permit, *Permit.WITHDRAWABLE)
    try:
        permit.invoice = invoice_void(invoice=permit.invoice)
    except PaymentError as error:
        raise PermitError(str(error)) from None
    return _transition(permit, Permit.Status.WITHDRAWN, user, reason.strip())


# Issuance and expiry --------------------------------------------------------------------


@transaction.atomic
def permit_issue_for_invoice(*, invoice: Invoice) -> None:
    """Registered with payments: paying the fees issues the permit."""
    permit_issue(permit=Permit.objects.get(invoice=invoice))


@transaction.atomic
def permit_issue(*, permit: Permit) -> Permit:
    permit = _locked(permit)
    _require_status(permit, Permit.Status.APPROVED)
    if permit.invoice.status != Invoice.Status.PAID:
        raise PermitError(_("The permit issues once its fees are paid."))
    permit.issued_on = city_localdate()
    permit.expires_on = permit.issued_on + datetime.timedelta(days=permit.permit_type.valid_days)
    _transition(permit, Permit.Status.ISSUED, None, "", "issued_on", "expires_on")
    task_enqueue_on_commit(PERMIT_PDF_TASK, permit.pk)
    return permit


@transaction.atomic
def permit_final(
    *, permit: Permit, actor: User | None, on: datetime.date, notify: bool = True
) -> Permit:
    """The final inspection passed: the work is done and the permit is closed. The
    inspection's result message may tell the applicant instead (`notify=False`)."""
    permit = _locked(permit)
    refusal = permit_final_refusal(permit, on)
    if refusal:
        raise PermitError(refusal)
    permit.finaled_on = on
    return _transition(permit, Permit.Status.FINALED, actor, "", "finaled_on", notify=notify)


@transaction.atomic
def permit_expire(*, permit: Permit, today: datetime.date) -> Permit | None:
    """Expire an issued permit past its date; None when another run got there first."""
    permit = _locked(permit)
    if permit.status != Permit.Status.ISSUED or not permit.expires_on < today:
        return None
    return _transition(permit, Permit.Status.EXPIRED, None)


def permits_expire(*, today: datetime.date) -> int:
    due = Permit.objects.filter(status=Permit.Status.ISSUED, expires_on__lt=today)
    return sum(1 for permit in due.only("pk") if permit_expire(permit=permit, today=today))


@transaction.atomic
def permit_warn_expiring(*, permit: Permit, today: datetime.date) -> bool:
    permit = _locked(permit)
    if (
        permit.status != Permit.Status.ISSUED
        or permit.permit_type.valid_days <= EXPIRY_WARNING_DAYS
        or permit.expiry_warning_sent_on is not None
        or not permit.expires_within(EXPIRY_WARNING_DAYS, today)
    ):
        return False
    permit.expiry_warning_sent_on = today
    permit.save(update_fields=["expiry_warning_sent_on"])
    permit_email_each(permit, "email/permit_expiring")
    return True


def permits_warn_expiring(*, today: datetime.date) -> int:
    # A permit valid for no longer than the warning window would be warned the day it
    # is issued; its holder knows its dates.
    due = Permit.objects.filter(
        Q(expiry_warning_sent_on=None),
        status=Permit.Status.ISSUED,
        permit_type__valid_days__gt=EXPIRY_WARNING_DAYS,
        expires_on__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        expires_on__gte=today,
    )
    return sum(1 for permit in due.only("pk") if permit_warn_expiring(permit=permit, today=today))
