"""The business license office's side in the admin: classifications and the licensing
settings as data, the review queue with its filters and search, and the buttons and
actions that move an application on through the services."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from licensing import services
from licensing.certificate import license_certificate_store
from licensing.models import BusinessClassification, BusinessLicense, LicensingSettings
from portal.selectors import city_localdate
from tests.factories import BusinessLicenseFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/licensing/businesslicense/"
CLASSIFICATIONS = "/admin/licensing/businessclassification/"
SETTINGS = "/admin/licensing/licensingsettings/"


def group_member(username: str, group: str):
    """Staff whose rights come from their group alone, as a city sets them up."""
    user = UserFactory(username=username, is_staff=True, account_type="staff")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def cashier(db):
    """A Finance clerk with the group's rights and nothing else."""
    return group_member("cashier", "Finance")


@pytest.fixture
def staff(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture(params=["superuser", "finance"])
def any_staff(request, client, cashier, django_user_model):
    """A superuser, then a Finance clerk: every page opens for both."""
    if request.param == "superuser":
        user = django_user_model.objects.create_superuser("boss", "boss@city.example", "x")
    else:
        user = cashier
    client.force_login(user)
    return client


def draft_of(holder, classification, **fields) -> BusinessLicense:
    """A complete application not yet submitted."""
    return BusinessLicenseFactory(
        holder=holder,
        classification=classification,
        status=BusinessLicense.Status.DRAFT,
        number="",
        starts_on=None,
        expires_on=None,
        **fields,
    )


def submitted(holder, classification, **fields) -> BusinessLicense:
    return services.license_submit(license=draft_of(holder, classification, **fields), user=holder)


def change_url(license: BusinessLicense) -> str:
    return f"{QUEUE}{license.pk}/change/"


def step_url(license: BusinessLicense, step: str) -> str:
    return f"{QUEUE}{license.pk}/review/{step}/"


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(response) -> list[int]:
    return [license.pk for license in response.context["cl"].result_list]


def reloaded(license: BusinessLicense) -> BusinessLicense:
    return BusinessLicense.objects.get(pk=license.pk)


# Every page opens ---------------------------------------------------------------------


def test_every_licensing_admin_page_opens_for_superuser_and_finance(
    any_staff, owner, retail, home_occupation, licensing_clerk, settings
):
    draft = draft_of(owner, retail)
    waiting = submitted(owner, retail, business_name="Waiting Shop")
    reviewing = services.license_review_start(
        license=submitted(owner, home_occupation), reviewer=licensing_clerk
    )
    fees_due = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)
    active = BusinessLicenseFactory(holder=owner, classification=retail, number="BL2026-00009")
    license_certificate_store(license_id=active.pk)
    renewal = draft_of(owner, retail, renewal_of=active)

    pages = [
        "/admin/",
        "/admin/licensing/",
        QUEUE,
        f"{QUEUE}?status__exact=submitted",
        f"{QUEUE}?expiry=soon",
        f"{QUEUE}?expiry=expired",
        f"{QUEUE}?kind=renewal",
        f"{QUEUE}?kind=new",
        f"{QUEUE}?business_in_city__exact=0",
        f"{QUEUE}?classification__id__exact={retail.pk}",
        f"{QUEUE}?q=bl2026+9",
        *(
            change_url(license)
            for license in (draft, waiting, reviewing, fees_due, active, renewal)
        ),
        f"{QUEUE}{waiting.pk}/history/",
        step_url(waiting, "start-review"),
        step_url(waiting, "deny"),
        step_url(reviewing, "request-information"),
        step_url(reviewing, "approve"),
        CLASSIFICATIONS,
        f"{CLASSIFICATIONS}add/",
        f"{CLASSIFICATIONS}{retail.pk}/change/",
        f"{CLASSIFICATIONS}{retail.pk}/history/",
        f"{SETTINGS}{LicensingSettings.current().pk}/change/",
    ]
    for page in pages:
        response = any_staff.get(page)
        assert response.status_code == 200, page

    version = waiting.history.earliest()
    assert any_staff.get(f"{QUEUE}{waiting.pk}/history/{version.history_id}/").status_code == 200
    assert any_staff.get(SETTINGS).status_code == 302
    certificate = any_staff.get(f"{QUEUE}{active.pk}/certificate/")
    assert certificate.status_code == 200
    assert certificate["Content-Type"] == "application/pdf"
    assert b"".join(certificate.streaming_content).startswith(b"%PDF-")


