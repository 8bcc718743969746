"""Applying for a business license through the pages: the apply page, each step saving
the draft, the review with its fees, submission, answering the city's request, renewals
in the same steps, and every kind of bad input."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from licensing import services
from licensing.models import BusinessClassification, BusinessLicense, LicenseOwner
from tests.factories import BusinessLicenseFactory, ContractorFactory, UserFactory

BUSINESS_FORM = {
    "classification": "",
    "business_name": "Harbor Light Books LLC",
    "dba": "Harbor Light Books",
    "ownership": "llc",
    "starts_business_on": "2026-03-01",
    "employees": "4",
    "gross_receipts": "$250,000",
    "state_license_number": "",
    "federal_ein": "12-3456789",
    "sellers_permit": "",
    "owners-TOTAL_FORMS": "2",
    "owners-INITIAL_FORMS": "0",
    "owners-MIN_NUM_FORMS": "0",
    "owners-MAX_NUM_FORMS": "20",
    "owners-0-name": "Mei Tanaka",
    "owners-0-title": "Managing member",
    "owners-1-name": "",
    "owners-1-title": "",
}
LOCATION_FORM = {
    "business_in_city": "yes",
    "business_address_line1": "28901 Western Ave",
    "business_address_line2": "Suite 4",
    "business_city": "Rancho Palos Verdes",
    "business_state": "ca",
    "business_postal_code": "90275",
    "mailing_same": "yes",
    "mailing_address_line1": "",
    "mailing_address_line2": "",
    "mailing_city": "",
    "mailing_state": "",
    "mailing_postal_code": "",
    "phone": "(310) 555 0177",
    "email": "books@example.org",
}


def step_url(license: BusinessLicense, step: str) -> str:
    return reverse("licensing:edit", args=[license.pk, step])


def business_form(classification: BusinessClassification, **changes) -> dict:
    return {**BUSINESS_FORM, "classification": str(classification.pk), **changes}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.fixture
def draft(owner) -> BusinessLicense:
    return services.license_draft_start(holder=owner)


# The apply page ------------------------------------------------------------------------


def test_the_apply_page_gives_each_fee_rule_in_words_and_the_office(
    client, owner, retail, contractor_class, home_occupation, professional, finance
):
    client.force_login(owner)

    page = client.get(reverse("licensing:apply")).content.decode()

    assert "<h1>Apply for New License</h1>" in page
    assert "$50 plus $10 per employee" in page
    assert "A flat fee of $75" in page and "A flat fee of $150" in page
    assert "$50 plus a fee by estimated annual gross receipts" in page
    assert "<td>Up to $100,000</td>" in page
    assert "<td>Over $100,000, up to $500,000</td>" in page
    assert "<td>Over $500,000</td>" in page and '<td class="text-end">$500</td>' in page
    assert "Twelve months from approval" in page
    assert "State disability access fee of $4.00" in page
    assert "Finance: Business Licenses and Cashier" in page
    assert 'href="tel:+13105445301"' in page and "finance@example.org" in page
    assert "Start an application" in page


def test_a_classification_the_city_no_longer_offers_is_not_listed(client, owner, retail):
    BusinessClassification.objects.create(name="Pawnbroker", is_active=False, base_fee=900)
    client.force_login(owner)

    page = client.get(reverse("licensing:apply")).content.decode()

    assert "Retail" in page and "Pawnbroker" not in page


def test_an_anonymous_visitor_is_sent_to_log_in(client, retail):
    response = client.get(reverse("licensing:apply"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("licensing:apply")).status_code == 302
    assert not BusinessLicense.objects.exists()


def test_starting_an_application_saves_a_draft_and_opens_its_first_step(client, owner):
    client.force_login(owner)

    response = client.post(reverse("licensing:apply"))

    license = BusinessLicense.objects.get(holder=owner)
    assert license.status == BusinessLicense.Status.DRAFT
    assert response["Location"] == step_url(license, "business")
    # What the account already says is filled in.
    assert license.phone == owner.phone and license.email == owner.email


def test_the_apply_page_lists_my_drafts_only(client, owner, draft):
    services.license_draft_start(holder=UserFactory(username="someone-else"))
    client.force_login(owner)

    page = client.get(reverse("licensing:apply")).content.decode()

    assert page.count(">Continue<") == 1
    assert f'href="{step_url(draft, "business")}"' in page
    assert f'href="{reverse("licensing:delete", args=[draft.pk])}"' in page


# A whole application ---------------------------------------------------------------------


def test_a_business_owner_applies_step_by_step_and_submits(
    client, owner, retail, finance, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    client.post(reverse("licensing:apply"))
    license = BusinessLicense.objects.get(holder=owner)

    first = client.get(step_url(license, "business")).content.decode()
    assert 'aria-current="step"' in first and "Business license application" in first
    assert "Step 1 of 3: The business" in first

    business = client.post(step_url(license, "business"), business_form(retail))
    assert business["Location"] == step_url(license, "location")
    location = client.post(step_url(license, "location"), LOCATION_FORM)
    assert location["Location"] == step_url(license, "review")

    review = client.get(step_url(license, "review")).content.decode()
    assert "Still missing" not in review
    assert "Business license tax: Retail (gross receipts of $250,000.00)" in review
    assert "$300.00" in review  # $50 base and the $250 tier
    assert "State disability access fee (SB 1186)" in review and "$4.00" in review
    assert '<td class="text-end fw-bold">$304.00</td>' in review
    assert "Mei Tanaka, Managing member" in review
    assert "Submit application" in review

    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(step_url(license, "review"))

    license.refresh_from_db()
    assert submitted["Location"] == reverse("licensing:detail", args=[license.pk])
    assert license.status == BusinessLicense.Status.SUBMITTED
    assert license.business_name == "Harbor Light Books LLC"
    assert license.gross_receipts == Decimal("250000.00") and license.employees == 4
    assert license.business_state == "CA" and license.phone == "310-555-0177"
    assert list(license.owners.values_list("name", "title")) == [("Mei Tanaka", "Managing member")]
    assert "Your application is submitted." in messages_of(submitted)[0]
    assert "finance@example.org" in [address for mail in mailoutbox for address in mail.to]


def test_save_draft_keeps_a_partial_step_and_goes_to_the_dashboard(client, owner, draft, retail):
    client.force_login(owner)
    data = {
        **dict.fromkeys(BUSINESS_FORM, ""),
        "business_name": "Half Done Bakery",
        "owners-TOTAL_FORMS": "2",
        "owners-INITIAL_FORMS": "0",
        "save_later": "1",
    }

    response = client.post(step_url(draft, "business"), data)

    draft.refresh_from_db()
    assert response["Location"] == reverse("accounts:dashboard")
    assert draft.business_name == "Half Done Bakery"
    assert draft.classification is None and draft.employees is None
    assert draft.draft_step == "business"
    assert "saved as a draft" in messages_of(response)[0]
    # Continuing the draft opens the step after the one saved.
    page = client.get(reverse("licensing:apply")).content.decode()
    assert f'href="{step_url(draft, "location")}"' in page


def test_continuing_requires_the_step_s_answers_and_saves_nothing(client, owner, draft, retail):
    client.force_login(owner)
    data = {**BUSINESS_FORM, "business_name": "", "ownership": "", "employees": ""}

    response = client.post(step_url(draft, "business"), data)

    assert response.status_code == 200
    assert errors_of(response, "classification") == ["This field is required."]
    assert errors_of(response, "business_name") == ["This field is required."]
    assert errors_of(response, "employees") == ["This field is required."]
    assert 'id="form-errors"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.draft_step == "" and not draft.owners.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("employees", "-3", "The number of employees cannot be negative."),
        ("employees", "three", "Enter the number of employees as a whole number, e.g. 3."),
        ("gross_receipts", "-100", "Gross receipts cannot be negative."),
        ("gross_receipts", "$-5,000", "Gross receipts cannot be negative."),
        ("gross_receipts", "999999999", "Enter receipts under $100,000,000."),
        ("federal_ein", "123456789", "An EIN is nine digits written as 12-3456789."),
        ("starts_business_on", "next spring", "Enter a date such as 2026-03-01."),
    ],
)
@pytest.mark.parametrize("save_later", [False, True])
def test_bad_business_answers_are_refused_beside_the_field_even_in_a_draft(
    client, owner, draft, retail, field, value, message, save_later
):
    client.force_login(owner)
    data = business_form(retail, **{field: value})
    if save_later:
        data["save_later"] = "1"

    response = client.post(step_url(draft, "business"), data)

    assert response.status_code == 200
    assert errors_of(response, field) == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    draft.refresh_from_db()
    assert draft.business_name == "" and draft.classification is None


def test_a_contractor_classification_needs_a_valid_state_license_number(
    client, owner, draft, contractor_class
):
    client.force_login(owner)

    missing = client.post(step_url(draft, "business"), business_form(contractor_class))
    malformed = client.post(
        step_url(draft, "business"),
        business_form(contractor_class, state_license_number="CA-0123", save_later="1"),
    )

    assert errors_of(missing, "state_license_number") == [
        "A contractor classification needs your state contractor license number."
    ]
    assert errors_of(malformed, "state_license_number") == [
        "A CSLB license number is digits only, such as 1029384, with no letters, spaces or "
        "leading zeros."
    ]
    draft.refresh_from_db()
    assert draft.classification is None

    valid = client.post(
        step_url(draft, "business"), business_form(contractor_class, state_license_number="1029384")
    )

    draft.refresh_from_db()
    assert valid.status_code == 302
    assert draft.classification == contractor_class and draft.state_license_number == "1029384"


def test_another_classification_ignores_a_state_license_number(client, owner, draft, retail):
    client.force_login(owner)

    response = client.post(
        step_url(draft, "business"), business_form(retail, state_license_number="n/a")
    )

    draft.refresh_from_db()
    assert response.status_code == 302 and draft.state_license_number == ""


def test_a_contractor_finds_their_state_license_number_filled_in(client, contractor_class):
    contractor = ContractorFactory(username="1029384", business_license=None)
    client.force_login(contractor)
    client.post(reverse("licensing:apply"))
    license = BusinessLicense.objects.get(holder=contractor)

    page = client.get(step_url(license, "business")).content.decode()

    assert 'name="state_license_number" value="1029384"' in page
    assert contractor.contractor_profile.business_name in page


def test_a_choice_that_is_not_offered_is_refused(client, owner, draft, retail):
    closed = BusinessClassification.objects.create(name="Pawnbroker", is_active=False)
    client.force_login(owner)

    response = client.post(step_url(draft, "business"), business_form(closed))

    assert errors_of(response, "classification") == ["Choose one of the classifications listed."]


def test_owners_need_at_least_one_name_and_a_title_needs_its_name(client, owner, draft, retail):
    client.force_login(owner)

    nobody = client.post(
        step_url(draft, "business"),
        business_form(retail, **{"owners-0-name": "", "owners-0-title": ""}),
    )
    title_only = client.post(
        step_url(draft, "business"),
        business_form(retail, **{"owners-0-name": "  ", "owners-0-title": "President"}),
    )

    assert nobody.status_code == title_only.status_code == 200
    assert "Name at least one owner, partner or officer." in nobody.content.decode()
    assert "Enter this person&#x27;s name, or clear their title." in title_only.content.decode()
    assert not LicenseOwner.objects.exists()


def test_owners_are_replaced_by_what_the_rows_say(client, owner, draft, retail):
    client.force_login(owner)
    client.post(
        step_url(draft, "business"),
        business_form(
            retail,
            **{"owners-1-name": "Sam Ortiz", "owners-1-title": "Member"},
        ),
    )
    page = client.get(step_url(draft, "business")).content.decode()
    # The two people entered, and two blank rows to add more without JavaScript.
    assert 'name="owners-TOTAL_FORMS" value="4"' in page

    client.post(
        step_url(draft, "business"),
        business_form(
            retail,
            **{
                "owners-TOTAL_FORMS": "4",
                "owners-INITIAL_FORMS": "2",
                "owners-0-name": "",
                "owners-0-title": "",
                "owners-1-name": "Sam Ortiz",
                "owners-1-title": "Member",
                "owners-2-name": "Ana Ruiz",
                "owners-2-title": "",
                "owners-3-name": "",
                "owners-3-title": "",
            },
        ),
    )

    assert list(draft.owners.values_list("name", flat=True)) == ["Sam Ortiz", "Ana Ruiz"]


def test_a_tampered_owners_form_is_refused_without_an_error_page(client, owner, draft, retail):
    client.force_login(owner)
    data = business_form(retail)
    del data["owners-TOTAL_FORMS"]

    response = client.post(step_url(draft, "business"), data)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.classification is None


def test_the_location_step_normalises_the_phone_and_checks_the_mailing_address(
    client, owner, draft
):
    client.force_login(owner)

    other_mail = client.post(step_url(draft, "location"), {**LOCATION_FORM, "mailing_same": "no"})
    bad = client.post(
        step_url(draft, "location"),
        {**LOCATION_FORM, "phone": "555-0177", "business_postal_code": "9027", "email": "books@"},
    )

    assert errors_of(other_mail, "mailing_address_line1") == [
        "Enter the mailing address, or choose the business address."
    ]
    assert errors_of(bad, "phone") == [
        "Enter a 10-digit phone number with its area code, such as 310-544-5280."
    ]
    assert errors_of(bad, "business_postal_code") == ["Enter a 5-digit ZIP code, e.g. 90275."]
    assert errors_of(bad, "email") == ["Enter a valid email address."]
    draft.refresh_from_db()
    assert draft.business_address_line1 == ""

    saved = client.post(step_url(draft, "location"), LOCATION_FORM)

    draft.refresh_from_db()
    assert saved["Location"] == step_url(draft, "review")
    assert draft.phone == "310-555-0177" and draft.business_state == "CA"
    assert draft.business_in_city is True and draft.mailing_same is True
    assert draft.mailing_address_line1 == ""


def test_a_separate_mailing_address_is_kept(client, owner, draft):
    client.force_login(owner)

    client.post(
        step_url(draft, "location"),
        {
            **LOCATION_FORM,
            "business_in_city": "no",
            "mailing_same": "no",
            "mailing_address_line1": "PO Box 112",
            "mailing_city": "Torrance",
            "mailing_state": "CA",
            "mailing_postal_code": "90501",
        },
    )

    draft.refresh_from_db()
    assert draft.business_in_city is False and draft.mailing_same is False
    assert draft.mailing_address_line1 == "PO Box 112" and draft.mailing_city == "Torrance"


# Review and submit ---------------------------------------------------------------------


def test_the_review_lists_what_is_missing_with_links_and_offers_no_submit(
    client, owner, draft, retail
):
    client.force_login(owner)
    client.post(
        step_url(draft, "business"),
        {**business_form(retail), "employees": "", "save_later": "1"},
    )

    page = client.get(step_url(draft, "review")).content.decode()

    assert "Still missing" in page
    assert (
        f'The number of employees: <a href="{step_url(draft, "business")}">'
        "add it in “The business”</a>" in page
    )
    assert (
        f'The business address: <a href="{step_url(draft, "location")}">'
        "add it in “Location and contact”</a>" in page
    )
    assert "Submit application" not in page
    assert "You can submit the application once everything listed above is done." in page


def test_submitting_an_incomplete_application_shows_why_and_changes_nothing(
    client, owner, draft, mailoutbox
):
    client.force_login(owner)

    response = client.post(step_url(draft, "review"))

    assert response.status_code == 200
    assert "The application is not complete: a classification;" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == BusinessLicense.Status.DRAFT and draft.submitted_at is None
    assert mailoutbox == []


def test_a_submitted_application_can_no_longer_be_edited(
    client, owner, retail, license_draft_complete
):
    license = license_draft_complete(owner, retail)
    services.license_submit(license=license, user=owner)
    client.force_login(owner)

    page = client.get(step_url(license, "business"))
    post = client.post(step_url(license, "business"), business_form(retail, business_name="New"))

    detail = reverse("licensing:detail", args=[license.pk])
    assert page["Location"] == post["Location"] == detail
    assert "can no longer be changed" in messages_of(post)[0]
    license.refresh_from_db()
    assert license.business_name == "Harbor Light Books LLC"


def test_an_info_request_is_answered_in_the_same_steps_and_resubmitted(
    client,
    owner,
    retail,
    licensing_clerk,
    license_draft_complete,
    finance,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    license = license_draft_complete(owner, retail)
    services.license_submit(license=license, user=owner)
    services.license_info_request(
        license=license, reviewer=licensing_clerk, message="Attach the seller's permit number."
    )
    client.force_login(owner)

    step = client.get(step_url(license, "business")).content.decode()
    assert "The business license office asks" in step
    assert "Attach the seller&#x27;s permit number." in step
    answered = client.post(
        step_url(license, "business"), business_form(retail, sellers_permit="123-456789")
    )
    assert answered.status_code == 302
    review = client.get(step_url(license, "review")).content.decode()
    assert "Submit the application again" in review
    with django_capture_on_commit_callbacks(execute=True):
        client.post(step_url(license, "review"))

    license.refresh_from_db()
    assert license.status == BusinessLicense.Status.SUBMITTED
    assert license.sellers_permit == "123-456789"
    # The reviewer who asked is told the answer is in.
    assert any("licensing-clerk@city.example" in mail.to for mail in mailoutbox)


# Renewals ------------------------------------------------------------------------------


@pytest.fixture
def expiring(owner, retail) -> BusinessLicense:
    """An active license of the owner's whose renewal window is open."""
    today = datetime.date.today()
    return BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2026-00001",
        starts_on=today - datetime.timedelta(days=300),
        expires_on=today + datetime.timedelta(days=20),
    )


