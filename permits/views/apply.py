"""Applying for a permit: the catalogue, then one page per step, each saving the draft
through its service, then review and submit. Drafts are resumed or deleted from here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import account_blockers
from payments.models import Invoice
from permits import services
from permits.forms import (
    PermitDetailsForm,
    PermitDocumentsForm,
    PermitProjectForm,
    PermitSiteForm,
    PermitWorkForm,
)
from permits.models import FeeRule, Permit, PermitDocument, PermitType
from permits.selectors import (
    APPLICATION_STEPS,
    permit_application_steps,
    permit_drafts_of,
    permit_fee_quote,
    permit_field_answers,
    permit_missing_by_step,
    permit_type_fee_hint,
    permit_type_refusal,
    permit_types_for,
)
from portal.forms import form_data
from portal.wizard import SAVE_LATER, Wizard


def _before_first_step(permit: Permit | None) -> tuple[str, str]:
    return reverse("permits:apply"), _("permit types")


def _saved_for_later_message(permit: Permit) -> str:
    return _(
        "Your %(type)s application is saved as a draft. Continue it from your "
        "dashboard whenever you are ready."
    ) % {"type": permit.permit_type.name}


PERMIT_WIZARD = Wizard(
    steps=APPLICATION_STEPS,
    titles={
        "site": gettext_lazy("Site address"),
        "project": gettext_lazy("Description"),
        "details": gettext_lazy("Details"),
        "work": gettext_lazy("Who does the work"),
        "documents": gettext_lazy("Documents"),
        "review": gettext_lazy("Review and submit"),
    },
    url_name="permits:draft-step",
    template_dir="permits/apply",
    draft_name="permit",
    saved_step_field="draft_step",
    save_later_label=gettext_lazy("Save and finish later"),
    before_first_step=_before_first_step,
    save_later_message=_saved_for_later_message,
    refused=services.PermitError,
)


@login_required
@require_GET
def permit_apply(request: HttpRequest) -> HttpResponse:
    categories = permit_types_for(request.user)
    permit_types = [permit_type for category in categories for permit_type in category.online_types]
    prefetch_related_objects(
        permit_types, Prefetch("fee_rules", queryset=FeeRule.objects.prefetch_related("tiers"))
    )
    for permit_type in permit_types:
        permit_type.fee_hint = permit_type_fee_hint(permit_type)
    return render(
        request,
        "permits/apply.html",
        {
            "permit_categories": categories,
            "blockers": account_blockers(request.user),
            "drafts": list(permit_drafts_of(request.user)),
        },
    )


# Steps -----------------------------------------------------------------------------------


def _draft(request: HttpRequest, pk: int) -> Permit:
    """The person's own draft: anything else, theirs submitted or another's, is a 404."""
    return get_object_or_404(
        Permit.objects.select_related("permit_type"),
        pk=pk,
        applicant=request.user,
        status=Permit.Status.DRAFT,
    )


@login_required
@require_http_methods(["GET", "POST"])
def permit_apply_start(request: HttpRequest, prefix: str) -> HttpResponse:
    """Step 1 before there is a draft: the address; saving it starts the draft."""
    permit_type = get_object_or_404(PermitType, code_prefix=prefix.upper(), is_online=True)
    refusal = permit_type_refusal(request.user, permit_type)
    if refusal:
        return render(
            request,
            "permits/apply/refused.html",
            {"permit_type": permit_type, "refusal": refusal},
            status=403,
        )
    steps = permit_application_steps(permit_type, request.user)
    form = PermitSiteForm(form_data(request), initial={"site_city": request.user.address_city})
    if request.method == "POST" and form.is_valid():
        try:
            permit = services.permit_draft_start(
                applicant=request.user,
                permit_type=permit_type,
                site=services.SiteDetails(**form.cleaned_data),
            )
        except services.PermitError as error:
            form.add_error(None, str(error))
        else:
            return PERMIT_WIZARD.saved(request, permit, steps, "site")
    return PERMIT_WIZARD.render_step(
        request, None, "site", steps, permit_type=permit_type, form=form
    )


@login_required
@require_GET
def permit_draft_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft opens at the step after the last one it saved."""
    permit = _draft(request, pk)
    steps = permit_application_steps(permit.permit_type, request.user)
    return redirect(PERMIT_WIZARD.resume_url(permit, steps))


