"""Applying for a business license: what it is and what it costs, then one page per step,
each saving the draft through its service, then review and submit. Renewals and
applications the city sent back for more information go through the same steps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from licensing import services
from licensing.forms import (
    NO,
    YES,
    LicenseBusinessForm,
    LicenseLocationForm,
    owner_formset,
)
from licensing.models import BusinessClassification, BusinessLicense, LicensingSettings
from licensing.selectors import (
    NO_FEES,
    classifications_with_fee_words,
    license_fee_preview,
    license_for_holder,
    license_missing_by_step,
    licenses_of,
)
from portal.forms import form_data
from portal.selectors import city_localdate, city_profile
from portal.shortcuts import found_or_404
from portal.wizard import SAVE_LATER, Wizard

STEPS = ("business", "location", "review")


def _before_first_step(license: BusinessLicense) -> tuple[str, str]:
    """Where "Back" leads from the first step, and what it is called."""
    if license.status == BusinessLicense.Status.INFO_REQUESTED:
        return reverse("licensing:detail", args=[license.pk]), _("the application")
    if license.is_renewal:
        return (
            reverse("licensing:detail", args=[license.renewal_of_id]),
            _("license %(number)s") % {"number": license.renewal_of.number},
        )
    return reverse("licensing:apply"), _("business licenses")


def _saved_for_later_message(license: BusinessLicense) -> str:
    if license.status == BusinessLicense.Status.INFO_REQUESTED:
        return _(
            "Your changes are saved. Submit the application again from its last step "
            "when it is ready; the city waits for it."
        )
    return _(
        "Your business license application is saved as a draft. Continue it from "
        "your dashboard whenever you are ready."
    )


LICENSE_WIZARD = Wizard(
    steps=STEPS,
    titles={
        "business": gettext_lazy("The business"),
        "location": gettext_lazy("Location and contact"),
        "review": gettext_lazy("Review and submit"),
    },
    url_name="licensing:edit",
    template_dir="licensing/apply",
    draft_name="license",
    saved_step_field="draft_step",
    save_later_label=gettext_lazy("Save draft"),
    before_first_step=_before_first_step,
    save_later_message=_saved_for_later_message,
    refused=services.LicenseError,
)


def resume_url(license: BusinessLicense) -> str:
    """Where an application in the holder's hands opens: the step after the last saved."""
    return LICENSE_WIZARD.resume_url(license, STEPS)


@login_required
@require_http_methods(["GET", "POST"])
def license_apply(request: HttpRequest) -> HttpResponse:
    """What a license is and costs, the person's drafts, and the button that starts one."""
    if request.method == "POST":
        license = services.license_draft_start(holder=request.user)
        return redirect(LICENSE_WIZARD.step_url(license, STEPS[0]))
    classifications = BusinessClassification.objects.filter(is_active=True).prefetch_related(
        "receipts_tiers"
    )
    drafts = licenses_of(request.user).filter(status=BusinessLicense.Status.DRAFT)
    return render(
        request,
        "licensing/apply.html",
        {
            "classifications": classifications_with_fee_words(classifications),
            "rules": LicensingSettings.current(),
            "drafts": [{"license": draft, "url": resume_url(draft)} for draft in drafts],
        },
    )


# Steps -----------------------------------------------------------------------------------


