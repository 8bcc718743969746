"""The permit PDF: what it prints, that it is a tagged PDF, and that rendering it again
changes nothing."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils.formats import date_format
from PIL import Image
from pypdf import PdfReader

from permits import tasks
from permits.models import Permit
from permits.pdf import PERMIT_PDF_TASK, permit_pdf_html, permit_pdf_make, permit_pdf_store
from portal.celery import app as celery_app
from portal.models import City
from portal.selectors import city_profile_forget
from tests.permits.issuing import permit_approved, permit_issued

PORTAL_URL = "https://permits.example.gov"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL_URL


@pytest.fixture
def homeowner_with_phone(homeowner):
    # A number no department of the demo city has, so finding it means it leaked.
    homeowner.phone = "424-555-0199"
    homeowner.save(update_fields=["phone"])
    return homeowner


def pdf_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "permits" / "pdf"
    return sorted(folder.iterdir()) if folder.exists() else []


def struct_types(node, found: set[str]) -> set[str]:
    """Every structure type (/H1, /Table, /TH, ...) under a node of the structure tree."""
    node = node.get_object()
    if isinstance(node, dict):
        if "/S" in node:
            found.add(node["/S"])
        kids = node.get("/K")
        if kids is not None:
            struct_types(kids, found)
    elif isinstance(node, list):
        for kid in node:
            struct_types(kid, found)
    return found


def figure_alts(node, alts: list[str]) -> list[str]:
    node = node.get_object()
    if isinstance(node, dict):
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt", "")))
        if node.get("/K") is not None:
            figure_alts(node["/K"], alts)
    elif isinstance(node, list):
        for kid in node:
            figure_alts(kid, alts)
    return alts


def test_an_owner_builder_water_heater_permit_prints_the_owner_fields_fees_and_inspection(
    homeowner_with_phone, clerk
):
    permit = permit_issued(homeowner_with_phone, "WHTR", clerk=clerk)
    Permit.objects.filter(pk=permit.pk).update(parcel_number="7564-012-034")
    permit.refresh_from_db()

    html = permit_pdf_html(permit)

    assert '<html lang="en' in html
    assert f"<title>Water Heater permit {permit.number}</title>" in html
    assert permit.number in html
    assert "Community Development" in html
    assert "30940 Hawthorne Blvd, Rancho Palos Verdes 90275" in html
    assert "<td>7564-012-034</td>" in html
    for label, day in (("Issued", permit.issued_on), ("Expires", permit.expires_on)):
        assert f'<th scope="row">{label}</th><td>{date_format(day, "DATE_FORMAT")}</td>' in html
    assert "Owner-builder" in html
    assert "Rosa Delgado" in html
    assert "Like for like replacement." in html
    assert "$12,000.00" in html
    for label, value in (
        ("Fuel", "Natural gas"),
        ("Capacity in gallons", "50"),
        ("Where it is installed", "Garage"),
    ):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in html
    lines = list(permit.invoice.lines.all())
    assert lines
    for line in lines:
        assert f'<th scope="row">{line.description}</th>' in html
        assert f"${line.amount}" in html
    assert f"${permit.invoice.total}" in html
    assert "Total paid" in html
    assert "Paid on" in html
    assert "<li>Final plumbing</li>" in html
    assert f"{PORTAL_URL}/permits/{permit.number}/" in html
    assert "Keep this permit on the job site" in html
    assert "310-544-5280" in html  # Building and Safety, the first department with a phone
    assert homeowner_with_phone.email not in html
    assert homeowner_with_phone.phone not in html
    assert "Contractor" not in html


def test_a_reroof_permit_prints_the_contractor_not_the_homeowner(
    homeowner_with_phone, contractor, clerk
):
    permit = permit_issued(homeowner_with_phone, "RERF", clerk=clerk, contractor=contractor)

    html = permit_pdf_html(permit)

    assert "Reroof permit" in html
    assert '<th scope="row">Business name</th><td>Coastline Roofing</td>' in html
    assert '<th scope="row">CSLB license number</th><td>1029384</td>' in html
    assert '<th scope="row">The existing roofing is torn off</th><td>Yes</td>' in html
    assert '<th scope="row">Roof area in squares</th><td>24.5</td>' in html
    assert "Sheathing inspection" in html  # the fee line charged for a tear-off
    assert html.index("Sheathing and nailing") < html.index("Final roof")
    assert "Owner-builder" not in html
    assert homeowner_with_phone.get_full_name() not in html
    assert homeowner_with_phone.email not in html
    assert contractor.email not in html
    assert homeowner_with_phone.phone not in html


def test_a_permit_without_inspections_or_construction_names_its_holder(homeowner, clerk):
    permit = permit_issued(homeowner, "FILM", clerk=clerk)

    html = permit_pdf_html(permit)

    assert f"<title>Film Permit {permit.number}</title>" in html  # not "Film Permit permit"
    assert "No inspections are required for this permit." in html
    assert "Permit holder" in html
    assert '<th scope="row">First filming day</th><td>Dec. 5, 2026</td>' in html
    assert '<th scope="row">A street or lane is closed</th><td>No</td>' in html


def test_the_pdf_is_a_tagged_pdf_with_a_language_and_a_title_holding_the_number(
    homeowner, contractor, clerk
):
    permit = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)

    _html, pdf = permit_pdf_make(permit)

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert permit.number in text
    assert "Coastline Roofing" in text
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]).startswith("en")
    assert reader.metadata.title == f"Reroof permit {permit.number}"
    found = struct_types(catalog["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/Figure"} <= found
    assert figure_alts(catalog["/StructTreeRoot"], []) == [
        "QR code that opens the public page of this permit"
    ]
    assert b'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data()


def test_the_same_permit_renders_the_same_bytes(homeowner, clerk):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)

    _html, first = permit_pdf_make(permit)
    _html, second = permit_pdf_make(Permit.objects.get(pk=permit.pk))

    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"] == (
        f"D:{permit.issued_on:%Y%m%d}"
    )


def test_issuing_renders_and_stores_the_pdf_once_the_payment_commits(
    homeowner, clerk, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        permit = permit_issued(homeowner, "WHTR", clerk=clerk)

    permit.refresh_from_db()
    assert permit.pdf.name == f"permits/pdf/{permit.number}.pdf"
    assert [path.name for path in pdf_files(settings)] == [f"{permit.number}.pdf"]
    assert permit.pdf.read().startswith(b"%PDF-")


def test_storing_twice_leaves_one_file_under_the_same_name(homeowner, clerk, settings):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)

    permit_pdf_store(permit_id=permit.pk)
    first = Permit.objects.get(pk=permit.pk).pdf.name
    permit_pdf_store(permit_id=permit.pk)

    permit.refresh_from_db()
    assert permit.pdf.name == first == f"permits/pdf/{permit.number}.pdf"
    assert [path.name for path in pdf_files(settings)] == [f"{permit.number}.pdf"]
    _html, expected = permit_pdf_make(permit)
    assert (Path(settings.MEDIA_ROOT) / first).read_bytes() == expected


def test_a_file_left_by_a_run_that_died_is_replaced_not_kept_beside(homeowner, clerk, settings):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)
    leftover = Path(settings.MEDIA_ROOT) / "permits" / "pdf" / f"{permit.number}.pdf"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")

    permit_pdf_store(permit_id=permit.pk)

    permit.refresh_from_db()
    assert permit.pdf.name == f"permits/pdf/{permit.number}.pdf"
    assert pdf_files(settings) == [leftover]
    assert leftover.read_bytes().startswith(b"%PDF-")


def test_a_permit_not_issued_gets_no_pdf(homeowner, clerk, settings):
    permit = permit_approved(homeowner, "WHTR", clerk=clerk)

    permit_pdf_store(permit_id=permit.pk)
    tasks.permit_pdf_render.apply(args=[permit.pk]).get()

    permit.refresh_from_db()
    assert permit.status == Permit.Status.APPROVED
    assert not permit.pdf
    assert pdf_files(settings) == []


def test_the_city_logo_is_printed_inline_and_an_unreadable_one_is_left_out(homeowner, clerk):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)
    city = City.objects.get()
    logo = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(logo, format="PNG")
    city.logo.save("logo.png", ContentFile(logo.getvalue()))
    city_profile_forget()

    html, pdf = permit_pdf_make(permit)

    assert 'src="data:image/png;base64,' in html
    assert 'alt="Logo of City of Rancho Palos Verdes (demo)"' in html
    assert 'src="http' not in html
    assert len(figure_alts(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"], [])) == 2

    city.logo.save("broken.png", ContentFile(b"not an image"))
    city_profile_forget()

    html, pdf = permit_pdf_make(permit)

    assert "Logo of" not in html
    assert pdf.startswith(b"%PDF-")


def test_the_task_retries_a_passing_storage_error(homeowner, clerk, monkeypatch):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)
    calls = []

    def store_failing_once(*, permit_id):
        calls.append(permit_id)
        if len(calls) == 1:
            raise OSError("No space left on device")
        permit_pdf_store(permit_id=permit_id)

    monkeypatch.setattr(tasks, "permit_pdf_store", store_failing_once)

    # Not propagating the first error lets the eager run retry the way a worker does.
    tasks.permit_pdf_render.apply(args=[permit.pk], throw=False).get()

    assert calls == [permit.pk, permit.pk]
    permit.refresh_from_db()
    assert permit.pdf.name == f"permits/pdf/{permit.number}.pdf"


def test_the_task_does_not_retry_an_error_that_would_happen_again(homeowner, clerk, monkeypatch):
    permit = permit_issued(homeowner, "WHTR", clerk=clerk)
    calls = []

    def store_broken(*, permit_id):
        calls.append(permit_id)
        raise ValueError("a bug in the template")

    monkeypatch.setattr(tasks, "permit_pdf_store", store_broken)

    result = tasks.permit_pdf_render.apply(args=[permit.pk], throw=False)

    with pytest.raises(ValueError):
        result.get()
    assert calls == [permit.pk]


def test_services_ask_for_the_pdf_task_by_a_name_the_worker_knows():
    assert celery_app.tasks[PERMIT_PDF_TASK] == tasks.permit_pdf_render
