"""The Permit Center's side in the admin: permit types as data, the review queue, and the
buttons that move a permit on through the services."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import FeeLine, Invoice, Payment
from payments.services import payment_record_counter
from permits import services
from permits.models import FeeRule, Permit, PermitField, PermitType, RequiredDocument
from permits.selectors import permit_types_for
from tests.factories import UserFactory
from tests.permits.support import SITE, pdf_upload, permit_submitted

pytestmark = pytest.mark.django_db

QUEUE = "/admin/permits/permit/"


@pytest.fixture
def staff(client, clerk):
    """The test client, logged in as the Permit Center clerk."""
    client.force_login(clerk)
    return client


@pytest.fixture(params=["superuser", "clerk"])
def any_staff(request, client, clerk, django_user_model):
    """A superuser, then a Permit Center clerk: every page opens for both."""
    if request.param == "superuser":
        user = django_user_model.objects.create_superuser("boss", "boss@city.example", "x")
    else:
        user = clerk
    client.force_login(user)
    return client


def form_errors(response) -> str:
    """Every error of the admin form and its inlines, as plain text."""
    error_dicts = [response.context["adminform"].form.errors]
    error_lists = []
    for inline in response.context["inline_admin_formsets"]:
        error_dicts += inline.formset.errors
        error_lists.append(inline.formset.non_form_errors())
    error_lists += [errors for error_dict in error_dicts for errors in error_dict.values()]
    return " ".join(message for errors in error_lists for message in errors)


def change_url(permit: Permit) -> str:
    return f"{QUEUE}{permit.pk}/change/"


def step_url(permit: Permit, step: str) -> str:
    return f"{QUEUE}{permit.pk}/review/{step}/"


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def listed(response) -> set[str]:
    return {permit.number for permit in response.context["cl"].result_list}


def in_review(applicant, prefix: str, reviewer) -> Permit:
    permit = permit_submitted(applicant, prefix)
    return services.permit_review_start(permit=permit, reviewer=reviewer)


def approved(applicant, prefix: str, reviewer) -> Permit:
    permit = in_review(applicant, prefix, reviewer)
    return services.permit_approve(permit=permit, reviewer=reviewer)


# Every page opens -------------------------------------------------------------------------


def test_every_permit_admin_page_opens_for_superuser_and_clerk(
    any_staff, homeowner, clerk, django_capture_on_commit_callbacks
):
    submitted = permit_submitted(homeowner, "HAUL")
    reviewing = in_review(homeowner, "FILM", clerk)
    fees_due = approved(homeowner, "DMPR", clerk)
    issued = permit_submitted(homeowner, "WHTR")  # over the counter: approved at once
    draft = services.permit_draft_start(
        applicant=homeowner, permit_type=PermitType.objects.get(code_prefix="DMPR"), site=SITE
    )
    line = fees_due.invoice.lines.first()
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_counter(
            invoice=issued.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
        )
    permit_type = PermitType.objects.get(code_prefix="RERF")
    rule = permit_type.fee_rules.first()
    document = submitted.documents.first()

    pages = [
        "/admin/",
        "/admin/permits/",
        QUEUE,
        f"{QUEUE}?status__exact=submitted",
        f"{QUEUE}?reviewer=me",
        f"{QUEUE}?q=RERF",
        change_url(submitted),
        change_url(reviewing),
        change_url(fees_due),
        change_url(issued),
        change_url(draft),
        f"{QUEUE}{submitted.pk}/history/",
        step_url(submitted, "start-review"),
        step_url(submitted, "deny"),
        step_url(reviewing, "request-corrections"),
        step_url(reviewing, "approve"),
        f"{QUEUE}{fees_due.pk}/counter-payment/",
        f"{QUEUE}{fees_due.pk}/fees/add/",
        f"{QUEUE}{fees_due.pk}/fees/{line.pk}/adjust/",
        "/admin/permits/permittype/",
        "/admin/permits/permittype/add/",
        f"/admin/permits/permittype/{permit_type.pk}/change/",
        f"/admin/permits/permittype/{permit_type.pk}/history/",
        "/admin/permits/feerule/",
        "/admin/permits/feerule/add/",
        f"/admin/permits/feerule/{rule.pk}/change/",
        "/admin/permits/permitcategory/",
    ]
    for page in pages:
        response = any_staff.get(page)
        assert response.status_code == 200, page

    version = submitted.history.earliest()
    assert any_staff.get(f"{QUEUE}{submitted.pk}/history/{version.history_id}/").status_code == 200
    download = any_staff.get(f"{QUEUE}{submitted.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    pdf = any_staff.get(f"{QUEUE}{issued.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_permit_page_shows_fees_documents_and_timeline(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)

    page = staff.get(change_url(permit)).content.decode()

    for line in permit.invoice.lines.all():
        assert line.description in page
    assert f"${permit.invoice.total}" in page
    for document in permit.documents.all():
        assert f"{QUEUE}{permit.pk}/documents/{document.pk}/" in page
        assert document.original_name in page
    assert "In review" in page and "Submitted" in page
    assert step_url(permit, "approve") in page
    assert step_url(permit, "request-corrections") in page
    assert step_url(permit, "start-review") not in page
    # What the applicant entered is shown, never as a form field.
    assert "Hawthorne Blvd to Palos Verdes Dr N" in page
    assert 'name="status"' not in page and 'name="site_address"' not in page


# The queue ----------------------------------------------------------------------------------


def queue_permit(prefix: str, status: str, number: str, **fields) -> Permit:
    applicant = fields.pop("applicant", None) or UserFactory()
    return Permit.objects.create(
        permit_type=PermitType.objects.get(code_prefix=prefix),
        status=status,
        number=number,
        number_compact=number.replace("-", ""),
        applicant=applicant,
        site_address=fields.pop("site_address", "30940 Hawthorne Blvd"),
        site_city="Rancho Palos Verdes",
        site_postal_code="90275",
        submitted_at=fields.pop("submitted_at", timezone.now()),
        **fields,
    )


def test_the_queue_filters_by_status_type_reviewer_and_submitted_date(staff, clerk, demo_city):
    colleague = UserFactory(username="ana", is_staff=True, account_type="staff")
    long_ago = timezone.now() - datetime.timedelta(days=60)
    queue_permit("RERF", Permit.Status.SUBMITTED, "RERF2026-0001")
    queue_permit("RERF", Permit.Status.IN_REVIEW, "RERF2026-0002", reviewer=clerk)
    queue_permit("EPNL", Permit.Status.IN_REVIEW, "EPNL2026-0001", reviewer=colleague)
    queue_permit("EPNL", Permit.Status.SUBMITTED, "EPNL2026-0002", submitted_at=long_ago)
    rerf = PermitType.objects.get(code_prefix="RERF")

    assert listed(staff.get(QUEUE, {"status__exact": "in_review"})) == {
        "RERF2026-0002",
        "EPNL2026-0001",
    }
    assert listed(staff.get(QUEUE, {"permit_type__id__exact": rerf.pk})) == {
        "RERF2026-0001",
        "RERF2026-0002",
    }
    assert listed(staff.get(QUEUE, {"reviewer": "me"})) == {"RERF2026-0002"}
    assert listed(staff.get(QUEUE, {"reviewer": "none"})) == {"RERF2026-0001", "EPNL2026-0002"}
    assert listed(staff.get(QUEUE, {"reviewer": colleague.pk})) == {"EPNL2026-0001"}
    this_week = staff.get(
        QUEUE,
        {
            "submitted_at__gte": str(timezone.now() - datetime.timedelta(days=7)),
            "submitted_at__lt": str(timezone.now() + datetime.timedelta(days=1)),
        },
    )
    assert listed(this_week) == {"RERF2026-0001", "RERF2026-0002", "EPNL2026-0001"}
    for forged in ("nobody'; drop", "²", "-1", "99999999999999999999999"):
        assert staff.get(QUEUE, {"reviewer": forged}).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("RERF2026-0001", {"RERF2026-0001"}),
        ("rerf2026 0001", {"RERF2026-0001"}),
        ("Crest Rd", {"RERF2026-0002"}),
        ("mei@example.org", {"RERF2026-0002"}),
        ("Nakamura", {"RERF2026-0002"}),
        ("7654321", {"RERF2026-0001"}),
        ("Summit Electric", {"RERF2026-0001"}),
    ],
)
def test_the_queue_searches_number_address_applicant_and_contractor(
    staff, demo_city, query, expected
):
    queue_permit(
        "RERF",
        Permit.Status.SUBMITTED,
        "RERF2026-0001",
        contractor_license_number="7654321",
        contractor_business_name="Summit Electric",
    )
    queue_permit(
        "RERF",
        Permit.Status.SUBMITTED,
        "RERF2026-0002",
        site_address="5 Crest Rd",
        applicant=UserFactory(username="mei", last_name="Nakamura", email="mei@example.org"),
    )

    assert listed(staff.get(QUEUE, {"q": query})) == expected


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own: another test run sharing Redis may empty it mid-count,
    and the city profile read from the database would then add a query."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_the_queue_takes_the_same_queries_however_many_permits(
    staff, demo_city, django_assert_max_num_queries, private_cache
):
    def add_permits(first: int, count: int) -> None:
        for n in range(first, first + count):
            queue_permit(
                "RERF",
                Permit.Status.IN_REVIEW,
                f"RERF2026-{n:04d}",
                reviewer=UserFactory(is_staff=True, account_type="staff"),
            )

    add_permits(1, 2)
    with CaptureQueriesContext(connection) as few:
        staff.get(QUEUE)
    add_permits(3, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff.get(QUEUE)
    assert len(response.context["cl"].result_list) == 42


# Bulk actions -------------------------------------------------------------------------------


def test_start_review_in_bulk_assigns_the_clerk_and_reports_refusals(staff, homeowner, clerk):
    first = permit_submitted(homeowner, "HAUL")
    second = permit_submitted(homeowner, "FILM")
    issued_already = permit_submitted(homeowner, "WHTR")  # over the counter: approved

    response = staff.post(
        QUEUE,
        {
            "action": "start_review",
            "_selected_action": [first.pk, second.pk, issued_already.pk],
        },
        follow=True,
    )

    notes = page_messages(response)
    assert "Started the review of 2 permits." in notes
    assert any(note.startswith(f"{issued_already.number}: ") for note in notes)
    for permit in (first, second):
        permit.refresh_from_db()
        assert permit.status == Permit.Status.IN_REVIEW and permit.reviewer == clerk
        assert permit.history.latest().history_user == clerk
    issued_already.refresh_from_db()
    assert issued_already.status == Permit.Status.APPROVED and issued_already.reviewer is None


def test_approve_in_bulk_makes_the_fees_due(staff, homeowner, clerk):
    reviewing = in_review(homeowner, "HAUL", clerk)
    not_started = permit_submitted(homeowner, "FILM")

    response = staff.post(
        QUEUE,
        {"action": "approve", "_selected_action": [reviewing.pk, not_started.pk]},
        follow=True,
    )

    reviewing.refresh_from_db()
    not_started.refresh_from_db()
    assert reviewing.status == Permit.Status.APPROVED
    assert reviewing.invoice.status == Invoice.Status.DUE
    assert reviewing.history.latest().history_user == clerk
    assert not_started.status == Permit.Status.SUBMITTED
    assert any(note.startswith(f"{not_started.number}: ") for note in page_messages(response))


# The review buttons -------------------------------------------------------------------------


def test_start_review_from_the_permit_page(staff, homeowner, clerk):
    permit = permit_submitted(homeowner, "HAUL")

    response = staff.post(step_url(permit, "start-review"), follow=True)

    permit.refresh_from_db()
    assert permit.status == Permit.Status.IN_REVIEW and permit.reviewer == clerk
    assert "you are its reviewer" in " ".join(page_messages(response))


def test_request_corrections_emails_the_applicant_the_message(
    staff, homeowner, clerk, django_capture_on_commit_callbacks
):
    permit = in_review(homeowner, "HAUL", clerk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            step_url(permit, "request-corrections"),
            {"message": "Show the roof slope on the plan."},
        )

    assert response.status_code == 302 and response["Location"] == change_url(permit)
    permit.refresh_from_db()
    assert permit.status == Permit.Status.CORRECTIONS_REQUESTED
    assert permit.history.latest().history_user == clerk
    assert permit.events.last().message == "Show the roof slope on the plan."
    [email] = mail.outbox
    assert email.to == [homeowner.email]
    assert "Show the roof slope on the plan." in email.body


def test_request_corrections_without_a_message_is_refused_beside_the_field(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)

    response = staff.post(step_url(permit, "request-corrections"), {"message": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    permit.refresh_from_db()
    assert permit.status == Permit.Status.IN_REVIEW


def test_each_step_asks_for_its_message_with_its_own_words(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)

    def message_field(step: str):
        return staff.get(step_url(permit, step)).context["form"].fields.get("message")

    corrections, approve = message_field("request-corrections"), message_field("approve")
    assert (corrections.label, corrections.required) == ("What must the applicant correct?", True)
    assert corrections.help_text == (
        "The applicant reads it in the permit's timeline and in an email."
    )
    assert (approve.label, approve.required) == ("Message to the applicant", False)
    assert approve.help_text == "Optional: conditions of approval or a note for the applicant."
    assert message_field("start-review") is None


def test_approve_with_an_optional_message(staff, homeowner, clerk):
    quiet = in_review(homeowner, "HAUL", clerk)
    with_note = in_review(homeowner, "FILM", clerk)

    staff.post(step_url(quiet, "approve"), {"message": ""})
    staff.post(step_url(with_note, "approve"), {"message": "Keep the old panel for inspection."})

    for permit in (quiet, with_note):
        permit.refresh_from_db()
        assert permit.status == Permit.Status.APPROVED
        assert permit.history.latest().history_user == clerk
    assert with_note.events.last().message == "Keep the old panel for inspection."


def test_deny_needs_a_reason_and_voids_the_fees(staff, homeowner, clerk):
    permit = permit_submitted(homeowner, "HAUL")

    refused = staff.post(step_url(permit, "deny"), {"message": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["message"]
    permit.refresh_from_db()
    assert permit.status == Permit.Status.SUBMITTED

    staff.post(step_url(permit, "deny"), {"message": "The parcel is outside the city."})

    permit.refresh_from_db()
    assert permit.status == Permit.Status.DENIED
    assert permit.invoice.status == Invoice.Status.VOID
    assert permit.events.last().message == "The parcel is outside the city."
    assert permit.history.latest().history_user == clerk


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("approve", {"message": ""}),
        ("request-corrections", {"message": "Fix it."}),
        ("start-review", {}),
    ],
)
def test_a_forged_step_in_the_wrong_state_gives_a_message_and_changes_nothing(
    staff, homeowner, clerk, step, data
):
    permit = approved(homeowner, "HAUL", clerk)
    versions = permit.history.count()

    response = staff.post(step_url(permit, step), data, follow=True)

    assert response.status_code == 200
    assert "can't be done while the permit is" in " ".join(page_messages(response))
    permit.refresh_from_db()
    assert permit.status == Permit.Status.APPROVED
    assert permit.history.count() == versions


def test_unknown_steps_and_permits_answer_404(staff, homeowner):
    permit = permit_submitted(homeowner, "HAUL")

    assert staff.post(step_url(permit, "issue")).status_code == 404
    assert staff.post(f"{QUEUE}999999/review/approve/").status_code == 404
    assert staff.get(f"{QUEUE}999999/counter-payment/").status_code == 404


def test_status_is_never_a_form_field_and_history_cannot_be_reverted(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)
    submitted_version = permit.history.filter(status=Permit.Status.SUBMITTED).first()

    edit = staff.post(change_url(permit), {"status": Permit.Status.ISSUED})
    revert = staff.post(f"{QUEUE}{permit.pk}/history/{submitted_version.history_id}/", {})

    assert edit.status_code == 403 and revert.status_code == 403
    permit.refresh_from_db()
    assert permit.status == Permit.Status.IN_REVIEW


# Counter payments and fees ------------------------------------------------------------------


def test_a_counter_payment_issues_the_permit_and_makes_its_pdf(
    staff, homeowner, clerk, django_capture_on_commit_callbacks
):
    permit = approved(homeowner, "HAUL", clerk)
    total = permit.invoice.total

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{QUEUE}{permit.pk}/counter-payment/",
            {"method": "check", "receipt_number": "R-20261201-7"},
            follow=True,
        )

    permit.refresh_from_db()
    assert permit.status == Permit.Status.ISSUED
    assert permit.issued_on == timezone.localdate()
    assert permit.pdf and permit.pdf.read().startswith(b"%PDF")
    payment = Payment.objects.get(receipt_number="R-20261201-7")
    assert payment.amount == total and payment.method == "check"
    assert payment.recorded_by == clerk
    assert permit.history.get(status=Permit.Status.ISSUED, pdf="").history_user == clerk
    assert "receipt R-20261201-7" in " ".join(page_messages(response))


def test_a_receipt_number_already_recorded_is_refused(staff, homeowner, clerk):
    first = approved(homeowner, "HAUL", clerk)
    second = approved(homeowner, "FILM", clerk)
    staff.post(f"{QUEUE}{first.pk}/counter-payment/", {"method": "cash", "receipt_number": "R-1"})

    response = staff.post(
        f"{QUEUE}{second.pk}/counter-payment/", {"method": "cash", "receipt_number": "R-1"}
    )

    assert response.status_code == 200
    assert "Receipt R-1 is already recorded" in str(response.context["form"].non_field_errors())
    second.refresh_from_db()
    assert second.status == Permit.Status.APPROVED
    assert second.invoice.status == Invoice.Status.DUE


def test_a_counter_payment_before_approval_changes_nothing(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)

    response = staff.post(
        f"{QUEUE}{permit.pk}/counter-payment/",
        {"method": "cash", "receipt_number": "R-9"},
        follow=True,
    )

    assert "No fees are due" in " ".join(page_messages(response))
    assert not Payment.objects.exists()


def test_a_card_payment_cannot_be_forged_at_the_counter(staff, homeowner, clerk):
    permit = approved(homeowner, "HAUL", clerk)

    response = staff.post(
        f"{QUEUE}{permit.pk}/counter-payment/", {"method": "card", "receipt_number": "R-9"}
    )

    assert response.status_code == 200 and response.context["form"].errors["method"]
    assert not Payment.objects.exists()


def test_staff_add_a_fee_line_with_a_reason_kept_in_history(staff, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)
    total = permit.invoice.total
    url = f"{QUEUE}{permit.pk}/fees/add/"

    no_reason = staff.post(url, {"description": "Re-inspection", "amount": "95", "reason": ""})
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]

    staff.post(
        url, {"description": "Re-inspection", "amount": "95", "reason": "Second site visit."}
    )

    line = FeeLine.objects.get(description="Re-inspection")
    assert line.invoice == permit.invoice and line.amount == Decimal("95.00")
    assert permit.invoice.total == total + Decimal("95.00")
    record = line.history.get()
    assert record.reason == "Second site visit." and record.history_user == clerk


def test_staff_adjust_a_fee_line_with_a_reason_kept_in_history(staff, homeowner, clerk):
    permit = approved(homeowner, "HAUL", clerk)
    line = permit.invoice.lines.first()
    url = f"{QUEUE}{permit.pk}/fees/{line.pk}/adjust/"

    no_reason = staff.post(url, {"amount": "10.00", "reason": " "})
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]
    below_zero = staff.post(url, {"amount": "-100000", "reason": "Credit."})
    assert "less than nothing" in str(below_zero.context["form"].non_field_errors())

    staff.post(url, {"amount": "10.00", "reason": "Senior discount."})

    line.refresh_from_db()
    assert line.amount == Decimal("10.00")
    latest = line.history.latest()
    assert latest.reason == "Senior discount." and latest.history_user == clerk


def test_fees_of_an_issued_permit_cannot_change(staff, homeowner, clerk):
    permit = approved(homeowner, "HAUL", clerk)
    staff.post(f"{QUEUE}{permit.pk}/counter-payment/", {"method": "cash", "receipt_number": "R-2"})
    line = permit.invoice.lines.first()
    amount = line.amount

    response = staff.post(
        f"{QUEUE}{permit.pk}/fees/{line.pk}/adjust/", {"amount": "1.00", "reason": "Oops."}
    )

    assert "can no longer be changed" in str(response.context["form"].non_field_errors())
    line.refresh_from_db()
    assert line.amount == amount


def test_a_fee_line_of_another_permit_answers_404(staff, homeowner, clerk):
    permit = approved(homeowner, "HAUL", clerk)
    other = approved(homeowner, "FILM", clerk)
    line = other.invoice.lines.first()

    response = staff.post(
        f"{QUEUE}{permit.pk}/fees/{line.pk}/adjust/", {"amount": "1.00", "reason": "Oops."}
    )

    assert response.status_code == 404


def test_a_document_of_another_permit_answers_404(staff, homeowner):
    permit = permit_submitted(homeowner, "HAUL")
    other = permit_submitted(homeowner, "FILM")

    response = staff.get(f"{QUEUE}{permit.pk}/documents/{other.documents.first().pk}/")

    assert response.status_code == 404


# Permissions --------------------------------------------------------------------------------


def test_staff_without_permissions_get_403_on_every_button(client, homeowner, clerk):
    permit = approved(homeowner, "HAUL", clerk)
    line = permit.invoice.lines.first()
    document = permit.documents.first()
    client.force_login(UserFactory(username="temp", is_staff=True, account_type="staff"))

    for url in (
        step_url(permit, "approve"),
        step_url(permit, "deny"),
        f"{QUEUE}{permit.pk}/counter-payment/",
        f"{QUEUE}{permit.pk}/fees/add/",
        f"{QUEUE}{permit.pk}/fees/{line.pk}/adjust/",
        f"{QUEUE}{permit.pk}/documents/{document.pk}/",
        change_url(permit),
    ):
        assert client.post(url, {"message": "x", "amount": "1", "reason": "x"}).status_code == 403
    permit.refresh_from_db()
    assert permit.status == Permit.Status.APPROVED and not Payment.objects.exists()


def test_an_inspector_reads_permits_and_documents_but_cannot_review(client, homeowner, clerk):
    permit = in_review(homeowner, "HAUL", clerk)
    inspector = UserFactory(username="ines", is_staff=True, account_type="staff")
    inspector.groups.add(Group.objects.get(name="Inspector"))
    client.force_login(inspector)

    page = client.get(change_url(permit))
    assert page.status_code == 200
    assert step_url(permit, "approve") not in page.content.decode()
    document = permit.documents.first()
    assert client.get(f"{QUEUE}{permit.pk}/documents/{document.pk}/").status_code == 200
    assert client.post(step_url(permit, "approve"), {"message": ""}).status_code == 403
    assert client.post(QUEUE, {"action": "approve", "_selected_action": [permit.pk]})
    permit.refresh_from_db()
    assert permit.status == Permit.Status.IN_REVIEW


def test_finance_records_counter_payments_but_does_not_review(client, homeowner, clerk):
    fees_due = approved(homeowner, "HAUL", clerk)
    submitted = permit_submitted(homeowner, "FILM")
    cashier = UserFactory(username="cash", is_staff=True, account_type="staff")
    cashier.groups.add(Group.objects.get(name="Finance"))
    client.force_login(cashier)

    assert client.post(step_url(submitted, "start-review")).status_code == 403
    client.post(
        f"{QUEUE}{fees_due.pk}/counter-payment/", {"method": "cash", "receipt_number": "F-1"}
    )

    fees_due.refresh_from_db()
    assert fees_due.status == Permit.Status.ISSUED


def test_the_staff_groups_get_their_permit_and_payment_permissions():
    def codenames(name: str) -> set[str]:
        return set(Permission.objects.filter(group__name=name).values_list("codename", flat=True))

    permit_center = codenames("Permit Center")
    assert {
        "view_permit",
        "change_permit",
        "add_permitfield",
        "change_feerule",
        "add_feetier",
        "change_requireddocument",
        "view_invoice",
        "add_feeline",
        "change_feeline",
        "add_payment",
        "view_payment",
    } <= permit_center
    assert "delete_permit" not in permit_center and "change_payment" not in permit_center
    finance = codenames("Finance")
    assert {"view_invoice", "view_payment", "view_feeline", "add_payment"} <= finance
    assert "change_permit" not in finance and "change_feeline" not in finance
    inspector = codenames("Inspector")
    assert {"view_permit", "view_permittype", "view_inspectiontype"} <= inspector
    assert "change_permit" not in inspector and "add_payment" not in inspector


# A new permit type, without a deploy ------------------------------------------------------


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"{prefix}-{index}-{key}"] = "on"
            elif value is not False and value is not None:
                data[f"{prefix}-{index}-{key}"] = str(value)
    return data


TREE_TYPE = {
    "name": "Tree Removal",
    "code_prefix": "TREE",
    "order": "5",
    "description": "Removing a tree on private property.",
    "instructions": "Have a photo of each tree ready.",
    "applicants": "anyone",
    "is_online": "on",
    "valid_days": "90",
}
TREE_FIELDS = [
    {"name": "trees", "label": "Trees to remove", "kind": "integer", "required": True,
     "min_value": "1", "max_value": "20", "order": 1},
    {"name": "species", "label": "Species", "kind": "choice", "required": True,
     "choices": "Oak\nPine\nEucalyptus", "order": 2},
    {"name": "heritage", "label": "A heritage tree", "kind": "boolean", "order": 3},
]  # fmt: skip
TREE_FEES = [
    {"description": "Tree removal review", "kind": "fixed", "amount": "120.00", "order": 1},
    {"description": "Per tree", "kind": "rate", "amount": "35.00", "basis": "trees", "order": 2},
    {"description": "Heritage tree surcharge", "kind": "fixed", "amount": "200.00",
     "applies_when": "heritage", "order": 3},
]  # fmt: skip
TREE_DOCUMENTS = [{"name": "Photo of each tree", "required": True, "order": 1}]


def tree_type_data(category, fields=TREE_FIELDS, fees=TREE_FEES) -> dict:
    return {
        **TREE_TYPE,
        "category": str(category.pk),
        **formset("fields", fields),
        **formset("fee_rules", fees),
        **formset("documents", TREE_DOCUMENTS),
    }


def test_a_city_adds_a_permit_type_in_the_admin_and_a_homeowner_applies(
    staff, homeowner, django_capture_on_commit_callbacks
):
    public_works = PermitType.objects.get(code_prefix="DMPR").category

    response = staff.post("/admin/permits/permittype/add/", tree_type_data(public_works))

    assert response.status_code == 302, response.context["errors"]
    tree = PermitType.objects.get(code_prefix="TREE")
    assert tree.is_construction is False and tree.valid_days == 90
    assert [field.name for field in tree.fields.all()] == ["trees", "species", "heritage"]
    assert tree.fields.get(name="species").choice_list == ["Oak", "Pine", "Eucalyptus"]
    assert tree.fee_rules.count() == 3 and tree.documents.count() == 1
    assert tree.history.latest().history_user.username == "clerk"
    catalogue = {t.code_prefix: t for c in permit_types_for(homeowner) for t in c.online_types}
    assert catalogue["TREE"].refusal == ""

    with django_capture_on_commit_callbacks(execute=True):
        permit = services.permit_draft_start(applicant=homeowner, permit_type=tree, site=SITE)
        services.permit_project_update(
            permit=permit, user=homeowner, description="Two dead pines.", valuation=None
        )
        services.permit_details_update(
            permit=permit,
            user=homeowner,
            field_values={"trees": 2, "species": "Pine", "heritage": True},
        )
        services.permit_document_add(
            permit=permit,
            user=homeowner,
            required_document=tree.documents.get(),
            upload=pdf_upload(),
        )
        permit = services.permit_submit(permit=permit, user=homeowner)

    assert re.fullmatch(r"TREE\d{4}-0001", permit.number)
    assert permit.status == Permit.Status.SUBMITTED
    lines = {line.description: line.amount for line in permit.invoice.lines.all()}
    assert lines == {
        "Tree removal review": Decimal("120.00"),
        "Per tree": Decimal("70.00"),
        "Heritage tree surcharge": Decimal("200.00"),
    }
    assert staff.get(change_url(permit)).status_code == 200


@pytest.mark.parametrize(
    ("fields", "fees", "error"),
    [
        (
            TREE_FIELDS,
            [{"description": "Per tree", "kind": "rate", "amount": "35", "basis": "tree_count",
              "order": 1}],
            "Use “valuation” or the name of one of the type's number fields.",
        ),
        (
            TREE_FIELDS,
            [{"description": "Per tree", "kind": "rate", "amount": "35", "basis": "species",
              "order": 1}],
            "Use “valuation” or the name of one of the type's number fields.",
        ),
        (
            TREE_FIELDS,
            [{"description": "Extra", "kind": "fixed", "amount": "5", "applies_when": "trees",
              "order": 1}],
            "Use the name of one of the type's yes-or-no fields.",
        ),
        (
            TREE_FIELDS,
            [{"description": "Per tree", "kind": "rate", "amount": "35", "order": 1}],
            "Say which number the fee is computed on.",
        ),
        (
            [{"name": "species", "label": "Species", "kind": "choice", "choices": "", "order": 0}],
            [],
            "List at least one choice.",
        ),
        (
            [{"name": "trees", "label": "Trees", "kind": "integer", "min_value": "5",
              "max_value": "1", "order": 0}],
            [],
            "The maximum is below the minimum.",
        ),
        (
            [{"name": "valuation", "label": "Value", "kind": "decimal", "order": 0}],
            [],
            "is asked of every permit already.",
        ),
        (
            [{"name": "trees", "label": "Trees", "kind": "integer", "order": 0},
             {"name": "trees", "label": "Trees again", "kind": "integer", "order": 1}],
            [],
            "Please correct the duplicate data for",
        ),
    ],
)  # fmt: skip
def test_a_new_type_with_a_mistake_is_refused_beside_the_field_and_nothing_saved(
    staff, demo_city, fields, fees, error
):
    public_works = PermitType.objects.get(code_prefix="DMPR").category

    response = staff.post(
        "/admin/permits/permittype/add/", tree_type_data(public_works, fields, fees)
    )

    assert response.status_code == 200
    assert error in form_errors(response)
    assert not PermitType.objects.filter(code_prefix="TREE").exists()


def existing_type_data(permit_type: PermitType, *, new_fields=(), new_fees=(), drop_field=""):
    """The type's change form as the admin renders it, with rows added or removed."""
    fields = [
        {
            "id": field.pk,
            "permit_type": permit_type.pk,
            "name": field.name,
            "label": field.label,
            "kind": field.kind,
            "required": field.required,
            "choices": field.choices,
            "min_value": field.min_value,
            "max_value": field.max_value,
            "help_text": field.help_text,
            "order": field.order,
            "DELETE": field.name == drop_field,
        }
        for field in permit_type.fields.all()
    ]
    fees = [
        {
            "id": rule.pk,
            "permit_type": permit_type.pk,
            "description": rule.description,
            "kind": rule.kind,
            "amount": rule.amount,
            "basis": rule.basis,
            "applies_when": rule.applies_when,
            "minimum": rule.minimum,
            "order": rule.order,
        }
        for rule in permit_type.fee_rules.all()
    ]
    documents = [
        {
            "id": document.pk,
            "permit_type": permit_type.pk,
            "name": document.name,
            "description": document.description,
            "required": document.required,
            "order": document.order,
        }
        for document in permit_type.documents.all()
    ]
    main = {
        name: getattr(permit_type, name)
        for name in (
            "name",
            "code_prefix",
            "order",
            "description",
            "instructions",
            "applicants",
            "valid_days",
        )
    }
    flags = {
        name: "on"
        for name in (
            "is_construction",
            "owner_builder_allowed",
            "is_online",
            "is_over_the_counter",
        )
        if getattr(permit_type, name)
    }
    return {
        **main,
        **flags,
        "category": permit_type.category_id,
        **formset("fields", [*fields, *new_fields], initial=len(fields)),
        **formset("fee_rules", [*fees, *new_fees], initial=len(fees)),
        **formset("documents", documents, initial=len(documents)),
    }


