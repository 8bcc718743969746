"""The business license certificate the holder posts at the business: a tagged,
accessible PDF (PDF/UA-1) made by WeasyPrint, one file per license term."""

from urllib.parse import urlencode

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from licensing.models import RENEWAL_OPENS_DAYS, BusinessLicense, LicensingSettings
from portal.links import absolute_url
from portal.pdf import logo_data_uri, pdf_from_html, pdf_store, qr_data_uri
from portal.selectors import city_profile

# The task (licensing/tasks.py) that stores an active license's certificate, by the name
# services enqueue it with: they sit below the tasks module and do not import it.
LICENSE_CERTIFICATE_TASK = "licensing.tasks.license_certificate_render"


def license_verify_url(license: BusinessLicense) -> str:
    """The public page that tells anyone whether this license is active."""
    return absolute_url(f"{reverse('licensing:verify')}?{urlencode({'number': license.number})}")


def license_certificate_html(license: BusinessLicense) -> str:
    city = city_profile().city
    verify_url = license_verify_url(license)
    return render_to_string(
        "pdf/certificate.html",
        {
            "city": city,
            "logo": logo_data_uri(city),
            "license": license,
            "office": LicensingSettings.current().department,
            "verify_url": verify_url,
            "qr_code": qr_data_uri(verify_url),
            "renewal_opens_days": RENEWAL_OPENS_DAYS,
        },
    )


def license_certificate_make(license: BusinessLicense) -> tuple[str, bytes]:
    """The HTML and the PDF made from it."""
    html = license_certificate_html(license)
    return html, pdf_from_html(html, identifier=f"{license.number} {license.starts_on:%Y-%m-%d}")


def _file_name(license: BusinessLicense) -> str:
    # A renewal keeps the number, so the term's first day tells the files apart.
    return f"{license.number}-{license.starts_on:%Y-%m-%d}.pdf"


@transaction.atomic
def license_certificate_store(*, license_id: int) -> None:
    """Render the certificate of an active license into its term's file, replacing any
    earlier one, so a second run leaves one file; any other license is left alone."""
    license = (
        BusinessLicense.objects.select_for_update(of=("self",))
        .select_related("classification")
        .filter(pk=license_id)
        .first()
    )
    if license is None or license.status != BusinessLicense.Status.ACTIVE:
        return
    _html, pdf = license_certificate_make(license)
    pdf_store(license.certificate, _file_name(license), pdf)