@login_required
@require_http_methods(["GET", "POST"])
def permit_draft_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in APPLICATION_STEPS:
        raise Http404
    permit = _draft(request, pk)
    steps = permit_application_steps(permit.permit_type, request.user)
    if step not in steps:
        return redirect(PERMIT_WIZARD.url_after(permit, steps, step))
    return STEP_VIEWS[step](request, permit, steps)


def _site_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    initial = {name: getattr(permit, name) for name in PermitSiteForm.base_fields}
    form = PermitSiteForm(form_data(request), initial=initial)
    saved = PERMIT_WIZARD.step_save(
        request,
        permit,
        steps,
        "site",
        lambda: services.permit_site_update(
            permit=permit, user=request.user, site=services.SiteDetails(**form.cleaned_data)
        ),
        form,
    )
    return saved or PERMIT_WIZARD.render_step(
        request, permit, "site", steps, permit_type=permit.permit_type, form=form
    )


def _project_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    form = PermitProjectForm(
        form_data(request),
        permit_type=permit.permit_type,
        partial=SAVE_LATER in request.POST,
        initial={"description": permit.description, "valuation": permit.valuation},
    )
    saved = PERMIT_WIZARD.step_save(
        request,
        permit,
        steps,
        "project",
        lambda: services.permit_project_update(
            permit=permit,
            user=request.user,
            description=form.cleaned_data["description"],
            valuation=form.cleaned_data.get("valuation"),
        ),
        form,
    )
    return saved or PERMIT_WIZARD.render_step(
        request, permit, "project", steps, permit_type=permit.permit_type, form=form
    )


def _details_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    form = PermitDetailsForm(
        form_data(request),
        permit_fields=list(permit.permit_type.fields.all()),
        partial=SAVE_LATER in request.POST,
        initial=permit.field_values,
        prefix="details",
    )
    saved = PERMIT_WIZARD.step_save(
        request,
        permit,
        steps,
        "details",
        lambda: services.permit_details_update(
            permit=permit, user=request.user, field_values=form.field_values()
        ),
        form,
    )
    return saved or PERMIT_WIZARD.render_step(
        request, permit, "details", steps, permit_type=permit.permit_type, form=form
    )


def _work_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    permit_type = permit.permit_type
    form = PermitWorkForm(
        form_data(request),
        permit_type=permit_type,
        initial={
            "work_by": permit.work_by,
            "contractor_license_number": permit.contractor_license_number,
            "owner_builder_declared": permit.owner_builder_declared_at is not None,
        },
    )
    if request.method == "POST":
        if SAVE_LATER in request.POST and not request.POST.get("work_by"):
            return PERMIT_WIZARD.saved(request, permit, steps, "work")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.permit_work_update(
                    permit=permit,
                    user=request.user,
                    work_by=data["work_by"],
                    contractor_license_number=data["contractor_license_number"],
                    owner_builder_declared=data.get("owner_builder_declared", False),
                )
            except services.PermitError as error:
                by_contractor = data["work_by"] == Permit.WorkBy.CONTRACTOR
                form.add_error("contractor_license_number" if by_contractor else None, str(error))
            else:
                return PERMIT_WIZARD.saved(request, permit, steps, "work")
    return PERMIT_WIZARD.render_step(
        request, permit, "work", steps, permit_type=permit_type, form=form
    )