def test_the_permit_center_looks_licenses_up_but_cannot_decide(client, owner, retail):
    permit_center = group_member("counter", "Permit Center")
    client.force_login(permit_center)
    waiting = submitted(owner, retail)

    assert client.get(QUEUE).status_code == 200
    page = client.get(change_url(waiting))
    assert page.status_code == 200
    assert step_url(waiting, "approve") not in page.content.decode()
    assert client.get(step_url(waiting, "approve")).status_code == 403
    assert client.post(step_url(waiting, "approve")).status_code == 403
    response = client.post(QUEUE, {"action": "approve", "_selected_action": [waiting.pk]})
    assert reloaded(waiting).status == BusinessLicense.Status.SUBMITTED
    assert response.status_code == 200  # the action is not offered: the list comes back
    assert client.get(CLASSIFICATIONS).status_code == 403


def test_the_queue_lists_in_a_fixed_number_of_queries(
    staff, owner, retail, home_occupation, django_assert_max_num_queries
):
    for number in range(12):
        submitted(owner, retail if number % 2 else home_occupation, business_name=f"Shop {number}")
        BusinessLicenseFactory(classification=retail, number=f"BL2026-{number + 1:05d}")

    with django_assert_max_num_queries(12):
        response = staff.get(QUEUE)

    assert response.status_code == 200
    assert len(listed(response)) == 24


# The change page ----------------------------------------------------------------------


def test_the_license_page_shows_the_application_owners_and_would_be_fees_read_only(
    staff, owner, retail
):
    waiting = submitted(
        owner,
        retail,
        business_name="Delgado Hardware LLC",
        dba="Harbor Hardware",
        gross_receipts=Decimal("250000.00"),
        mailing_same=False,
        mailing_address_line1="PO Box 12",
        mailing_city="Palos Verdes Peninsula",
        mailing_state="CA",
        mailing_postal_code="90274",
    )

    page = staff.get(change_url(waiting)).content.decode()

    assert "Delgado Hardware LLC" in page and "Harbor Hardware" in page
    assert "PO Box 12<br>Palos Verdes Peninsula, CA 90274" in page
    assert "Rosa Delgado" in page and "Owner" in page  # the owner, inline
    assert "What approval would bill" in page
    assert "Business license tax: Retail (gross receipts of $250,000.00)" in page
    assert "$300.00" in page  # $50 base and the $250 tier
    assert "$304.00" in page  # with the State fee
    assert step_url(waiting, "start-review") in page
    assert step_url(waiting, "approve") in page
    assert step_url(waiting, "deny") in page
    for field in ("status", "business_name", "dba", "gross_receipts", "name"):
        assert f'name="{field}"' not in page


def test_an_approved_license_links_its_invoice_and_offers_only_deny(
    staff, owner, retail, licensing_clerk
):
    fees_due = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)

    page = staff.get(change_url(fees_due)).content.decode()

    assert f"/admin/payments/invoice/{fees_due.invoice_id}/change/" in page
    assert "Billed: Due" in page
    assert "$154.00" in page
    assert step_url(fees_due, "deny") in page
    assert step_url(fees_due, "approve") not in page


def test_the_cashier_records_a_counter_payment_and_the_license_becomes_active(
    staff, owner, retail, licensing_clerk, django_capture_on_commit_callbacks
):
    fees_due = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)
    counter = f"{QUEUE}{fees_due.pk}/counter-payment/"
    assert counter in staff.get(change_url(fees_due)).content.decode()
    form = staff.get(counter).content.decode()
    assert "$154.00" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            counter, {"method": "check", "receipt_number": "CHK-1042"}, follow=True
        )

    license = reloaded(fees_due)
    assert license.status == BusinessLicense.Status.ACTIVE
    assert license.invoice.status == "paid"
    assert license.certificate
    assert (
        f"Recorded check payment of $154.00, receipt CHK-1042. License {license.number} is "
        "active." in page_messages(response)
    )
    assert counter not in staff.get(change_url(license)).content.decode()


