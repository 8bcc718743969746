"""The holder's own licenses: the list, a license's page with its fees, certificate and
renewal, starting a renewal, and the certificate download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from licensing import services
from licensing.dashboard import license_overview, status_badge
from licensing.models import BusinessLicense, LicensingSettings
from licensing.selectors import (
    license_fees_shown,
    license_for_holder,
    license_renewal_refusal,
    licenses_of,
)
from licensing.views.application import resume_url
from payments.constants import INVOICE_STATUS_MEANINGS, InvoiceStatus
from portal.downloads import pdf_download
from portal.selectors import city_localdate
from portal.shortcuts import found_or_404

Status = BusinessLicense.Status


def _license_of(user: User, pk: int) -> BusinessLicense:
    return found_or_404(license_for_holder(user, pk))


def _renewal_of_license(license: BusinessLicense) -> BusinessLicense | None:
    """The renewal under way or done for this term, if any."""
    return (
        license.renewals.exclude(status=Status.DENIED)
        .select_related("invoice")
        .order_by("-created_at")
        .first()
    )


@login_required
@require_GET
def license_detail(request: HttpRequest, pk: int) -> HttpResponse:
    license = _license_of(request.user, pk)
    if license.status == Status.DRAFT:
        return redirect(resume_url(license))
    today = city_localdate()
    fees = license_fees_shown(license)
    renewal = refusal = None
    if license.status in (Status.ACTIVE, Status.EXPIRED):
        renewal = _renewal_of_license(license)
        if renewal is None:
            refusal = license_renewal_refusal(license, today)
    other_terms = []
    if license.number:
        other_terms = list(
            licenses_of(request.user)
            .filter(number=license.number)
            .exclude(pk=license.pk)
            .order_by("-starts_on")
        )
    invoice = license.invoice
    return render(
        request,
        "licensing/detail.html",
        {
            "license": license,
            "status_badge": status_badge(license.status),
            "owners": list(license.owners.all()),
            "fee_lines": fees.lines,
            "fee_total": fees.total,
            "fee_error": fees.error,
            # Fees estimated before there is a bill are not yet due either.
            "fees_meaning": invoice.status_meaning
            if invoice is not None
            else INVOICE_STATUS_MEANINGS[InvoiceStatus.PENDING],
            "can_pay": invoice is not None
            and invoice.is_due
            and invoice.payer_id == request.user.pk,
            "certificate_pending": license.status == Status.ACTIVE and not license.certificate,
            "renewal": renewal,
            "renewal_url": resume_url(renewal) if renewal and renewal.is_editable else "",
            "can_renew": refusal == "",
            "refusal": refusal,
            "other_terms": other_terms,
            "rules": LicensingSettings.current(),
            "expiry_passed": license.expires_on is not None and license.expires_on < today,
        },
    )


@login_required
@require_POST
def license_renew(request: HttpRequest, pk: int) -> HttpResponse:
    license = _license_of(request.user, pk)
    try:
        renewal = services.license_renewal_start(license=license, user=request.user)
    except services.LicenseError as error:
        messages.error(request, str(error))
        return redirect("licensing:detail", pk=license.pk)
    messages.info(
        request,
        _(
            "Your renewal of license %(number)s is filled in from the license. Check each "
            "step, change what is different, and submit it."
        )
        % {"number": license.number},
    )
    return redirect(reverse("licensing:edit", args=[renewal.pk, "business"]))


@login_required
@require_GET
def license_certificate(request: HttpRequest, pk: int) -> FileResponse:
    license = _license_of(request.user, pk)
    if license.status != Status.ACTIVE:
        raise Http404
    return pdf_download(license.certificate, license.number)


@login_required
@require_GET
def license_list(request: HttpRequest) -> HttpResponse:
    overview = license_overview(request.user)
    return render(
        request,
        "licensing/list.html",
        {"terms": overview.terms, "applications": overview.applications},
    )
