"""Helpers the permit tests share: small real files, and applications built through the
services as the wizard builds them."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from permits import services
from permits.models import Permit, PermitType

SITE = services.SiteDetails(
    site_address="30940 Hawthorne Blvd",
    site_city="Rancho Palos Verdes",
    site_postal_code="90275",
)

# The smallest PDF readers accept: one empty page.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# Answers to each demo type's questions that every fee test starts from.
DEMO_ANSWERS = {
    "EPNL": {"amperage": "200", "panel_location": "Garage", "utility_disconnect": True},
    "RERF": {"roof_squares": "24.5", "material": "Concrete tile", "tear_off": True, "stories": 1},
    "WHTR": {"fuel": "Natural gas", "capacity_gallons": 50, "location": "Garage"},
    "DMPR": {
        "placement_start": "2026-12-01",
        "placement_days": 7,
        "bin_size": "20",
        "hauler": "South Bay Roll-Off",
    },
    "HAUL": {
        "route": "Hawthorne Blvd to Palos Verdes Dr N",
        "truck_loads": 40,
        "cubic_yards": 480,
        "start_date": "2026-12-01",
        "end_date": "2026-12-12",
        "hauler": "Peninsula Hauling",
    },
    "FILM": {
        "locations": "Point Vicente Park",
        "start_date": "2026-12-05",
        "filming_days": 2,
        "crew_size": 25,
        "uses_drone": True,
        "street_closure": False,
    },
    "RPRK": {"district": "Miraleste", "vehicle_plate": "8ABC123", "vehicle_make_model": "Kia Soul"},
    "DCRP": {"vehicle_plate": "8ABC123", "vehicle_make_model": "Kia Soul", "non_resident": True},
    "OVPK": {
        "vehicle_type": "Motor home",
        "vehicle_plate": "8ABC123",
        "vehicle_make_model": "Winnebago View",
        "length_feet": 25,
        "start_date": "2026-12-01",
        "nights": 2,
    },
}


def pdf_upload(name: str = "plan.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def permit_draft_complete(
    user: User,
    prefix: str,
    *,
    answers: dict | None = None,
    valuation: Decimal = Decimal("12000"),
    contractor: User | None = None,
) -> Permit:
    """A draft with every step done and every required document uploaded, ready to submit."""
    permit_type = PermitType.objects.get(code_prefix=prefix)
    permit = services.permit_draft_start(applicant=user, permit_type=permit_type, site=SITE)
    permit = services.permit_project_update(
        permit=permit, user=user, description="Like for like replacement.", valuation=valuation
    )
    permit = services.permit_details_update(
        permit=permit, user=user, field_values=answers or DEMO_ANSWERS[prefix]
    )
    if permit_type.is_construction and not user.is_contractor:
        if contractor is not None:
            services.permit_work_update(
                permit=permit,
                user=user,
                work_by=Permit.WorkBy.CONTRACTOR,
                contractor_license_number=contractor.username,
            )
        else:
            services.permit_work_update(
                permit=permit,
                user=user,
                work_by=Permit.WorkBy.OWNER_BUILDER,
                owner_builder_declared=True,
            )
    for document in permit_type.documents.filter(required=True):
        services.permit_document_add(
            permit=permit, user=user, required_document=document, upload=pdf_upload()
        )
    return Permit.objects.get(pk=permit.pk)


def permit_submitted(user: User, prefix: str, **kwargs) -> Permit:
    permit = permit_draft_complete(user, prefix, **kwargs)
    return services.permit_submit(permit=permit, user=user)