def test_a_counter_payment_before_approval_or_without_a_receipt_changes_nothing(
    staff, owner, retail, licensing_clerk
):
    waiting = submitted(owner, retail)
    response = staff.post(
        f"{QUEUE}{waiting.pk}/counter-payment/",
        {"method": "cash", "receipt_number": "R-1"},
        follow=True,
    )
    assert "No fees are due." in page_messages(response)
    assert reloaded(waiting).status == BusinessLicense.Status.SUBMITTED

    fees_due = services.license_approve(license=waiting, reviewer=licensing_clerk)
    response = staff.post(f"{QUEUE}{fees_due.pk}/counter-payment/", {"method": "cash"})
    assert response.status_code == 200
    assert response.context["form"].errors["receipt_number"]
    assert reloaded(fees_due).status == BusinessLicense.Status.APPROVED


def test_an_inspector_cannot_record_a_license_payment(client, owner, retail, licensing_clerk):
    fees_due = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)
    client.force_login(group_member("inspector", "Inspector"))
    response = client.post(
        f"{QUEUE}{fees_due.pk}/counter-payment/", {"method": "cash", "receipt_number": "R-2"}
    )
    assert response.status_code == 403
    assert reloaded(fees_due).status == BusinessLicense.Status.APPROVED


def test_staff_cannot_change_an_application_by_posting_its_form(staff, owner, retail):
    waiting = submitted(owner, retail, business_name="Original Name")

    response = staff.post(
        change_url(waiting), {"business_name": "Changed", "status": "active", "_save": "Save"}
    )

    assert response.status_code == 403
    waiting = reloaded(waiting)
    assert (waiting.business_name, waiting.status) == ("Original Name", "submitted")


# The queue ----------------------------------------------------------------------------


def test_the_queue_puts_the_oldest_waiting_application_first(staff, owner, retail):
    now = timezone.now()
    active = BusinessLicenseFactory(classification=retail, number="BL2026-00001")
    BusinessLicense.objects.filter(pk=active.pk).update(submitted_at=now - datetime.timedelta(365))
    newer = submitted(owner, retail)
    older = submitted(owner, retail)
    BusinessLicense.objects.filter(pk=older.pk).update(submitted_at=now - datetime.timedelta(3))
    draft = draft_of(owner, retail)

    order = listed(staff.get(QUEUE))

    assert order[:2] == [older.pk, newer.pk]
    assert set(order[2:]) == {active.pk, draft.pk}


def test_the_queue_filters_by_expiry_renewal_and_location(staff, owner, retail):
    today = city_localdate()
    soon = BusinessLicenseFactory(
        classification=retail,
        number="BL2026-00001",
        expires_on=today + datetime.timedelta(days=20),
        business_in_city=False,
    )
    later = BusinessLicenseFactory(
        classification=retail, number="BL2026-00002", expires_on=today + datetime.timedelta(90)
    )
    lapsed = BusinessLicenseFactory(
        classification=retail,
        number="BL2026-00003",
        status=BusinessLicense.Status.EXPIRED,
        starts_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=10),
    )
    not_yet_marked = BusinessLicenseFactory(
        classification=retail,
        number="BL2026-00004",
        starts_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=1),
    )
    renewal = draft_of(owner, retail, renewal_of=lapsed)

    assert listed(staff.get(QUEUE, {"expiry": "soon"})) == [soon.pk]
    assert set(listed(staff.get(QUEUE, {"expiry": "expired"}))) == {lapsed.pk, not_yet_marked.pk}
    assert listed(staff.get(QUEUE, {"kind": "renewal"})) == [renewal.pk]
    assert renewal.pk not in listed(staff.get(QUEUE, {"kind": "new"}))
    assert later.pk in listed(staff.get(QUEUE, {"kind": "new"}))
    assert listed(staff.get(QUEUE, {"business_in_city__exact": "0"})) == [soon.pk]
    for forged in ("nonsense", "'; drop", ""):
        assert staff.get(QUEUE, {"expiry": forged, "kind": forged}).status_code == 200