def test_a_fee_rule_may_name_a_field_added_in_the_same_save(staff, demo_city):
    reroof = PermitType.objects.get(code_prefix="RERF")
    url = f"/admin/permits/permittype/{reroof.pk}/change/"

    response = staff.post(
        url,
        existing_type_data(
            reroof,
            new_fields=[
                {"name": "skylights", "label": "Skylights", "kind": "integer", "order": 9}
            ],
            new_fees=[
                {"description": "Per skylight", "kind": "rate", "amount": "25",
                 "basis": "skylights", "order": 9}
            ],
        ),
    )  # fmt: skip

    assert response.status_code == 302, response.context["errors"]
    assert FeeRule.objects.get(permit_type=reroof, description="Per skylight").basis == "skylights"
    assert PermitField.objects.filter(permit_type=reroof, name="skylights").exists()


def test_a_field_a_fee_rule_is_computed_on_cannot_be_removed(staff, demo_city):
    reroof = PermitType.objects.get(code_prefix="RERF")
    basis = reroof.fee_rules.exclude(basis="").exclude(basis="valuation").first().basis

    response = staff.post(
        f"/admin/permits/permittype/{reroof.pk}/change/",
        existing_type_data(reroof, drop_field=basis),
    )

    assert response.status_code == 200
    assert "number fields" in form_errors(response)
    assert reroof.fields.filter(name=basis).exists()


