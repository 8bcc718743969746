"""The public license check: anyone enters a number and learns whether the license is
active, for which business, until when; never who owns it or anything personal."""

import datetime

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from licensing.models import BusinessLicense, LicenseOwner
from tests.factories import BusinessLicenseFactory

VERIFY = reverse("licensing:verify")


@pytest.fixture
def bookshop(owner, retail) -> BusinessLicense:
    license = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2026-00001",
        business_name="Harbor Light Books LLC",
        dba="Harbor Light Books",
        business_address_line1="28901 Western Ave",
        phone="310-555-0177",
        email="books@example.org",
        federal_ein="12-3456789",
        employees=4,
        expires_on=datetime.date.today() + datetime.timedelta(days=100),
    )
    LicenseOwner.objects.create(license=license, name="Mei Tanaka", title="Managing member")
    return license


def check(client, number: str) -> str:
    response = client.get(VERIFY, {"number": number})
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_is_offered_without_an_account(client, db):
    page = client.get(VERIFY).content.decode()

    assert "<h1>Check a business license</h1>" in page
    assert 'for="id_number"' in page and 'method="get"' in page
    assert "Result" not in page and 'id="form-errors"' not in page


def test_an_active_license_is_found_with_its_public_facts_only(client, bookshop):
    page = check(client, "BL2026-00001")

    assert "Harbor Light Books (Harbor Light Books LLC)" in page
    assert "Retail" in page and ">Active<" in page
    assert (
        f'Valid through</dt><dd class="col-sm-8">{date_format(bookshop.expires_on, "DATE_FORMAT")}'
        in page
    )
    for private in (
        "Mei Tanaka",
        "Rosa",
        "Delgado",
        "28901 Western Ave",
        "30940 Hawthorne",
        "310-555-0177",
        "books@example.org",
        "12-3456789",
        bookshop.holder.email,
        bookshop.holder.username,
    ):
        assert private not in page, private


@pytest.mark.parametrize("typed", ["bl2026-1", "BL 2026 00001", " bl2026-00001 ", "BL202600001"])
def test_the_number_may_be_typed_in_any_usual_way(client, bookshop, typed):
    assert "Harbor Light Books (Harbor Light Books LLC)" in check(client, typed)


def test_an_expired_license_says_so(client, bookshop):
    bookshop.status = BusinessLicense.Status.EXPIRED
    bookshop.expires_on = datetime.date.today() - datetime.timedelta(days=3)
    bookshop.save()

    page = check(client, "BL2026-00001")

    assert ">Expired<" in page and ">Active<" not in page
    assert (
        f'Expired on</dt><dd class="col-sm-8">{date_format(bookshop.expires_on, "DATE_FORMAT")}'
        in page
    )


def test_a_license_past_its_last_day_reads_expired_before_the_nightly_run(client, bookshop):
    bookshop.expires_on = datetime.date.today() - datetime.timedelta(days=1)
    bookshop.save()

    assert ">Expired<" in check(client, "BL2026-00001")


def test_the_latest_term_answers(client, bookshop):
    today = datetime.date.today()
    bookshop.status = BusinessLicense.Status.EXPIRED
    bookshop.starts_on = today - datetime.timedelta(days=400)
    bookshop.expires_on = today - datetime.timedelta(days=35)
    bookshop.save()
    BusinessLicenseFactory(
        holder=bookshop.holder,
        classification=bookshop.classification,
        number="BL2026-00001",
        renewal_of=bookshop,
        business_name="Harbor Light Books LLC",
        starts_on=today - datetime.timedelta(days=34),
        expires_on=today + datetime.timedelta(days=330),
    )

    page = check(client, "BL2026-00001")

    assert ">Active<" in page
    assert date_format(today + datetime.timedelta(days=330), "DATE_FORMAT") in page


@pytest.mark.parametrize(
    "status", [BusinessLicense.Status.DRAFT, BusinessLicense.Status.APPROVED, None]
)
def test_an_unknown_number_or_an_application_is_not_found(client, bookshop, status):
    if status is not None:
        bookshop.status = status
        bookshop.save()
    number = "BL2026-00001" if status else "BL2026-00077"

    page = check(client, number)

    assert f"No business license with number {number}." in page
    assert "Harbor Light Books" not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a business license number, e.g. BL2026-00001."),
        ("   ", "Enter a business license number, e.g. BL2026-00001."),
        ("RERF2026-0001", "That is not a business license number."),
        ("BL26-1", "That is not a business license number."),
        ("<script>alert(1)</script>", "That is not a business license number."),
        ("x" * 200, "Ensure this value has at most 30 characters (it has 200)."),
    ],
)
def test_empty_or_malformed_input_gets_a_message_beside_the_field(client, db, typed, message):
    response = client.get(VERIFY, {"number": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and 'id="id_number_error"' in page
    assert "No business license with number" not in page
    assert "<script>alert(1)</script>" not in page


def test_the_check_only_answers_get(client, db):
    assert client.post(VERIFY, {"number": "BL2026-00001"}).status_code == 405