@pytest.mark.parametrize(
    "query", ["BL2026-00042", "bl2026-42", "BL 2026 00042", "bl202600042", "2026-00042"]
)
def test_the_queue_finds_a_license_by_its_number_however_typed(staff, retail, query):
    wanted = BusinessLicenseFactory(classification=retail, number="BL2026-00042")
    BusinessLicenseFactory(classification=retail, number="BL2026-00041")
    BusinessLicenseFactory(classification=retail, number="BL2025-00042")

    assert listed(staff.get(QUEUE, {"q": query})) == [wanted.pk]


@pytest.mark.parametrize("query", ["harbor", "Delgado Hardware", "sandpiper", "sandpiper@example"])
def test_the_queue_finds_a_license_by_name_dba_or_holder(staff, retail, query):
    holder = UserFactory(username="sandpiper", email="sandpiper@example.org")
    wanted = BusinessLicenseFactory(
        holder=holder,
        classification=retail,
        business_name="Delgado Hardware LLC",
        dba="Harbor Hardware",
    )
    BusinessLicenseFactory(classification=retail, business_name="Other Shop")

    assert listed(staff.get(QUEUE, {"q": query})) == [wanted.pk]


# The buttons --------------------------------------------------------------------------


def test_requesting_information_needs_a_message_and_then_tells_the_applicant(
    staff, cashier, owner, retail, django_capture_on_commit_callbacks
):
    waiting = submitted(owner, retail)

    form = staff.get(step_url(waiting, "request-information")).content.decode()
    assert "What should the applicant add or correct?" in form
    refused = staff.post(step_url(waiting, "request-information"), {"message": "   "})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert reloaded(waiting).status == BusinessLicense.Status.SUBMITTED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            step_url(waiting, "request-information"),
            {"message": "Send a copy of the lease for the shop."},
        )

    assert response.status_code == 302
    assert response["Location"] == change_url(waiting)
    waiting = reloaded(waiting)
    assert waiting.status == BusinessLicense.Status.INFO_REQUESTED
    assert waiting.staff_message == "Send a copy of the lease for the shop."
    assert waiting.reviewer == cashier
    assert waiting.history.latest().history_user == cashier
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "Send a copy of the lease for the shop." in message.body
    followed = staff.get(response["Location"])
    assert "Information requested; the applicant has been emailed." in page_messages(followed)


def test_each_step_asks_for_its_message_with_its_own_words(staff, owner, retail):
    waiting = submitted(owner, retail)

    def message_field(step: str):
        return staff.get(step_url(waiting, step)).context["form"].fields.get("message")

    for step, label in (
        ("request-information", "What should the applicant add or correct?"),
        ("deny", "Reason for the denial"),
    ):
        field = message_field(step)
        assert (field.label, field.required) == (label, True)
        assert field.help_text == "The applicant reads it on the license page and in an email."
    assert message_field("start-review") is None


def test_denying_needs_a_reason_and_voids_the_fees(staff, cashier, owner, retail, licensing_clerk):
    fees_due = services.license_approve(license=submitted(owner, retail), reviewer=licensing_clerk)

    refused = staff.post(step_url(fees_due, "deny"), {"message": ""})
    assert refused.status_code == 200
    assert reloaded(fees_due).status == BusinessLicense.Status.APPROVED

    staff.post(step_url(fees_due, "deny"), {"message": "The business is not allowed in a home."})

    fees_due = reloaded(fees_due)
    assert fees_due.status == BusinessLicense.Status.DENIED
    assert fees_due.staff_message == "The business is not allowed in a home."
    assert fees_due.invoice.status == "void"
    assert fees_due.history.latest().history_user == cashier


def test_a_step_the_status_does_not_allow_is_refused_with_the_services_message(staff, retail):
    active = BusinessLicenseFactory(classification=retail, number="BL2026-00005")

    assert step_url(active, "deny") not in staff.get(change_url(active)).content.decode()
    response = staff.post(step_url(active, "deny"), {"message": "Forged."}, follow=True)

    assert page_messages(response) == ["This application is “Active”, so that can't be done now."]
    active = reloaded(active)
    assert (active.status, active.staff_message) == (BusinessLicense.Status.ACTIVE, "")