def _documents_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    required_documents = list(permit.permit_type.documents.all())
    files = list(permit.documents.filter(replaced_by=None))
    form = PermitDocumentsForm(
        form_data(request),
        request.FILES if request.method == "POST" else None,
        required_documents=required_documents,
        uploaded={file.required_document_id for file in files},
        partial=SAVE_LATER in request.POST,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                for document, upload in form.uploads():
                    services.permit_document_add(
                        permit=permit, user=request.user, required_document=document, upload=upload
                    )
            except services.PermitError as error:
                form.add_error(form.field_name(document), str(error))
                files = list(permit.documents.filter(replaced_by=None))
            else:
                return PERMIT_WIZARD.saved(request, permit, steps, "documents")
        elif request.FILES:
            form.add_error(
                None,
                _(
                    "No file was saved. Correct the files marked below, then choose all "
                    "the files again."
                ),
            )
    rows = [
        {
            "document": document,
            "field": form[form.field_name(document)],
            "files": [file for file in files if file.required_document_id == document.pk],
        }
        for document in required_documents
    ]
    listed = {document.pk for document in required_documents}
    return PERMIT_WIZARD.render_step(
        request,
        permit,
        "documents",
        steps,
        permit_type=permit.permit_type,
        form=form,
        rows=rows,
        files=files,
        other_files=[file for file in files if file.required_document_id not in listed],
    )


def _review_step(request: HttpRequest, permit: Permit, steps: list[str]) -> HttpResponse:
    if request.method == "POST":
        return redirect(PERMIT_WIZARD.step_url(permit, "review"))
    permit_type = permit.permit_type
    fees = permit_fee_quote(permit)
    missing = PERMIT_WIZARD.missing_links(permit, permit_missing_by_step(permit))
    blockers = account_blockers(request.user)
    refusal = permit_type_refusal(request.user, permit_type)
    files = permit.documents.filter(replaced_by=None).select_related("required_document")
    return PERMIT_WIZARD.render_step(
        request,
        permit,
        "review",
        steps,
        permit_type=permit_type,
        step_urls=PERMIT_WIZARD.step_urls(permit, steps),
        answers=permit_field_answers(permit),
        files=list(files),
        fee_lines=fees.lines,
        fee_total=fees.total,
        fee_error=fees.error,
        missing=missing,
        blockers=blockers,
        refusal=refusal,
        can_submit=not (missing or blockers or refusal or fees.error),
    )


STEP_VIEWS = {
    "site": _site_step,
    "project": _project_step,
    "details": _details_step,
    "work": _work_step,
    "documents": _documents_step,
    "review": _review_step,
}


# Submitting, deleting --------------------------------------------------------------------


def _submitted_message(permit: Permit) -> str:
    values = {"number": permit.number}
    if permit.status == Permit.Status.ISSUED:
        return _("Application %(number)s is submitted and approved, and the permit is issued.") % (
            values
        )
    if permit.status == Permit.Status.APPROVED and permit.invoice.status == Invoice.Status.DUE:
        values["total"] = number_format(permit.invoice.total, 2, force_grouping=True)
        return (
            _(
                "Application %(number)s is submitted and approved over the counter. Fees of "
                "$%(total)s are due; the permit is issued once they are paid."
            )
            % values
        )
    return (
        _(
            "Application %(number)s is submitted. The Permit Center reviews it and writes to "
            "you at each step."
        )
        % values
    )


@login_required
@require_POST
def permit_draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    own = Permit.objects.filter(pk=pk, applicant=request.user).exclude(status=Permit.Status.DRAFT)
    if own.exists():
        # A second click on Submit: the first one went through.
        return redirect("permits:detail", pk=pk)
    permit = _draft(request, pk)
    try:
        services.permit_submit(permit=permit, user=request.user)
    except services.PermitError as error:
        messages.error(request, str(error))
        return redirect(PERMIT_WIZARD.step_url(permit, "review"))
    # Read back: fees of nothing settle at once, and the permit may already be issued.
    permit = Permit.objects.select_related("invoice").get(pk=permit.pk)
    messages.success(request, _submitted_message(permit))
    return redirect("permits:detail", pk=permit.pk)


@login_required
@require_http_methods(["GET", "POST"])
def permit_draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permit = _draft(request, pk)
    if request.method == "POST":
        try:
            services.permit_draft_delete(permit=permit, user=request.user)
        except services.PermitError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The draft %(type)s application for %(site)s is deleted.")
                % {"type": permit.permit_type.name, "site": permit.site_line},
            )
        return redirect("accounts:dashboard")
    return render(
        request,
        "permits/apply/delete.html",
        {
            "permit": permit,
            "resume_url": reverse("permits:draft-resume", args=[permit.pk]),
            "back_url": reverse("accounts:dashboard"),
            "back_label": _("Back to the dashboard"),
        },
    )


@login_required
@require_POST
def permit_document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    permit = _draft(request, pk)
    document = get_object_or_404(PermitDocument, pk=document_pk, permit=permit)
    try:
        services.permit_document_remove(document=document, user=request.user)
    except services.PermitError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": document.original_name})
    return redirect(PERMIT_WIZARD.step_url(permit, "documents"))
