"""The application wizard through the browser's requests: choosing a type, each step
saving the draft, review with fees, and submission; and every kind of bad input."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from permits import services
from permits.models import Permit, PermitDocument, PermitNumberCounter, PermitType
from tests.factories import ContractorFactory, UserFactory
from tests.permits.support import PDF_BYTES, pdf_upload, permit_draft_complete, png_upload

SITE_FORM = {
    "site_address": "30940 Hawthorne Blvd",
    "site_unit": "",
    "site_city": "Rancho Palos Verdes",
    "site_postal_code": "90275",
    "parcel_number": "7564-012-034",
}
WATER_HEATER = {
    "details-fuel": "Natural gas",
    "details-capacity_gallons": "50",
    "details-location": "Garage",
}
REROOF = {
    "details-roof_squares": "24.5",
    "details-material": "Concrete tile",
    "details-tear_off": "on",
    "details-stories": "1",
}


def step_url(permit: Permit, step: str) -> str:
    return reverse("permits:draft-step", args=[permit.pk, step])


def start(client, prefix: str, **site) -> Permit:
    response = client.post(reverse("permits:apply-start", args=[prefix]), {**SITE_FORM, **site})
    assert response.status_code == 302, response.content.decode()
    permit = Permit.objects.latest("pk")
    assert response["Location"] == step_url(permit, "project")
    return permit


def post_step(client, permit: Permit, step: str, data: dict, next_step: str | None = None):
    response = client.post(step_url(permit, step), data)
    if next_step is not None:
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == step_url(permit, next_step)
    return response


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def year() -> int:
    return timezone.localdate().year


# The catalogue ---------------------------------------------------------------------------


def test_the_catalogue_offers_each_type_with_its_instructions_and_fee(client, homeowner):
    client.force_login(homeowner)

    page = client.get(reverse("permits:apply")).content.decode()

    assert 'href="/permits/apply/WHTR/"' in page
    assert "A gas water heater needs two seismic straps" in page
    assert "Fee: $143.00" in page
    # The reroof's fee depends on the roof's size: only the least it can be.
    assert "Fees from $208.00" in page
    assert "Before you can submit" not in page


def test_a_contractor_sees_why_public_only_types_are_closed_to_them(client, contractor):
    client.force_login(contractor)

    page = client.get(reverse("permits:apply")).content.decode()

    assert "Residents and businesses apply for this permit themselves" in page
    assert 'href="/permits/apply/FILM/"' not in page
    assert 'href="/permits/apply/RERF/"' in page


def test_an_unverified_contractor_is_told_exactly_what_is_missing(client, demo_city):
    contractor = ContractorFactory(username="5550001", email_verified=True)
    client.force_login(contractor)

    page = client.get(reverse("permits:apply")).content.decode()

    assert "The Permit Center has not yet verified your license and insurance" in page


def test_the_catalogue_takes_a_fixed_number_of_queries(
    client, homeowner, django_assert_max_num_queries
):
    client.force_login(homeowner)
    for prefix in ("WHTR", "RERF", "DMPR", "FILM", "RPRK"):
        start(client, prefix)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("permits:apply")).content.decode()

    assert page.count(">Continue<") == 5


# A whole application ---------------------------------------------------------------------


def test_a_homeowner_applies_for_a_water_heater_step_by_step(client, homeowner):
    client.force_login(homeowner)
    start_page = client.get(reverse("permits:apply-start", args=["WHTR"])).content.decode()
    assert 'aria-current="step"' in start_page and 'for="id_site_address"' in start_page

    permit = start(client, "WHTR")
    assert permit.applicant == homeowner and permit.site_city == "Rancho Palos Verdes"
    assert permit.parcel_number == "7564-012-034"
    post_step(
        client,
        permit,
        "project",
        {"description": "Replace a 50-gallon gas water heater.", "valuation": "$1,800"},
        "details",
    )
    post_step(client, permit, "details", WATER_HEATER, "work")
    post_step(
        client,
        permit,
        "work",
        {"work_by": "owner_builder", "owner_builder_declared": "on"},
        "documents",
    )
    post_step(client, permit, "documents", {}, "review")

    review = client.get(step_url(permit, "review")).content.decode()
    assert "Water heater" in review and "$85.00" in review
    assert "$143.00" in review
    assert "The owner, as owner-builder" in review
    assert "Capacity in gallons" in review
    assert f'action="/permits/applications/{permit.pk}/submit/"' in review

    response = client.post(reverse("permits:submit", args=[permit.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("permits:detail", args=[permit.pk])
    permit.refresh_from_db()
    assert permit.number == f"WHTR{year()}-0001"
    assert permit.status == Permit.Status.APPROVED
    assert permit.invoice.total == Decimal("143.00")
    assert permit.valuation == Decimal("1800.00")
    assert permit.field_values == {
        "fuel": "Natural gas",
        "capacity_gallons": 50,
        "location": "Garage",
    }
    [message] = messages_of(response)
    assert f"WHTR{year()}-0001" in message and "$143.00 are due" in message


def test_a_reroof_names_the_contractor_by_license_number(client, homeowner, contractor):
    client.force_login(homeowner)
    permit = start(client, "RERF")
    post_step(
        client, permit, "project", {"description": "Reroof.", "valuation": "18000"}, "details"
    )
    post_step(client, permit, "details", REROOF, "work")
    post_step(
        client,
        permit,
        "work",
        {"work_by": "contractor", "contractor_license_number": contractor.username},
        "documents",
    )
    [document] = PermitType.objects.get(code_prefix="RERF").documents.all()
    post_step(client, permit, "documents", {f"document_{document.pk}": pdf_upload()}, "review")

    review = client.get(step_url(permit, "review")).content.decode()
    assert "Coastline Roofing, license 1029384" in review
    # 24.5 squares at $6.50, a tear-off's sheathing inspection, and the surcharges.
    assert "$159.25" in review and "$95.00" in review and "$312.25" in review

    client.post(reverse("permits:submit", args=[permit.pk]))

    permit.refresh_from_db()
    assert permit.number == f"RERF{year()}-0001"
    assert permit.contractor == contractor
    assert permit.field_values == {
        "roof_squares": "24.5",
        "material": "Concrete tile",
        "tear_off": True,
        "stories": 1,
    }


def test_a_contractor_applying_is_the_contractor_and_skips_the_work_step(client, contractor):
    client.force_login(contractor)
    permit = start(client, "RERF")
    post_step(
        client, permit, "project", {"description": "Reroof.", "valuation": "18000"}, "details"
    )

    post_step(client, permit, "details", REROOF, "documents")

    assert client.get(step_url(permit, "work"))["Location"] == step_url(permit, "documents")
    documents_page = client.get(step_url(permit, "documents")).content.decode()
    assert "Who does the work" not in documents_page
    review = client.get(step_url(permit, "review")).content.decode()
    assert "Coastline Roofing, license 1029384" in review
    permit.refresh_from_db()
    assert permit.contractor == contractor and permit.work_by == Permit.WorkBy.CONTRACTOR


def test_a_type_without_construction_asks_neither_valuation_nor_who_works(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "DMPR")

    page = client.get(step_url(permit, "project")).content.decode()
    assert "Valuation" not in page
    post_step(client, permit, "project", {"description": "A bin for a week."}, "details")
    post_step(
        client,
        permit,
        "details",
        {
            "details-placement_start": "2026-12-01",
            "details-placement_days": "7",
            "details-bin_size": "20",
            "details-hauler": "South Bay Roll-Off",
        },
        "documents",
    )
    permit.refresh_from_db()
    assert permit.field_values["placement_start"] == "2026-12-01"
    assert permit.field_values["placement_days"] == 7


def test_every_question_is_labelled_with_its_help_and_bounds(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")

    page = client.get(step_url(permit, "details")).content.decode()

    assert '<label class="form-label" for="id_details-roof_squares">Roof area in squares' in page
    assert 'min="1"' in page and 'max="200"' in page and 'step="0.01"' in page
    assert "One square is 100 square feet." in page
    assert 'type="radio" name="details-material" value="Clay tile"' in page
    assert 'type="checkbox" name="details-tear_off"' in page
    assert '<label class="form-check-label" for="id_details-tear_off">' in page


def test_a_date_question_is_a_date_input_and_a_long_choice_a_select(client, homeowner):
    PermitType.objects.get(code_prefix="DMPR").fields.filter(name="bin_size").update(
        choices="6\n10\n15\n20\n30\n40"
    )
    client.force_login(homeowner)
    permit = start(client, "DMPR")

    page = client.get(step_url(permit, "details")).content.decode()

    assert 'type="date" name="details-placement_start"' in page
    assert '<select name="details-bin_size"' in page and '<option value="15">' in page


# The owner-builder declaration -----------------------------------------------------------


def test_the_owner_builder_declaration_must_be_signed(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(client, permit, "work", {"work_by": "owner_builder"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sign the owner-builder declaration to do the work yourself." in page
    permit.refresh_from_db()
    assert permit.work_by == "" and permit.owner_builder_declared_at is None


def test_a_type_closed_to_owner_builders_offers_only_a_contractor(client, homeowner):
    PermitType.objects.filter(code_prefix="RERF").update(owner_builder_allowed=False)
    client.force_login(homeowner)
    permit = start(client, "RERF")

    page = client.get(step_url(permit, "work")).content.decode()
    response = post_step(
        client, permit, "work", {"work_by": "owner_builder", "owner_builder_declared": "on"}
    )

    assert 'value="owner_builder"' not in page and "Owner-builder declaration" not in page
    assert response.status_code == 200
    permit.refresh_from_db()
    assert permit.work_by == ""


@pytest.mark.parametrize(
    ("license_number", "message"),
    [
        ("", "Enter your contractor&#x27;s license number."),
        ("7777777", "No contractor with license 7777777 has an account on the portal."),
        ("abc", "No contractor with license abc has an account on the portal."),
    ],
)
def test_a_contractor_must_be_one_the_portal_knows(client, homeowner, license_number, message):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(
        client,
        permit,
        "work",
        {"work_by": "contractor", "contractor_license_number": license_number},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'id="id_contractor_license_number_error"' in page
    permit.refresh_from_db()
    assert permit.work_by == "" and permit.contractor is None


def test_a_contractor_not_yet_verified_cannot_be_named(client, homeowner):
    unverified = ContractorFactory(username="5550002", email_verified=True)
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(
        client,
        permit,
        "work",
        {"work_by": "contractor", "contractor_license_number": unverified.username},
    )

    assert "cannot be named on a permit yet" in response.content.decode()
    permit.refresh_from_db()
    assert permit.contractor is None


# Bad input -------------------------------------------------------------------------------


def test_an_unknown_type_or_one_not_offered_online_is_not_found(client, homeowner):
    PermitType.objects.filter(code_prefix="HAUL").update(is_online=False)
    client.force_login(homeowner)

    assert client.get(reverse("permits:apply-start", args=["NOPE"])).status_code == 404
    assert client.get(reverse("permits:apply-start", args=["HAUL"])).status_code == 404
    assert client.post(reverse("permits:apply-start", args=["HAUL"]), SITE_FORM).status_code == 404
    assert not Permit.objects.exists()


def test_a_type_the_person_may_not_apply_for_says_why_and_saves_nothing(client, contractor):
    client.force_login(contractor)

    page = client.get(reverse("permits:apply-start", args=["FILM"]))
    response = client.post(reverse("permits:apply-start", args=["FILM"]), SITE_FORM)

    assert page.status_code == 403 and response.status_code == 403
    assert "Residents and businesses apply for this permit themselves" in page.content.decode()
    assert not Permit.objects.exists()


def test_the_prefix_may_be_typed_in_lower_case(client, homeowner):
    client.force_login(homeowner)
    assert client.get(reverse("permits:apply-start", args=["whtr"])).status_code == 200


def test_apply_needs_a_login(client, demo_city):
    response = client.get(reverse("permits:apply-start", args=["WHTR"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_site_address_is_complete_before_a_draft_exists(client, homeowner):
    client.force_login(homeowner)

    response = client.post(
        reverse("permits:apply-start", args=["WHTR"]),
        {**SITE_FORM, "site_address": "", "site_postal_code": "9027"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_site_address_error"' in page
    assert "Enter a 5-digit ZIP code, e.g. 90275." in page
    assert not Permit.objects.exists()


def test_required_questions_must_be_answered_to_continue(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(client, permit, "details", {"details-fuel": "Natural gas"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_details-capacity_gallons_error"' in page
    assert "This field is required." in page
    permit.refresh_from_db()
    assert permit.field_values == {}


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"details-capacity_gallons": "500"}, "capacity_gallons", "Enter a number from 1 to 200."),
        ({"details-capacity_gallons": "0"}, "capacity_gallons", "Enter a number from 1 to 200."),
        ({"details-capacity_gallons": "fifty"}, "capacity_gallons", "Enter a whole number."),
        ({"details-fuel": "Wood"}, "fuel", "Select a valid choice."),
    ],
)
def test_answers_outside_their_bounds_or_choices_are_refused(
    client, homeowner, answers, field, message
):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(client, permit, "details", {**WATER_HEATER, **answers})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and f'id="id_details-{field}_error"' in page
    permit.refresh_from_db()
    assert permit.field_values == {}


def test_a_decimal_answer_is_checked_against_its_bounds(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")

    response = post_step(client, permit, "details", {**REROOF, "details-roof_squares": "0.5"})

    assert "Enter a number from 1 to 200." in response.content.decode()
    permit.refresh_from_db()
    assert permit.field_values == {}


@pytest.mark.parametrize(
    ("valuation", "message"),
    [
        ("twelve thousand", "Enter the valuation as a number of dollars"),
        ("-5", "The valuation cannot be negative."),
        ("NaN", "Enter the valuation as a number of dollars"),
        ("100000000", "Enter a valuation under $100,000,000."),
        ("", "This field is required."),
    ],
)
def test_a_valuation_must_be_a_sum_of_dollars(client, homeowner, valuation, message):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(
        client, permit, "project", {"description": "New heater.", "valuation": valuation}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and 'id="id_valuation_error"' in page
    permit.refresh_from_db()
    assert permit.description == "" and permit.valuation is None


# Documents -------------------------------------------------------------------------------


def required_document(prefix: str):
    return PermitType.objects.get(code_prefix=prefix).documents.filter(required=True).first()


def test_documents_are_uploaded_listed_and_removed(
    client, homeowner, django_capture_on_commit_callbacks
):
    client.force_login(homeowner)
    permit = start(client, "RERF")
    document = required_document("RERF")

    post_step(
        client,
        permit,
        "documents",
        {f"document_{document.pk}": png_upload("spec.png")},
        "review",
    )
    page = client.get(step_url(permit, "documents")).content.decode()
    [stored] = permit.documents.all()

    assert stored.content_type == "image/png" and stored.original_name == "spec.png"
    assert "spec.png" in page
    assert f'action="/permits/applications/{permit.pk}/documents/{stored.pk}/remove/"' in page
    assert 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("permits:document-remove", args=[permit.pk, stored.pk]))

    assert response["Location"] == step_url(permit, "documents")
    assert not permit.documents.exists()
    assert not stored.file.storage.exists(stored.file.name)


def test_a_new_file_replaces_the_one_uploaded_for_a_draft(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")
    field = f"document_{required_document('RERF').pk}"

    post_step(client, permit, "documents", {field: pdf_upload("first.pdf")}, "review")
    post_step(client, permit, "documents", {field: pdf_upload("second.pdf")}, "review")

    assert list(permit.documents.values_list("original_name", flat=True)) == ["second.pdf"]


def test_a_required_document_must_be_chosen_to_continue(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")

    response = post_step(client, permit, "documents", {})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a file: this document is required." in page


def test_a_30_megabyte_file_is_refused_beside_its_field(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")
    field = f"document_{required_document('RERF').pk}"
    padding = b"0" * (30 * 1024 * 1024)
    upload = SimpleUploadedFile("plans.pdf", PDF_BYTES[:-6] + padding + b"%%EOF\n")

    response = post_step(client, permit, "documents", {field: upload})

    page = response.content.decode()
    assert response.status_code == 200
    assert "plans.pdf is 30.0\xa0MB; files may be at most 10.0\xa0MB." in page
    assert f'id="id_{field}_error"' in page
    assert not PermitDocument.objects.exists()


def test_the_size_limit_comes_from_the_settings(client, homeowner, settings):
    settings.PERMIT_DOCUMENT_MAX_MB = 1
    client.force_login(homeowner)
    permit = start(client, "RERF")
    field = f"document_{required_document('RERF').pk}"
    upload = SimpleUploadedFile("plans.pdf", PDF_BYTES[:-6] + b"0" * 1_100_000 + b"%%EOF\n")

    response = post_step(client, permit, "documents", {field: upload})

    assert "files may be at most 1.0\xa0MB" in response.content.decode()
    assert not PermitDocument.objects.exists()


def test_a_program_renamed_pdf_is_refused_and_nothing_is_kept(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "DMPR")
    insurance, sketch = PermitType.objects.get(code_prefix="DMPR").documents.all()
    program = SimpleUploadedFile("sketch.pdf", b"MZ\x90\x00\x03" + b"\x00" * 2000)

    response = post_step(
        client,
        permit,
        "documents",
        {f"document_{insurance.pk}": pdf_upload(), f"document_{sketch.pk}": program},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "sketch.pdf is not a PDF, JPEG or PNG file." in page
    assert f'id="id_document_{sketch.pk}_error"' in page
    assert "No file was saved." in page
    assert not PermitDocument.objects.exists()


# Save and finish later -------------------------------------------------------------------


def test_save_and_finish_later_keeps_what_was_typed(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(
        client,
        permit,
        "details",
        {"details-fuel": "Electric", "details-capacity_gallons": "", "save_later": "1"},
    )

    assert response["Location"] == reverse("accounts:dashboard")
    permit.refresh_from_db()
    assert permit.field_values["fuel"] == "Electric"
    assert permit.field_values["capacity_gallons"] is None
    assert permit.draft_step == "details"
    assert "saved as a draft" in messages_of(response)[0]


def test_save_and_finish_later_still_refuses_a_bad_value(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = post_step(
        client, permit, "project", {"description": "", "valuation": "lots", "save_later": "1"}
    )

    assert response.status_code == 200
    permit.refresh_from_db()
    assert permit.draft_step == "site"


def test_save_and_finish_later_on_the_first_step_starts_the_draft(client, homeowner):
    client.force_login(homeowner)

    response = client.post(
        reverse("permits:apply-start", args=["WHTR"]), {**SITE_FORM, "save_later": "1"}
    )

    assert response["Location"] == reverse("accounts:dashboard")
    assert Permit.objects.get().status == Permit.Status.DRAFT


# Review and submission -------------------------------------------------------------------


def test_the_review_lists_what_is_missing_with_a_link_to_its_step(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "RERF")

    page = client.get(step_url(permit, "review")).content.decode()

    assert "A description of the work" in page
    assert f'href="{step_url(permit, "project")}"' in page
    assert "Roof area in squares" in page and f'href="{step_url(permit, "details")}"' in page
    assert f'href="{step_url(permit, "documents")}"' in page
    assert "Submit application" not in page


def test_a_forged_submission_of_an_incomplete_draft_changes_nothing(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")

    response = client.post(reverse("permits:submit", args=[permit.pk]))

    assert response["Location"] == step_url(permit, "review")
    assert "The application is not complete" in messages_of(response)[0]
    permit.refresh_from_db()
    assert permit.status == Permit.Status.DRAFT and permit.number is None
    assert permit.invoice is None and not PermitNumberCounter.objects.exists()


def test_an_unconfirmed_email_blocks_submission_with_the_way_to_fix_it(client, demo_city):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    permit = start(client, "DCRP")
    post_step(client, permit, "project", {"description": "My car."}, "details")
    post_step(
        client,
        permit,
        "details",
        {"details-vehicle_plate": "8ABC123", "details-vehicle_make_model": "Kia Soul"},
        "documents",
    )
    document = required_document("DCRP")
    post_step(client, permit, "documents", {f"document_{document.pk}": pdf_upload()}, "review")

    page = client.get(step_url(permit, "review")).content.decode()
    response = client.post(reverse("permits:submit", args=[permit.pk]))

    assert "Confirm your email address" in page and "Submit application" not in page
    assert "Confirm your email address" in messages_of(response)[0]
    permit.refresh_from_db()
    assert permit.status == Permit.Status.DRAFT


def test_a_reviewed_type_is_submitted_for_review(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "DMPR")
    post_step(client, permit, "project", {"description": "A bin for a week."}, "details")
    post_step(
        client,
        permit,
        "details",
        {
            "details-placement_start": "2026-12-01",
            "details-placement_days": "7",
            "details-bin_size": "20",
            "details-hauler": "South Bay Roll-Off",
        },
        "documents",
    )
    insurance, sketch = PermitType.objects.get(code_prefix="DMPR").documents.all()
    post_step(
        client,
        permit,
        "documents",
        {f"document_{insurance.pk}": pdf_upload(), f"document_{sketch.pk}": png_upload()},
        "review",
    )

    response = client.post(reverse("permits:submit", args=[permit.pk]))

    permit.refresh_from_db()
    assert permit.status == Permit.Status.SUBMITTED
    assert permit.invoice.total == Decimal("145.00")
    assert "The Permit Center reviews it" in messages_of(response)[0]


def test_submit_answers_only_a_post(client, homeowner):
    client.force_login(homeowner)
    permit = start(client, "WHTR")
    assert client.get(reverse("permits:submit", args=[permit.pk])).status_code == 405


@pytest.mark.parametrize("path", ["/permits/apply/%00/", "/permits/apply/R%00RF/"])
def test_a_type_code_with_a_nul_byte_is_not_found(client, homeowner, path):
    client.force_login(homeowner)
    assert client.get(path).status_code == 404


def test_answers_giving_fees_beyond_any_invoice_say_so_on_review(client, homeowner):
    permit = permit_draft_complete(homeowner, "HAUL")
    permit.field_values["truck_loads"] = "9" * 40  # saved before limits existed
    permit.save()
    client.force_login(homeowner)

    page = client.get(reverse("permits:draft-step", args=[permit.pk, "review"]))

    assert page.status_code == 200
    assert "beyond what the portal can take" in page.content.decode()
    assert page.context["can_submit"] is False


def test_a_second_click_on_submit_lands_on_the_submitted_permit(client, homeowner):
    permit = permit_draft_complete(homeowner, "WHTR")
    client.force_login(homeowner)
    submit = reverse("permits:submit", args=[permit.pk])

    first, second = client.post(submit), client.post(submit)

    detail = reverse("permits:detail", args=[permit.pk])
    assert first["Location"] == second["Location"] == detail
    assert Permit.objects.get(pk=permit.pk).number.startswith("WHTR")


def test_someone_elses_submitted_permit_is_not_found_at_submit(client, homeowner):
    permit = permit_draft_complete(homeowner, "WHTR")
    services.permit_submit(permit=permit, user=homeowner)
    client.force_login(UserFactory(email_verified=True))
    assert client.post(reverse("permits:submit", args=[permit.pk])).status_code == 404