def test_an_unknown_step_or_license_is_not_found(staff, owner, retail):
    waiting = submitted(owner, retail)

    assert staff.get(step_url(waiting, "activate")).status_code == 404
    assert staff.get(f"{QUEUE}987654/review/approve/").status_code == 404
    assert staff.get(f"{QUEUE}{waiting.pk}/certificate/").status_code == 404


def test_start_review_and_approve_buttons_confirm_then_run(staff, cashier, owner, retail):
    waiting = submitted(owner, retail)

    assert staff.get(step_url(waiting, "start-review")).status_code == 200
    assert reloaded(waiting).status == BusinessLicense.Status.SUBMITTED
    started = staff.post(step_url(waiting, "start-review"), follow=True)
    assert reloaded(waiting).status == BusinessLicense.Status.IN_REVIEW
    assert page_messages(started) == ["The review has started; you are its reviewer."]
    response = staff.post(step_url(waiting, "approve"), follow=True)

    waiting = reloaded(waiting)
    assert waiting.status == BusinessLicense.Status.APPROVED
    assert waiting.reviewer == cashier
    assert waiting.invoice.status == "due"
    assert page_messages(response) == [
        "Approved; the fees are now due and the applicant has been emailed."
    ]


# Bulk actions -------------------------------------------------------------------------


def test_bulk_start_review_changes_the_waiting_and_names_the_refused(staff, cashier, owner, retail):
    first = submitted(owner, retail, business_name="First Shop")
    second = submitted(owner, retail, business_name="Second Shop")
    draft = draft_of(owner, retail, business_name="Draft Shop")

    response = staff.post(
        QUEUE,
        {"action": "start_review", "_selected_action": [first.pk, second.pk, draft.pk]},
        follow=True,
    )

    assert [reloaded(license).status for license in (first, second, draft)] == [
        "in_review",
        "in_review",
        "draft",
    ]
    assert reloaded(first).reviewer == cashier
    notes = page_messages(response)
    assert "Draft Shop: This application is “Draft”, so that can't be done now." in notes
    assert "Started the review of 2 applications." in notes


def test_bulk_approve_makes_the_fees_due(staff, owner, retail, home_occupation):
    shop = submitted(owner, retail)
    home = submitted(owner, home_occupation)

    response = staff.post(
        QUEUE, {"action": "approve", "_selected_action": [shop.pk, home.pk]}, follow=True
    )

    assert {reloaded(license).status for license in (shop, home)} == {"approved"}
    assert reloaded(home).invoice.total == Decimal("79.00")
    assert "Approved 2 applications; the applicants have been emailed." in page_messages(response)


def test_bulk_approve_refuses_a_license_already_decided(staff, retail):
    active = BusinessLicenseFactory(classification=retail, number="BL2026-00011")

    response = staff.post(
        QUEUE, {"action": "approve", "_selected_action": [active.pk]}, follow=True
    )

    assert page_messages(response) == [
        "BL2026-00011: This application is “Active”, so that can't be done now."
    ]
    assert reloaded(active).invoice is None


# Classifications and settings ---------------------------------------------------------


