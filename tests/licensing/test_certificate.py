"""The business license certificate: what it prints, that it is a tagged PDF, that the
task stores one file per term however often it runs, and that only an active license
gets one."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils.formats import date_format
from PIL import Image
from pypdf import PdfReader

from licensing import services, tasks
from licensing.certificate import (
    LICENSE_CERTIFICATE_TASK,
    license_certificate_html,
    license_certificate_make,
    license_certificate_store,
)
from licensing.models import BusinessLicense
from payments.models import Payment
from payments.services import payment_record_counter
from portal.celery import app as celery_app
from portal.models import City
from portal.selectors import city_profile_forget
from tests.factories import BusinessLicenseFactory

PORTAL_URL = "https://permits.example.gov"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL_URL


@pytest.fixture
def active(owner, retail) -> BusinessLicense:
    return BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2026-00042",
        business_name="Delgado Hardware LLC",
        dba="Harbor Hardware",
        business_address_line1="28000 Western Ave",
        business_address_line2="Suite 4",
        business_postal_code="90275",
        starts_on=datetime.date(2026, 3, 2),
        expires_on=datetime.date(2026, 12, 31),
    )


def certificate_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "licensing" / "certificates"
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


def test_the_certificate_prints_the_license_its_term_and_where_to_check_it(
    demo_city, finance, active, owner
):
    html = license_certificate_html(active)

    assert '<html lang="en' in html
    assert "<title>Business License Certificate BL2026-00042</title>" in html
    assert "<h1>Business License Certificate</h1>" in html
    assert "City of Rancho Palos Verdes (demo)" in html
    row = '<tr><th scope="row">{}</th><td>{}</td></tr>'
    assert row.format("License number", "BL2026-00042") in html
    assert (
        '<th scope="row">Business name</th><td class="business">Delgado Hardware LLC</td>' in html
    )
    assert '<th scope="row">Doing business as</th><td class="business">Harbor Hardware</td>' in html
    assert "28000 Western Ave, Suite 4<br>Rancho Palos Verdes, CA 90275" in html
    assert row.format("Classification", "Retail") in html
    for label, day in (
        ("Valid from", datetime.date(2026, 3, 2)),
        ("Valid through", datetime.date(2026, 12, 31)),
    ):
        assert f'<th scope="row">{label}</th><td>{date_format(day, "DATE_FORMAT")}</td>' in html
    assert "Post this certificate in a conspicuous place at the business." in html
    assert f"{PORTAL_URL}/licenses/verify/?number=BL2026-00042" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "Questions: Finance: Business Licenses and Cashier, 310-544-5301." in html
    assert "outside the city" not in html
    assert "State contractor license" not in html
    for personal in (owner.email, owner.get_full_name(), owner.username):
        assert personal not in html


def test_a_contractor_outside_the_city_shows_its_state_license(demo_city, contractor_class):
    license = BusinessLicenseFactory(
        classification=contractor_class,
        number="BL2026-00007",
        state_license_number="1029384",
        business_in_city=False,
        business_city="Torrance",
    )

    html = license_certificate_html(license)

    assert '<th scope="row">State contractor license</th><td>1029384</td>' in html
    assert "(located outside the city, licensed to do business in it)" in html
    assert "Doing business as" not in html


def test_the_pdf_is_tagged_with_a_language_a_title_and_the_license_text(demo_city, active):
    _html, pdf = license_certificate_make(active)

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "BL2026-00042" in text
    assert "Delgado Hardware LLC" in text
    assert "Harbor Hardware" in text
    assert date_format(datetime.date(2026, 12, 31), "DATE_FORMAT") in text
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert str(catalog["/Lang"]).startswith("en")
    assert reader.metadata.title == "Business License Certificate BL2026-00042"
    found = struct_types(catalog["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= found
    assert figure_alts(catalog["/StructTreeRoot"], []) == [
        "QR code that opens the public check of this license"
    ]
    assert b'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data()


def test_the_same_term_renders_the_same_bytes(demo_city, active):
    _html, first = license_certificate_make(active)
    _html, second = license_certificate_make(BusinessLicense.objects.get(pk=active.pk))

    assert first == second


def test_the_city_logo_is_printed_inline(demo_city, active):
    city = City.objects.get()
    logo = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(logo, format="PNG")
    city.logo.save("logo.png", ContentFile(logo.getvalue()))
    city_profile_forget()

    html, pdf = license_certificate_make(active)

    assert 'src="data:image/png;base64,' in html
    assert 'alt="Logo of City of Rancho Palos Verdes (demo)"' in html
    assert 'src="http' not in html
    alts = figure_alts(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"], [])
    assert len(alts) == 2


def test_paying_the_fees_stores_the_certificate_once_the_payment_commits(
    demo_city, retail, owner, licensing_clerk, settings, django_capture_on_commit_callbacks
):
    draft = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        status=BusinessLicense.Status.DRAFT,
        number="",
        starts_on=None,
        expires_on=None,
    )
    services.license_submit(license=draft, user=owner)
    services.license_approve(license=draft, reviewer=licensing_clerk)
    draft.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        payment_record_counter(
            invoice=draft.invoice,
            method=Payment.Method.CASH,
            receipt_number="R-00001",
            recorded_by=licensing_clerk,
        )

    license = BusinessLicense.objects.get(pk=draft.pk)
    assert license.status == BusinessLicense.Status.ACTIVE
    name = f"{license.number}-{license.starts_on:%Y-%m-%d}.pdf"
    assert license.certificate.name == f"licensing/certificates/{name}"
    assert [path.name for path in certificate_files(settings)] == [name]
    text = PdfReader(license.certificate.open("rb")).pages[0].extract_text()
    assert license.number in text


def test_the_task_run_twice_leaves_one_file_under_the_same_name(demo_city, active, settings):
    tasks.license_certificate_render.apply(args=[active.pk]).get()
    first = BusinessLicense.objects.get(pk=active.pk).certificate.name
    tasks.license_certificate_render.apply(args=[active.pk]).get()

    active.refresh_from_db()
    assert active.certificate.name == first == "licensing/certificates/BL2026-00042-2026-03-02.pdf"
    assert [path.name for path in certificate_files(settings)] == ["BL2026-00042-2026-03-02.pdf"]
    _html, expected = license_certificate_make(active)
    assert (Path(settings.MEDIA_ROOT) / first).read_bytes() == expected


def test_a_file_left_by_a_run_that_died_is_replaced_not_kept_beside(demo_city, active, settings):
    leftover = (
        Path(settings.MEDIA_ROOT) / "licensing" / "certificates" / "BL2026-00042-2026-03-02.pdf"
    )
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")

    license_certificate_store(license_id=active.pk)

    assert certificate_files(settings) == [leftover]
    assert leftover.read_bytes().startswith(b"%PDF-")


def test_a_renewal_term_gets_its_own_file_and_the_last_term_keeps_its_own(
    demo_city, active, settings
):
    license_certificate_store(license_id=active.pk)
    renewal = BusinessLicenseFactory(
        holder=active.holder,
        classification=active.classification,
        renewal_of=active,
        number=active.number,
        starts_on=datetime.date(2027, 1, 1),
        expires_on=datetime.date(2027, 12, 31),
    )

    license_certificate_store(license_id=renewal.pk)

    assert [path.name for path in certificate_files(settings)] == [
        "BL2026-00042-2026-03-02.pdf",
        "BL2026-00042-2027-01-01.pdf",
    ]


@pytest.mark.parametrize(
    "status",
    [
        BusinessLicense.Status.SUBMITTED,
        BusinessLicense.Status.APPROVED,
        BusinessLicense.Status.DENIED,
        BusinessLicense.Status.EXPIRED,
    ],
)
def test_a_license_not_active_gets_no_certificate(demo_city, active, settings, status):
    BusinessLicense.objects.filter(pk=active.pk).update(status=status)

    license_certificate_store(license_id=active.pk)
    tasks.license_certificate_render.apply(args=[active.pk]).get()

    active.refresh_from_db()
    assert not active.certificate
    assert certificate_files(settings) == []


def test_a_license_deleted_before_the_task_ran_is_skipped(demo_city, settings):
    license_certificate_store(license_id=987654)

    assert certificate_files(settings) == []


def test_services_ask_for_the_certificate_task_by_a_name_the_worker_knows():
    assert celery_app.tasks[LICENSE_CERTIFICATE_TASK] == tasks.license_certificate_render
