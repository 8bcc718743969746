"""The issued permit as a tagged, accessible PDF (PDF/UA-1), made by WeasyPrint."""

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from permits.models import Permit
from permits.registry import inspections_needed
from permits.selectors import permit_field_answers
from portal.links import absolute_url
from portal.pdf import logo_data_uri, pdf_from_html, pdf_store, qr_data_uri
from portal.selectors import city_localdate, city_profile

# The task (permits/tasks.py) that stores an issued permit's PDF, by the name services
# enqueue it with: they sit below the tasks module and do not import it.
PERMIT_PDF_TASK = "permits.tasks.permit_pdf_render"
# Only an issued permit (or one finaled since) is a permit to print.
PRINTABLE = (Permit.Status.ISSUED, Permit.Status.FINALED)


def _title(permit: Permit) -> str:
    """The type's name and "permit", unless the name already ends so: not "Film Permit permit"."""
    name = permit.permit_type.name
    suffix = _("permit")
    if name.casefold().endswith(suffix.casefold()):
        return name
    return _("%(type)s permit") % {"type": name}


def permit_pdf_html(permit: Permit) -> str:
    profile = city_profile()
    city = profile.city
    public_url = absolute_url(reverse("permits:public", args=[permit.number]))
    invoice = permit.invoice
    paid_at = invoice.paid_at if invoice else None
    # Printed in the city's own zone whoever renders it: a request or a worker.
    with timezone.override(profile.zone):
        return render_to_string(
            "pdf/permit.html",
            {
                "city": city,
                "logo": logo_data_uri(city),
                "contact": next((d for d in profile.departments if d.phone), None),
                "permit": permit,
                "title": _title(permit),
                "details": permit_field_answers(permit),
                "invoice": invoice,
                "fee_lines": list(invoice.lines.all()) if invoice else [],
                "paid_on": city_localdate(paid_at) if paid_at else None,
                "inspections": inspections_needed(permit.permit_type),
                "public_url": public_url,
                "qr_code": qr_data_uri(public_url),
            },
        )


def permit_pdf_make(permit: Permit) -> tuple[str, bytes]:
    """The HTML and the PDF made from it."""
    html = permit_pdf_html(permit)
    return html, pdf_from_html(html, identifier=permit.number)


@transaction.atomic
def permit_pdf_store(*, permit_id: int) -> None:
    """Render the permit into `permits/pdf/<number>.pdf`, replacing any earlier file, so
    a second run leaves one file; a permit not issued is left alone."""
    permit = (
        Permit.objects.select_for_update(of=("self",))
        .select_related("permit_type__category", "invoice", "applicant")
        .filter(pk=permit_id)
        .first()
    )
    if permit is None or permit.status not in PRINTABLE:
        return
    _html, pdf = permit_pdf_make(permit)
    pdf_store(permit.pdf, f"{permit.number}.pdf", pdf)