def test_a_renewal_goes_through_the_same_steps_filled_in_and_says_there_is_no_penalty(
    client, owner, expiring, finance
):
    client.force_login(owner)

    started = client.post(reverse("licensing:renew", args=[expiring.pk]))
    renewal = BusinessLicense.objects.get(renewal_of=expiring)
    page = client.get(started["Location"]).content.decode()

    assert started["Location"] == step_url(renewal, "business")
    assert "<h1>Renew license BL2026-00001</h1>" in page
    assert f'value="{expiring.business_name}"' in page
    review = client.get(step_url(renewal, "review")).content.decode()
    assert "No late penalty" in review and "Late renewal penalty" not in review
    assert "Submit the renewal" in review

    client.post(step_url(renewal, "review"))

    renewal.refresh_from_db()
    assert renewal.status == BusinessLicense.Status.APPROVED  # same classification
    assert renewal.invoice.status == "due"


def test_a_late_renewal_says_the_penalty_applies_and_bills_it(client, owner, retail, finance):
    today = datetime.date.today()
    lapsed = BusinessLicenseFactory(
        holder=owner,
        classification=retail,
        number="BL2025-00007",
        status=BusinessLicense.Status.EXPIRED,
        starts_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=10),
    )
    client.force_login(owner)
    client.post(reverse("licensing:renew", args=[lapsed.pk]))
    renewal = BusinessLicense.objects.get(renewal_of=lapsed)

    review = client.get(step_url(renewal, "review")).content.decode()

    assert "so a late renewal penalty of 25% of the license tax is added" in review
    # 25% of the $150 tax (a $50 base and the $100 tier, receipts of $100,000).
    assert "Late renewal penalty (25% of the license tax)" in review and "$37.50" in review


