"""Every PDF the portal hands out passes the PDF/UA-1 check (tests/pdf_ua/check.py): the permit,
the payment receipt and the business license certificate, each rendered from the objects a
person would have, through the code that makes it for them. A module that starts making a
PDF fails here until a test below checks it; the run's summary counts the PDFs checked."""

import ast
import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from licensing.certificate import license_certificate_make
from payments import views as payment_views
from payments.models import Payment
from payments.services import payment_record_counter
from permits.models import Permit
from permits.pdf import permit_pdf_make
from portal.models import City
from portal.selectors import city_localdate, city_profile_forget
from tests.conftest import PDF_UA_PROPERTY, PROJECT_ROOT
from tests.factories import BusinessLicenseFactory
from tests.pdf_ua.check import pdf_ua_problems
from tests.permits.issuing import permit_issued
from tests.permits.support import permit_submitted

# The modules that make a PDF, and the test below that checks what each makes.
MAKERS = {
    "permits.pdf": "test_the_permits",
    "licensing.certificate": "test_the_license_certificates",
    "payments.views": "test_the_receipts",
}


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = "https://permits.example.gov"


@pytest.fixture
def city_logo(demo_city):
    """The city's logo, which every document prints as a figure with alternative text."""
    logo = io.BytesIO()
    Image.new("RGB", (40, 40), "navy").save(logo, format="PNG")
    City.objects.get().logo.save("logo.png", ContentFile(logo.getvalue()))
    city_profile_forget()


def check(record_property, documents: list[tuple[str, str, bytes]]) -> None:
    """Check each (name, html, pdf) and fail once, naming every problem of every PDF."""
    failures = []
    for name, html, pdf in documents:
        problems = pdf_ua_problems(pdf, html)
        record_property(PDF_UA_PROPERTY, (name, len(problems)))
        failures += [f"{name}: {problem}" for problem in problems]
    assert not failures, "Not accessible PDF/UA-1 documents:\n" + "\n".join(failures)


def test_the_permits(record_property, city_logo, homeowner, contractor, clerk):
    reroof = permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor)
    heater = permit_issued(homeowner, "WHTR", clerk=clerk)
    Permit.objects.filter(pk=heater.pk).update(
        parcel_number="7564-012-034",
        status=Permit.Status.FINALED,
        finaled_on=city_localdate(),
    )
    film = permit_issued(homeowner, "FILM", clerk=clerk)
    assert reroof.invoice.lines.count() > 1

    check(
        record_property,
        [
            (f"permit {permit.number}", *permit_pdf_make(permit))
            for permit in (reroof, Permit.objects.get(pk=heater.pk), film)
        ],
    )


def test_the_license_certificates(
    record_property, city_logo, finance, owner, retail, contractor_class
):
    licenses = [
        BusinessLicenseFactory(
            holder=owner,
            classification=retail,
            business_name="Delgado Hardware LLC",
            dba="Harbor Hardware",
            business_address_line2="Suite 4",
        ),
        BusinessLicenseFactory(
            classification=contractor_class,
            state_license_number="1029384",
            business_in_city=False,
            business_city="Torrance",
        ),
    ]

    check(
        record_property,
        [
            (f"license certificate {license.number}", *license_certificate_make(license))
            for license in licenses
        ],
    )


def test_the_receipts(record_property, monkeypatch, settings, client, city_logo, homeowner, clerk):
    made = []

    def pdf_from_html(html, **kwargs):
        pdf = made_by_portal(html, **kwargs)
        made.append((html, pdf))
        return pdf

    made_by_portal = payment_views.pdf_from_html
    monkeypatch.setattr(payment_views, "pdf_from_html", pdf_from_html)
    settings.PAYMENT_CONVENIENCE_FEE_PERCENT = Decimal("2.5")
    settings.PAYMENT_CONVENIENCE_FEE_FLAT = Decimal("0.30")
    client.force_login(homeowner)
    # Two permits' fees paid by card in one checkout, with the city's card fee.
    invoices = [permit_submitted(homeowner, prefix).invoice for prefix in ("WHTR", "RPRK")]
    started = client.post("/payments/pay/", {"invoice": [invoice.pk for invoice in invoices]})
    paid = client.post(
        started.url,
        {
            "card_number": "4242 4242 4242 4242",
            "expiry": f"12/{(city_localdate().year + 1) % 100:02d}",
            "cvc": "123",
            "name": "Rosa Delgado",
        },
    )
    assert paid.status_code == 302
    card = Payment.objects.get(status=Payment.Status.SUCCEEDED, method=Payment.Method.CARD)
    assert card.convenience_fee
    # One permit's fees paid by check at the counter.
    counter = payment_record_counter(
        invoice=permit_submitted(homeowner, "EPNL").invoice,
        method=Payment.Method.CHECK,
        receipt_number="R-1042",
        recorded_by=clerk,
    )

    documents = []
    for payment in (card, counter):
        assert client.get(f"/payments/{payment.pk}/receipt.pdf").status_code == 200
        documents.append((f"receipt {payment.receipt_label}", *made.pop()))
    check(record_property, documents)