def classification_post(**overrides) -> dict:
    data = {
        "name": "Food service",
        "description": "Restaurants and cafés.",
        "fee_kind": "gross_receipts",
        "base_fee": "40.00",
        "per_employee_fee": "0",
        "period": "calendar_year",
        "is_active": "on",
        "order": "5",
        "receipts_tiers-TOTAL_FORMS": "2",
        "receipts_tiers-INITIAL_FORMS": "0",
        "receipts_tiers-MIN_NUM_FORMS": "0",
        "receipts_tiers-MAX_NUM_FORMS": "1000",
        "receipts_tiers-0-receipts_up_to": "200000",
        "receipts_tiers-0-fee": "100",
        "receipts_tiers-1-receipts_up_to": "",
        "receipts_tiers-1-fee": "300",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def form_errors(response) -> str:
    errors = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        errors.append(inline.formset.non_form_errors())
        errors += [error for form_errors in inline.formset.errors for error in form_errors.values()]
    return " ".join(message for error_list in errors for message in error_list)


def test_finance_adds_a_gross_receipts_classification_with_its_tiers(staff):
    response = staff.post(f"{CLASSIFICATIONS}add/", classification_post())

    assert response.status_code == 302
    food = BusinessClassification.objects.get(name="Food service")
    assert [(tier.receipts_up_to, tier.fee) for tier in food.receipts_tiers.all()] == [
        (Decimal("200000.00"), Decimal("100.00")),
        (None, Decimal("300.00")),
    ]


def test_a_gross_receipts_classification_without_a_top_tier_is_refused(staff):
    response = staff.post(
        f"{CLASSIFICATIONS}add/",
        classification_post(**{"receipts_tiers-1-receipts_up_to": "500000"}),
    )

    assert response.status_code == 200
    assert "needs a top tier" in form_errors(response)
    assert not BusinessClassification.objects.filter(name="Food service").exists()


def test_two_top_tiers_are_refused(staff):
    response = staff.post(
        f"{CLASSIFICATIONS}add/",
        classification_post(**{"receipts_tiers-0-receipts_up_to": ""}),
    )

    assert "Only one tier can be the top tier" in form_errors(response)
    assert not BusinessClassification.objects.filter(name="Food service").exists()


def test_tiers_on_a_flat_fee_classification_are_refused_until_deleted(staff, retail):
    tiers = list(retail.receipts_tiers.all())
    data = classification_post(
        name="Retail",
        fee_kind="flat",
        **{
            "receipts_tiers-TOTAL_FORMS": "3",
            "receipts_tiers-INITIAL_FORMS": "3",
            **{
                f"receipts_tiers-{index}-{key}": value
                for index, tier in enumerate(tiers)
                for key, value in (
                    ("id", str(tier.pk)),
                    ("classification", str(retail.pk)),
                    ("receipts_up_to", "" if tier.receipts_up_to is None else tier.receipts_up_to),
                    ("fee", str(tier.fee)),
                )
            },
        },
    )

    refused = staff.post(f"{CLASSIFICATIONS}{retail.pk}/change/", data)

    assert "Only the gross-receipts fee rule uses tiers" in form_errors(refused)
    retail.refresh_from_db()
    assert retail.fee_kind == "gross_receipts"

    for index in range(3):
        data[f"receipts_tiers-{index}-DELETE"] = "on"
    accepted = staff.post(f"{CLASSIFICATIONS}{retail.pk}/change/", data)

    assert accepted.status_code == 302
    retail.refresh_from_db()
    assert retail.fee_kind == "flat"
    assert not retail.receipts_tiers.exists()


def test_a_fee_per_employee_on_another_rule_is_refused(staff):
    response = staff.post(
        f"{CLASSIFICATIONS}add/",
        classification_post(
            fee_kind="flat",
            per_employee_fee="12.00",
            **{"receipts_tiers-TOTAL_FORMS": "0"},
        ),
    )

    assert "Only the per-employee fee rule charges a fee per employee" in form_errors(response)
    assert not BusinessClassification.objects.filter(name="Food service").exists()


def test_the_licensing_settings_are_one_row_finance_changes_but_never_adds_or_deletes(
    staff, cashier, finance
):
    rules = LicensingSettings.current()

    assert staff.get(f"{SETTINGS}add/").status_code == 403
    assert staff.get(f"{SETTINGS}{rules.pk}/delete/").status_code == 403
    response = staff.post(
        f"{SETTINGS}{rules.pk}/change/",
        {
            "state_fee": "4.00",
            "late_penalty_percent": "10",
            "late_renewal_days": "90",
            "department": str(finance.pk),
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    rules = LicensingSettings.current()
    assert (rules.late_penalty_percent, rules.late_renewal_days) == (Decimal(10), 90)
    assert rules.history.latest().history_user == cashier
    assert LicensingSettings.objects.count() == 1


def test_the_first_settings_saved_in_the_admin_are_the_ones_the_portal_reads(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    LicensingSettings.objects.all().delete()

    client.post(
        f"{SETTINGS}add/",
        {"state_fee": "5.00", "late_penalty_percent": "25", "late_renewal_days": "180"},
    )

    assert LicensingSettings.current().state_fee == Decimal("5.00")
    assert LicensingSettings.objects.count() == 1
    assert client.get(f"{SETTINGS}add/").status_code == 403
