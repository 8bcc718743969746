"""The applicant's own permit page, and what they (and the contractor on it) do there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from payments.models import lines_total
from permits import services
from permits.dashboard import status_badge
from permits.forms import CorrectionUploadForm, ResubmitForm, WithdrawForm
from permits.models import Permit
from permits.registry import applicant_page_sections
from permits.selectors import permit_field_answers, permit_for_owner, permits_of
from portal.downloads import pdf_download, private_download
from portal.forms import form_data
from portal.shortcuts import found_or_404

Status = Permit.Status


def _permit_of(user: User, pk: int) -> Permit:
    return found_or_404(permit_for_owner(user, pk))


def _applicants_permit(user: User, pk: int) -> Permit:
    """The permit if this person applied for it: only they withdraw, correct or resubmit."""
    permit = _permit_of(user, pk)
    if permit.applicant_id != user.pk:
        raise Http404
    return permit


def _detail_page(
    request: HttpRequest,
    permit: Permit,
    *,
    upload_form: CorrectionUploadForm | None = None,
    resubmit_form: ResubmitForm | None = None,
) -> HttpResponse:
    is_applicant = permit.applicant_id == request.user.pk
    events = list(permit.events.all())
    documents = list(permit.documents.select_related("required_document", "replaced_by"))
    fee_lines = []
    if permit.invoice is not None:
        prefetch_related_objects([permit.invoice], "lines")
        fee_lines = list(permit.invoice.lines.all())
    correction_request = None
    if permit.status == Status.CORRECTIONS_REQUESTED:
        correction_request = next(
            (event for event in reversed(events) if event.status == Status.CORRECTIONS_REQUESTED),
            None,
        )
        if is_applicant:
            upload_form = upload_form or CorrectionUploadForm(permit_type=permit.permit_type)
            resubmit_form = resubmit_form or ResubmitForm()
    return render(
        request,
        "permits/permit_detail.html",
        {
            "permit": permit,
            "is_applicant": is_applicant,
            "status_badge": status_badge(permit.status),
            "details": permit_field_answers(permit),
            "current_documents": [doc for doc in documents if doc.replaced_by_id is None],
            "replaced_documents": [doc for doc in documents if doc.replaced_by_id is not None],
            "fee_lines": fee_lines,
            "fee_total": lines_total(fee_lines),
            "events": events,
            "correction_request": correction_request,
            "upload_form": upload_form,
            "resubmit_form": resubmit_form,
            "pdf_pending": not permit.pdf and permit.status in (Status.ISSUED, Status.FINALED),
            "sections": applicant_page_sections.shown(permit, request.user),
        },
    )


@login_required
@require_GET
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _permit_of(request.user, pk)
    if permit.is_draft:
        return redirect(reverse("permits:draft-step", args=[permit.pk, "review"]))
    return _detail_page(request, permit)


@login_required
@require_http_methods(["GET", "POST"])
def permit_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _applicants_permit(request.user, pk)
    if not permit.can_withdraw:
        messages.error(
            request,
            _("An application can be withdrawn only before the permit is issued."),
        )
        return redirect("permits:detail", pk=permit.pk)
    form = WithdrawForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.permit_withdraw(
                permit=permit, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.PermitError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Application %(number)s is withdrawn.") % {"number": permit.number}
            )
        return redirect("permits:detail", pk=permit.pk)
    return render(request, "permits/withdraw.html", {"permit": permit, "form": form})


def _corrections_closed(request: HttpRequest, permit: Permit) -> HttpResponse:
    messages.error(
        request,
        _("The Permit Center is not asking for corrections to this application now."),
    )
    return redirect("permits:detail", pk=permit.pk)


@login_required
@require_POST
def permit_corrections_upload(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _applicants_permit(request.user, pk)
    if permit.status != Status.CORRECTIONS_REQUESTED:
        return _corrections_closed(request, permit)
    form = CorrectionUploadForm(request.POST, request.FILES, permit_type=permit.permit_type)
    if not form.is_valid():
        return _detail_page(request, permit, upload_form=form)
    try:
        document = services.permit_document_add(
            permit=permit,
            user=request.user,
            required_document=form.cleaned_data["required_document"],
            upload=form.cleaned_data["file"],
        )
    except services.PermitError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is uploaded. Resubmit when all your corrections are in.")
            % {"name": document.original_name},
        )
    return redirect(reverse("permits:detail", args=[permit.pk]) + "#corrections")


@login_required
@require_POST
def permit_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _applicants_permit(request.user, pk)
    if permit.status != Status.CORRECTIONS_REQUESTED:
        return _corrections_closed(request, permit)
    form = ResubmitForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, permit, resubmit_form=form)
    try:
        services.permit_resubmit(
            permit=permit, user=request.user, message=form.cleaned_data["note"]
        )
    except services.PermitError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Resubmitted. The Permit Center is told and will review your corrections.")
        )
    return redirect("permits:detail", pk=permit.pk)


@login_required
@require_GET
def permit_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    permit = _permit_of(request.user, pk)
    document = found_or_404(permit.documents.filter(pk=document_pk).first())
    return private_download(document.file, document.original_name, document.content_type)


@login_required
@require_GET
def permit_pdf(request: HttpRequest, pk: int) -> FileResponse:
    permit = _permit_of(request.user, pk)
    return pdf_download(permit.pdf, permit.number)


MY_PERMITS_PER_PAGE = 25


@login_required
@require_GET
def permit_list_mine(request: HttpRequest) -> HttpResponse:
    """Every permit of the person's, as applicant or contractor, newest first."""
    permits = (
        permits_of(request.user)
        .exclude(status=Status.DRAFT)
        .select_related("permit_type")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(permits, MY_PERMITS_PER_PAGE).get_page(request.GET.get("page"))
    for permit in page:
        permit.status_badge = status_badge(permit.status)
    return render(request, "permits/mine.html", {"page": page})
