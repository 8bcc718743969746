"""What anyone may check without an account: whether a business license is in force."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from licensing.forms import LicenseVerifyForm
from licensing.models import BusinessLicense
from licensing.selectors import license_public
from portal.selectors import city_localdate


@require_GET
def license_verify(request: HttpRequest) -> HttpResponse:
    """A GET form, so a check can be bookmarked or linked from a certificate. The page
    shows the license's public facts only: never its owners, addresses or figures."""
    form = LicenseVerifyForm(request.GET if "number" in request.GET else None)
    result = number = None
    is_active = False
    if form.is_valid():
        number = form.cleaned_data["number"]
        result = license_public(number)
        if result is not None:
            # The nightly expiry may not have run yet: the dates decide.
            is_active = (
                result.status == BusinessLicense.Status.ACTIVE
                and result.expires_on >= city_localdate()
            )
    return render(
        request,
        "licensing/verify.html",
        {"form": form, "number": number, "result": result, "is_active": is_active},
    )