def test_tiers_are_edited_on_the_fee_rules_own_page(staff, demo_city):
    reroof = PermitType.objects.get(code_prefix="RERF")
    rule = FeeRule.objects.create(
        permit_type=reroof, description="Plan check", kind="tiered", basis="valuation"
    )
    type_page = staff.get(f"/admin/permits/permittype/{reroof.pk}/change/").content.decode()
    assert f"/admin/permits/feerule/{rule.pk}/change/" in type_page

    response = staff.post(
        f"/admin/permits/feerule/{rule.pk}/change/",
        {
            "permit_type": reroof.pk,
            "description": "Plan check",
            "kind": "tiered",
            "amount": "0",
            "basis": "valuation",
            **formset(
                "tiers",
                [
                    {"up_to": "10000", "amount": "100", "rate": "0", "per": "1"},
                    {"up_to": "", "amount": "100", "rate": "10", "per": "1000"},
                ],
            ),
        },
    )

    assert response.status_code == 302, response.context["errors"]
    assert [tier.up_to for tier in rule.tiers.all()] == [Decimal("10000.00"), None]


def test_a_required_document_is_added_to_an_existing_type(staff, demo_city):
    haul = PermitType.objects.get(code_prefix="HAUL")
    data = existing_type_data(haul)
    count = haul.documents.count()
    data.update(
        {
            "documents-TOTAL_FORMS": str(count + 1),
            f"documents-{count}-name": "Traffic control plan",
            f"documents-{count}-required": "on",
            f"documents-{count}-order": "9",
        }
    )

    response = staff.post(f"/admin/permits/permittype/{haul.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    assert RequiredDocument.objects.filter(permit_type=haul, name="Traffic control plan").exists()


def test_staff_who_may_only_view_a_permit_type_cannot_save_an_old_version_of_it(client, demo_city):
    reroof = PermitType.objects.get(code_prefix="RERF")
    first_version = reroof.history.earliest()
    inspector = UserFactory(username="ines", is_staff=True, account_type="staff")
    inspector.groups.add(Group.objects.get(name="Inspector"))
    client.force_login(inspector)

    response = client.post(
        f"/admin/permits/permittype/{reroof.pk}/history/{first_version.history_id}/",
        {**existing_type_data(reroof), "name": "Changed by an inspector"},
    )

    assert response.status_code == 403
    reroof.refresh_from_db()
    assert reroof.name == "Reroof"