# Others' applications, and requests that are not allowed ---------------------------------


def test_another_person_s_application_is_404_at_every_step_and_for_delete(
    client, owner, draft, retail
):
    stranger = UserFactory(username="stranger", email_verified=True)
    client.force_login(stranger)

    for step in ("business", "location", "review"):
        assert client.get(step_url(draft, step)).status_code == 404
        assert client.post(step_url(draft, step), business_form(retail)).status_code == 404
    assert client.get(reverse("licensing:delete", args=[draft.pk])).status_code == 404
    assert client.post(reverse("licensing:delete", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.business_name == "" and draft.status == BusinessLicense.Status.DRAFT


def test_an_unknown_step_is_404(client, owner, draft):
    client.force_login(owner)

    assert client.get(step_url(draft, "payment")).status_code == 404


def test_a_draft_is_deleted_after_confirmation(client, owner, draft):
    client.force_login(owner)

    confirm = client.get(reverse("licensing:delete", args=[draft.pk])).content.decode()
    deleted = client.post(reverse("licensing:delete", args=[draft.pk]))

    assert "Delete this draft?" in confirm
    assert deleted["Location"] == reverse("licensing:apply")
    assert not BusinessLicense.objects.filter(pk=draft.pk).exists()


def test_only_a_draft_can_be_deleted(client, owner, retail, license_draft_complete):
    license = license_draft_complete(owner, retail)
    services.license_submit(license=license, user=owner)
    client.force_login(owner)

    assert client.post(reverse("licensing:delete", args=[license.pk])).status_code == 404
    assert BusinessLicense.objects.filter(pk=license.pk).exists()


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_the_apply_page_takes_a_fixed_number_of_queries(
    client, owner, retail, professional, home_occupation, finance, django_assert_max_num_queries
):
    for _ in range(4):
        services.license_draft_start(holder=owner)
    client.force_login(owner)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("licensing:apply")).content.decode()

    assert page.count(">Continue<") == 4


def test_a_contractor_applies_with_their_own_state_license_number_only(client, contractor_class):
    contractor = ContractorFactory(username="2468013", business_license=None, email_verified=True)
    draft = services.license_draft_start(holder=contractor)
    client.force_login(contractor)

    other = client.post(
        step_url(draft, "business"), business_form(contractor_class, state_license_number="1029384")
    )
    assert errors_of(other, "state_license_number") == [
        "Enter your own state license number, 2468013, the one you sign in with."
    ]
    draft.refresh_from_db()
    assert draft.classification is None

    own = client.post(
        step_url(draft, "business"), business_form(contractor_class, state_license_number="2468013")
    )
    draft.refresh_from_db()
    assert own.status_code == 302 and draft.state_license_number == "2468013"