def _application(request: HttpRequest, pk: int) -> BusinessLicense:
    return found_or_404(license_for_holder(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def license_edit(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    license = _application(request, pk)
    if not license.is_editable:
        if request.method == "POST":
            messages.error(
                request,
                _("This application is “%(status)s” and can no longer be changed.")
                % {"status": license.get_status_display()},
            )
        return redirect("licensing:detail", pk=license.pk)
    return STEP_VIEWS[step](request, license)


def _business_step(request: HttpRequest, license: BusinessLicense) -> HttpResponse:
    partial = SAVE_LATER in request.POST
    initial = {
        name: getattr(license, name)
        for name in LicenseBusinessForm.base_fields
        if name != "classification"
    }
    initial["classification"] = license.classification_id
    form = LicenseBusinessForm(
        form_data(request), license=license, partial=partial, initial=initial
    )
    owners = owner_formset(form_data(request), list(license.owners.all()), partial=partial)
    saved = LICENSE_WIZARD.step_save(
        request,
        license,
        STEPS,
        "business",
        lambda: services.license_draft_update(
            license=license,
            user=request.user,
            values=form.values(),
            owners=owners.owners(),
            step="business",
        ),
        form,
        owners,
    )
    return saved or LICENSE_WIZARD.render_step(
        request,
        license,
        "business",
        STEPS,
        form=form,
        owners=owners,
        classifications=classifications_with_fee_words(form.fields["classification"].queryset),
        chosen_classification=str(form["classification"].value() or ""),
        has_errors=bool(form.errors or owners.total_error_count()),
        rules=LicensingSettings.current(),
    )


def _yes_no_initial(value: bool | None) -> str:
    return {True: YES, False: NO}.get(value, "")


def _location_step(request: HttpRequest, license: BusinessLicense) -> HttpResponse:
    initial = {name: getattr(license, name) for name in LicenseLocationForm.base_fields}
    initial["business_in_city"] = _yes_no_initial(license.business_in_city)
    initial["mailing_same"] = _yes_no_initial(license.mailing_same)
    if not license.business_state:
        initial["business_state"] = "CA"
    form = LicenseLocationForm(
        form_data(request),
        partial=SAVE_LATER in request.POST,
        initial=initial,
        city_name=city_profile().city.name,
    )
    saved = LICENSE_WIZARD.step_save(
        request,
        license,
        STEPS,
        "location",
        lambda: services.license_draft_update(
            license=license, user=request.user, values=form.values(), step="location"
        ),
        form,
    )
    return saved or LICENSE_WIZARD.render_step(request, license, "location", STEPS, form=form)


def _review_step(request: HttpRequest, license: BusinessLicense) -> HttpResponse:
    submit_error = ""
    if request.method == "POST":
        resubmission = license.status == BusinessLicense.Status.INFO_REQUESTED
        try:
            license = services.license_submit(license=license, user=request.user)
        except services.LicenseError as error:
            submit_error = str(error)
            license = _application(request, license.pk)
        else:
            messages.success(request, _submitted_message(license, resubmission))
            return redirect("licensing:detail", pk=license.pk)
    missing = LICENSE_WIZARD.missing_links(license, license_missing_by_step(license))
    fees = license_fee_preview(license) or NO_FEES
    today = city_localdate()
    renewal_of = license.renewal_of
    return LICENSE_WIZARD.render_step(
        request,
        license,
        "review",
        STEPS,
        step_urls=LICENSE_WIZARD.step_urls(license, STEPS),
        owners=list(license.owners.all()),
        missing=missing,
        fee_lines=fees.lines,
        fee_total=fees.total,
        fee_error=fees.error,
        submit_error=submit_error,
        can_submit=not (missing or fees.error),
        rules=LicensingSettings.current(),
        is_late=renewal_of is not None and renewal_of.expires_on < today,
        approved_on_submit=renewal_of is not None
        and license.classification_id == renewal_of.classification_id,
    )


def _submitted_message(license: BusinessLicense, resubmission: bool) -> str:
    if license.status == BusinessLicense.Status.ACTIVE:
        return _("Your renewal is approved and your license is active.")
    if license.status == BusinessLicense.Status.APPROVED:
        return _(
            "Your renewal is approved. Pay the fees below and the license continues for "
            "another term."
        )
    if resubmission:
        return _(
            "Your answers are sent. The business license office reviews the application "
            "again and writes to you."
        )
    return _(
        "Your application is submitted. The business license office reviews it and writes "
        "to you at each step; the fees are due once it is approved."
    )


STEP_VIEWS = {
    "business": _business_step,
    "location": _location_step,
    "review": _review_step,
}


@login_required
@require_http_methods(["GET", "POST"])
def license_delete(request: HttpRequest, pk: int) -> HttpResponse:
    license = _application(request, pk)
    if license.status != BusinessLicense.Status.DRAFT:
        raise Http404
    if request.method == "POST":
        try:
            services.license_draft_delete(license=license, user=request.user)
        except services.LicenseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The draft business license application is deleted."))
        return redirect("licensing:apply")
    return render(
        request,
        "licensing/delete.html",
        {
            "license": license,
            "resume_url": resume_url(license),
            "back_url": reverse("licensing:apply"),
            "back_label": _("Back to business licenses"),
        },
    )