def _pdf_makers() -> set[str]:
    """The project's modules that import the one function that makes a PDF."""
    makers = set()
    for app in ("portal", "accounts", "licensing", "permits", "inspections", "payments"):
        for path in (PROJECT_ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and any(
                    alias.name == "pdf_from_html" for alias in node.names
                ):
                    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
                    makers.add(".".join(parts))
    return makers


def test_every_module_that_makes_a_pdf_has_its_pdfs_checked():
    unchecked = _pdf_makers() - MAKERS.keys()
    assert not unchecked, (
        f"{', '.join(sorted(unchecked))} make PDFs that no test checks: render each one from "
        "realistic objects in tests/pdf_ua/test_pdf_ua.py and add the module to MAKERS"
    )
    assert set(MAKERS.values()) <= {name for name in globals() if name.startswith("test_")}


# The check itself: each essential it looks for, taken out of a good permit, is reported.


@pytest.fixture
def good_permit(homeowner, contractor, clerk) -> tuple[str, bytes]:
    return permit_pdf_make(permit_issued(homeowner, "RERF", clerk=clerk, contractor=contractor))


def _changed(pdf: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    changed = io.BytesIO()
    writer.write(changed)
    return changed.getvalue()


def _elements(node, structure_type: str):
    node = node.get_object()
    if isinstance(node, list):
        for kid in node:
            yield from _elements(kid, structure_type)
    elif isinstance(node, dict) and "/K" in node:
        if node.get("/S") == structure_type:
            yield node
        yield from _elements(node["/K"], structure_type)


def _first(writer: PdfWriter, structure_type: str):
    return next(_elements(writer.root_object["/StructTreeRoot"], structure_type))


def test_the_check_passes_a_good_permit(good_permit):
    html, pdf = good_permit
    assert pdf_ua_problems(pdf, html) == []


def test_the_check_reports_a_table_header_without_scope(good_permit):
    html, pdf = good_permit

    def unscope(writer):
        del _first(writer, "/TH")["/A"][NameObject("/Scope")]

    problems = pdf_ua_problems(_changed(pdf, unscope), html)

    assert problems == [
        "table header 'Category' (page 1) has no /Scope, so a screen reader cannot tell which "
        "cells it heads"
    ]


def test_the_check_reports_a_template_header_that_heads_neither_a_row_nor_a_column(
    good_permit,
):
    html, pdf = good_permit

    problems = pdf_ua_problems(pdf, html.replace('<th scope="col">', '<th scope="colgroup">', 1))

    assert problems == [
        'the template has a <th scope="colgroup">: a PDF table header heads a row or a column, '
        'so each <th> says scope="row" or scope="col"'
    ]


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda w: w.root_object.pop("/MarkInfo"), "no /Marked true"),
        (lambda w: w.root_object.pop("/StructTreeRoot"), "has no /StructTreeRoot"),
        (lambda w: w.root_object.pop("/Lang"), "/Lang '' names no language"),
        (lambda w: w.root_object.pop("/ViewerPreferences"), "no /DisplayDocTitle true"),
        (lambda w: w.add_metadata({"/Title": " "}), "the document has no title"),
        (lambda w: _first(w, "/Figure").pop("/Alt"), "has no alternative text"),
        (
            # A screen reader would read the permit's number before its type's name.
            lambda w: _first(w, "/H1")["/K"].reverse(),
            "does not read the template's text in its order",
        ),
    ],
    ids=["untagged", "no-structure", "no-lang", "title-not-shown", "no-title", "no-alt", "order"],
)
def test_the_check_reports_what_a_screen_reader_needs(good_permit, change, reported):
    html, pdf = good_permit

    problems = pdf_ua_problems(_changed(pdf, change), html)

    assert any(reported in problem for problem in problems), problems


def test_the_check_reports_what_the_validator_finds(good_permit):
    html, pdf = good_permit

    def unlink_headers(writer):
        for cell in _elements(writer.root_object["/StructTreeRoot"], "/TD"):
            cell["/A"].pop("/Headers", None)
        for cell in _elements(writer.root_object["/StructTreeRoot"], "/TH"):
            cell["/A"].pop("/Scope", None)

    problems = pdf_ua_problems(_changed(pdf, unlink_headers), html)

    assert any(re.match(r"PDFUA1-TABLE-HEADERS-SCOPE-001: ", p) for p in problems), problems
