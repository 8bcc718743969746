"""A permit's public page: the record anyone may read, and nothing personal."""

import dataclasses

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from payments.models import Payment
from payments.services import payment_record_counter
from permits import services
from permits.models import Permit
from portal.selectors import city_localdate
from tests.factories import UserFactory
from tests.permits.support import SITE, permit_draft_complete, permit_submitted, png_upload


def _page(client, number: str) -> str:
    response = client.get(reverse("permits:public", args=[number]))
    assert response.status_code == 200
    return response.content.decode()


def _main(page: str) -> str:
    """The page without the site's header and footer, which list city contacts."""
    return page[page.index('<main id="main"') : page.index("</main>")]


@pytest.fixture
def applicant(demo_city):
    return UserFactory(
        username="marisol",
        first_name="Marisol",
        last_name="Quintero-Vance",
        email="marisol.qv@example.org",
        phone="424-555-0199",
        email_verified=True,
    )


@pytest.fixture
def issued(applicant, contractor, clerk):
    """A reroof of unit B by Coastline Roofing, with a photo whose file name names the
    owner, approved over the counter and paid at the counter to the clerk."""
    draft = permit_draft_complete(applicant, "RERF", contractor=contractor)
    services.permit_site_update(
        permit=draft, user=applicant, site=dataclasses.replace(SITE, site_unit="B")
    )
    services.permit_document_add(
        permit=draft,
        user=applicant,
        required_document=None,
        upload=png_upload("quintero-vance-roof.png"),
    )
    permit = services.permit_submit(permit=draft, user=applicant)
    payment_record_counter(
        invoice=permit.invoice,
        method=Payment.Method.CHECK,
        receipt_number="R-2001",
        recorded_by=clerk,
    )
    return Permit.objects.get(pk=permit.pk)


def test_the_page_shows_the_public_record(client, issued, contractor):
    assert issued.status == Permit.Status.ISSUED
    main = _main(_page(client, issued.number))
    assert f"<title>Permit {issued.number} ·" in _page(client, issued.number)
    assert f"<h1>Permit {issued.number}</h1>" in main
    for expected in (
        "Reroof",
        "Community Development",
        "Issued",
        "30940 Hawthorne Blvd",
        "Unit B",
        "Rancho Palos Verdes 90275",
        "Like for like replacement.",
        "$12,000.00",
        "Coastline Roofing",
        f"State license number {contractor.username}",
        date_format(city_localdate(issued.submitted_at)),  # the city's day, not UTC's
        date_format(issued.issued_on),
        date_format(issued.expires_on),
    ):
        assert expected in main, expected
    assert reverse("permits:search") in main


def test_the_inspections_the_permit_needs_are_listed_in_order(client, issued):
    main = _main(_page(client, issued.number))
    section = main[main.index("Inspections required") :]
    assert section.index("Sheathing and nailing") < section.index("Final roof")


def test_no_personal_data_documents_fees_or_staff(client, issued, applicant, clerk):
    documents = list(issued.documents.all())
    assert "quintero-vance-roof.png" in [document.original_name for document in documents]
    page = _page(client, issued.number)
    for private in (
        applicant.first_name,
        applicant.last_name,
        applicant.email,
        applicant.phone,
        applicant.username,
        *(document.original_name for document in documents),
        *(document.file.name for document in documents),
        clerk.last_name,
        "R-2001",
        *(line.description for line in issued.invoice.lines.all()),
        str(issued.invoice.total),
    ):
        assert private not in page, private


def test_an_owner_builder_permit_says_owner_builder(client, applicant):
    permit = permit_submitted(applicant, "EPNL")
    assert permit.work_by == Permit.WorkBy.OWNER_BUILDER
    main = _main(_page(client, permit.number))
    assert "Owner-builder" in main
    assert "State license number" not in main


def test_a_permit_without_construction_shows_no_contractor_or_valuation(client, applicant):
    permit = permit_submitted(applicant, "RPRK", valuation=None)
    main = _main(_page(client, permit.number))
    assert "Residential Parking" in main
    assert "Contractor" not in main
    assert "Valuation" not in main
    assert "Inspections required" not in main


def test_a_withdrawn_permit_lists_no_inspections_and_not_why(client, applicant):
    permit = permit_submitted(applicant, "EPNL")
    services.permit_withdraw(permit=permit, user=applicant, reason="Selling the house.")
    main = _main(_page(client, permit.number))
    assert "Withdrawn" in main
    assert "Inspections required" not in main
    assert "Selling the house." not in main


@pytest.mark.parametrize("spelling", ["lower", "dashless", "lower_dashless"])
def test_a_number_typed_otherwise_redirects_to_the_printed_one(client, issued, spelling):
    prefix, sequence = issued.number.split("-")
    typed = {
        "lower": issued.number.lower(),
        "dashless": prefix + sequence,
        "lower_dashless": (prefix + sequence).lower(),
    }[spelling]
    response = client.get(f"/permits/{typed}/")
    assert response.status_code == 301
    assert response["Location"] == reverse("permits:public", args=[issued.number])


@pytest.mark.parametrize(
    "number", ["RERF2026-9999", "ZZZZ2026-0001", "RERF2025-0001", "RERF2026-" + "0" * 40 + "1"]
)
def test_an_unknown_number_is_404(client, issued, number):
    assert client.get(f"/permits/{number}/").status_code == 404


def test_a_draft_is_404_even_if_it_somehow_had_a_number(client, applicant):
    permit = permit_submitted(applicant, "WHTR")
    Permit.objects.filter(pk=permit.pk).update(status=Permit.Status.DRAFT)
    assert client.get(f"/permits/{permit.number}/").status_code == 404


def test_the_applicant_is_pointed_to_their_own_page_and_others_are_not(
    client, issued, applicant, contractor
):
    own_link = reverse("permits:detail", args=[issued.pk])
    assert own_link not in _page(client, issued.number)
    client.force_login(UserFactory(username="stranger"))
    assert own_link not in _page(client, issued.number)
    for person in (applicant, contractor):
        client.force_login(person)
        assert own_link in _page(client, issued.number)


def test_the_page_takes_a_constant_number_of_queries(client, issued, django_assert_max_num_queries):
    # The layout's city and contacts, the permit with its type and category, and the
    # inspections its type needs.
    with django_assert_max_num_queries(4):
        _page(client, issued.number)
