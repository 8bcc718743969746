"""The applicant's own permit page: what it shows, to whom, and what they do there."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments.models import Invoice
from payments.services import fee_line_add, payment_record_counter
from permits import services
from permits.models import Permit, PermitDocument, PermitEvent
from tests.factories import UserFactory
from tests.permits.support import (
    PDF_BYTES,
    pdf_upload,
    permit_draft_complete,
    permit_submitted,
    png_upload,
)

pytestmark = pytest.mark.django_db

CORRECTIONS = "The site sketch must show the sidewalk and the driveway apron."


def page_of(permit: Permit) -> str:
    return f"/permits/applications/{permit.pk}/"


def text_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def fresh(permit: Permit) -> Permit:
    return Permit.objects.get(pk=permit.pk)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def issued(homeowner, clerk, prefix: str = "WHTR", **kwargs) -> Permit:
    """An over-the-counter permit paid at the counter; the caller decides whether the
    commit callbacks (the PDF task) run."""
    permit = permit_submitted(homeowner, prefix, **kwargs)
    payment_record_counter(
        invoice=permit.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
    )
    return fresh(permit)


@pytest.fixture
def stranger(demo_city):
    return UserFactory(username="mallory", email_verified=True)


@pytest.fixture
def dumpster_in_corrections(homeowner, clerk) -> Permit:
    permit = permit_submitted(homeowner, "DMPR")
    services.permit_review_start(permit=permit, reviewer=clerk)
    services.permit_corrections_request(permit=permit, reviewer=clerk, message=CORRECTIONS)
    return fresh(permit)


# What the page shows ------------------------------------------------------------------


def test_the_applicant_sees_their_permit_fees_documents_and_timeline(client, homeowner):
    permit = permit_submitted(homeowner, "RERF")
    Permit.objects.filter(pk=permit.pk).update(parcel_number="7564-012-034")
    client.force_login(homeowner)

    page = text_of(client.get(page_of(permit)))

    assert permit.number in page and "Reroof" in page
    assert "Approved, fees due" in page and "permit-status" in page
    assert "30940 Hawthorne Blvd, Rancho Palos Verdes 90275" in page
    assert "7564-012-034" in page
    assert "Like for like replacement." in page and "$12,000.00" in page
    # The type's own questions, by their labels, with the answers as people read them.
    assert "Roof area in squares" in page and "24.5" in page
    assert "New roofing material" in page and "Concrete tile" in page
    assert "The existing roofing is torn off</dt><dd" in page
    assert ">Yes</dd>" in page
    assert "The owner, as owner-builder" in page
    # Documents, downloadable.
    document = permit.documents.get()
    assert f'href="/permits/applications/{permit.pk}/documents/{document.pk}/"' in page
    assert "plan.pdf" in page and "Roofing material specification" in page
    # Fees: every line, the total, and how to pay.
    invoice = Invoice.objects.get(pk=permit.invoice_id)
    for line in invoice.lines.all():
        assert line.description in page
    assert f"${invoice.total:,}" in page
    assert "Due: pay at the Permit Center counter (cash or check)" in page
    # Timeline, and the withdrawal open to the applicant.
    assert page.index(">Submitted</strong>") < page.index(">Approved, fees due</strong>")
    assert "Approved over the counter." in page
    assert f'href="/permits/applications/{permit.pk}/withdraw/"' in page
    assert "Download the permit (PDF)" not in page


def test_dates_are_written_out_and_fees_not_yet_due_say_so(client, homeowner):
    permit = permit_submitted(homeowner, "DMPR")
    client.force_login(homeowner)

    page = text_of(client.get(page_of(permit)))

    assert "First day on the street" in page and "Dec. 1, 2026" in page
    assert "2026-12-01" not in page
    assert "Not yet due" in page and "Due: pay" not in page
    assert ">Submitted</strong>" in page


def test_a_paid_permit_shows_the_payment_date_and_its_expiry(client, homeowner, clerk):
    permit = issued(homeowner, clerk)
    client.force_login(homeowner)

    page = text_of(client.get(page_of(permit)))

    assert "Paid on" in page
    assert permit.expires_on.strftime("%Y") in page and ">Expires</dt>" in page
    # The commit callbacks did not run, so the PDF task has not rendered it yet.
    assert "The permit PDF is being prepared" in page
    assert "Withdraw the application" not in page


def test_the_contractor_on_the_permit_sees_it_without_the_applicants_actions(
    client, homeowner, contractor
):
    permit = permit_submitted(homeowner, "WHTR", contractor=contractor)
    client.force_login(contractor)

    page = text_of(client.get(page_of(permit)))

    assert permit.number in page
    assert "Coastline Roofing, CSLB license 1029384" in page
    assert "Rosa Delgado" in page  # their client, the applicant
    assert "Withdraw the application" not in page


def test_another_person_gets_404_and_an_anonymous_visitor_the_login_page(
    client, homeowner, stranger
):
    permit = permit_submitted(homeowner, "RERF")
    document = permit.documents.get()
    urls = [
        page_of(permit),
        f"{page_of(permit)}withdraw/",
        f"{page_of(permit)}documents/{document.pk}/",
        f"{page_of(permit)}permit.pdf",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 404
    for url in (f"{page_of(permit)}corrections/", f"{page_of(permit)}resubmit/"):
        assert client.post(url).status_code == 404
    assert client.get("/permits/applications/999999/").status_code == 404


def test_the_page_never_names_the_staff_who_worked_on_it(
    client, homeowner, clerk, dumpster_in_corrections
):
    client.force_login(homeowner)

    page = text_of(client.get(page_of(dumpster_in_corrections)))

    assert ">In review</strong>" in page and CORRECTIONS in page
    assert clerk.last_name not in page and clerk.email not in page
    assert f">{clerk.username}<" not in page


def test_a_draft_opens_in_the_wizard_for_its_applicant_only(client, homeowner, contractor):
    draft = permit_draft_complete(homeowner, "WHTR", contractor=contractor)
    client.force_login(homeowner)

    response = client.get(page_of(draft))

    assert response.status_code == 302
    assert response["Location"] == f"/permits/applications/{draft.pk}/edit/review/"
    client.force_login(contractor)
    assert client.get(page_of(draft)).status_code == 404


def test_the_page_takes_a_bounded_number_of_queries(
    client, homeowner, clerk, django_assert_max_num_queries
):
    permit = permit_submitted(homeowner, "DMPR")
    services.permit_review_start(permit=permit, reviewer=clerk)
    services.permit_corrections_request(permit=permit, reviewer=clerk, message=CORRECTIONS)
    for i in range(8):
        services.permit_document_add(
            permit=permit, user=homeowner, required_document=None, upload=png_upload(f"{i}.png")
        )
        fee_line_add(
            invoice=permit.invoice, description=f"Extra {i}", amount=Decimal(5), reason="Test"
        )
        PermitEvent.objects.create(permit=permit, status=permit.status, message=f"Note {i}")
    client.force_login(homeowner)

    with django_assert_max_num_queries(9):
        page = text_of(client.get(page_of(permit)))

    assert "7.png" in page and "Extra 7" in page and "Note 7" in page


# Withdrawing ---------------------------------------------------------------------------


def _in_status(homeowner, clerk, status: str) -> Permit:
    if status == Permit.Status.APPROVED:
        return permit_submitted(homeowner, "WHTR")
    permit = permit_submitted(homeowner, "DMPR")
    if status == Permit.Status.SUBMITTED:
        return permit
    services.permit_review_start(permit=permit, reviewer=clerk)
    if status != Permit.Status.IN_REVIEW:
        services.permit_corrections_request(permit=permit, reviewer=clerk, message=CORRECTIONS)
    if status == Permit.Status.RESUBMITTED:
        services.permit_resubmit(permit=permit, user=homeowner)
    return fresh(permit)


@pytest.mark.parametrize("status", Permit.WITHDRAWABLE)
def test_the_applicant_withdraws_before_issuance(client, homeowner, clerk, status):
    permit = _in_status(homeowner, clerk, status)
    assert permit.status == status
    client.force_login(homeowner)

    confirmation = text_of(client.get(f"{page_of(permit)}withdraw/"))
    response = client.post(
        f"{page_of(permit)}withdraw/", {"reason": "We sold the house."}, follow=True
    )

    assert "Withdraw application" in confirmation and permit.number in confirmation
    assert response.redirect_chain == [(page_of(permit), 302)]
    permit = fresh(permit)
    assert permit.status == Permit.Status.WITHDRAWN
    assert permit.invoice.status == Invoice.Status.VOID
    assert f"Application {permit.number} is withdrawn." in messages_of(response)
    page = response.content.decode()
    assert ">Withdrawn</strong>" in page and "We sold the house." in page
    assert "Withdraw the application" not in page


def test_an_issued_permit_cannot_be_withdrawn(client, homeowner, clerk):
    permit = issued(homeowner, clerk)
    client.force_login(homeowner)

    confirmation = client.get(f"{page_of(permit)}withdraw/", follow=True)
    response = client.post(
        f"{page_of(permit)}withdraw/", {"reason": "Changed my mind"}, follow=True
    )

    for answer in (confirmation, response):
        assert answer.redirect_chain == [(page_of(permit), 302)]
        assert "withdrawn only before the permit is issued" in " ".join(messages_of(answer))
    permit = fresh(permit)
    assert permit.status == Permit.Status.ISSUED
    assert permit.invoice.status == Invoice.Status.PAID


def test_a_withdrawal_the_service_refuses_changes_nothing(client, homeowner, monkeypatch):
    permit = permit_submitted(homeowner, "DMPR")
    client.force_login(homeowner)

    def refuse(**kwargs):
        raise services.PermitError("The Permit Center is issuing it right now.")

    monkeypatch.setattr(services, "permit_withdraw", refuse)
    response = client.post(f"{page_of(permit)}withdraw/", follow=True)

    assert messages_of(response) == ["The Permit Center is issuing it right now."]
    assert fresh(permit).status == Permit.Status.SUBMITTED


def test_only_the_applicant_may_withdraw(client, homeowner, contractor):
    permit = permit_submitted(homeowner, "WHTR", contractor=contractor)
    client.force_login(contractor)

    assert client.get(f"{page_of(permit)}withdraw/").status_code == 404
    assert client.post(f"{page_of(permit)}withdraw/").status_code == 404
    assert fresh(permit).status == Permit.Status.APPROVED


# Corrections ---------------------------------------------------------------------------


def test_corrections_revised_document_and_resubmission(
    client, homeowner, clerk, dumpster_in_corrections, django_capture_on_commit_callbacks
):
    permit = dumpster_in_corrections
    sketch = permit.documents.get(required_document__name="Site sketch")
    client.force_login(homeowner)

    page = text_of(client.get(page_of(permit)))
    assert "Corrections requested" in page and CORRECTIONS in page
    assert 'enctype="multipart/form-data"' in page and "Resubmit for review" in page

    response = client.post(
        f"{page_of(permit)}corrections/",
        {"required_document": sketch.required_document_id, "file": png_upload("sketch-v2.png")},
        follow=True,
    )
    assert "sketch-v2.png is uploaded." in " ".join(messages_of(response))
    revision = permit.documents.get(original_name="sketch-v2.png")
    sketch.refresh_from_db()
    assert sketch.replaced_by == revision
    page = response.content.decode()
    assert "Earlier versions, replaced by a revision" in page
    old_link = f'href="/permits/applications/{permit.pk}/documents/{sketch.pk}/"'
    assert page.index("sketch-v2.png") < page.index("Earlier versions") < page.index(old_link)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{page_of(permit)}resubmit/", {"note": "Sidewalk added to the sketch."}, follow=True
        )

    assert fresh(permit).status == Permit.Status.RESUBMITTED
    assert response.redirect_chain == [(page_of(permit), 302)]
    page = response.content.decode()
    assert ">Resubmitted</strong>" in page and "Sidewalk added to the sketch." in page
    assert "Resubmit for review" not in page
    to_staff = [message for message in mail.outbox if clerk.email in message.to]
    assert len(to_staff) == 1
    assert permit.number in to_staff[0].subject
    assert "Sidewalk added to the sketch." in to_staff[0].body


def test_a_bad_revision_is_refused_beside_the_field_and_nothing_is_kept(
    client, homeowner, dumpster_in_corrections
):
    permit = dumpster_in_corrections
    client.force_login(homeowner)
    before = PermitDocument.objects.count()
    program = SimpleUploadedFile("sketch.pdf", b"MZ\x90\x00" + b"\x00" * 200)

    response = client.post(f"{page_of(permit)}corrections/", {"file": program})

    page = text_of(response)
    assert 'id="id_file_error"' in page
    assert "sketch.pdf is not a PDF, JPEG or PNG file" in page
    assert PermitDocument.objects.count() == before
    assert CORRECTIONS in page  # still the whole permit page around the form


def test_a_document_the_reviewer_asked_for_besides_the_listed_ones_replaces_nothing(
    client, homeowner, dumpster_in_corrections
):
    permit = dumpster_in_corrections
    client.force_login(homeowner)

    missing_choice = client.post(f"{page_of(permit)}corrections/", {"file": png_upload()})
    response = client.post(
        f"{page_of(permit)}corrections/",
        {"required_document": "other", "file": png_upload("curb.png")},
        follow=True,
    )

    assert 'id="id_required_document_error"' in text_of(missing_choice)
    added = permit.documents.get(original_name="curb.png")
    assert added.required_document is None
    assert not permit.documents.exclude(replaced_by=None).exists()
    assert "Other document" in text_of(response)


def test_no_revision_or_resubmission_unless_corrections_are_asked(client, homeowner):
    permit = permit_submitted(homeowner, "DMPR")
    client.force_login(homeowner)
    before = PermitDocument.objects.count()

    upload = client.post(f"{page_of(permit)}corrections/", {"file": pdf_upload()}, follow=True)
    resubmit = client.post(f"{page_of(permit)}resubmit/", follow=True)

    for response in (upload, resubmit):
        assert "not asking for corrections" in " ".join(messages_of(response))
    assert PermitDocument.objects.count() == before
    assert fresh(permit).status == Permit.Status.SUBMITTED
    assert client.get(f"{page_of(permit)}resubmit/").status_code == 405


def test_the_contractor_reads_the_corrections_but_the_applicant_answers_them(
    client, homeowner, contractor, clerk
):
    permit = permit_submitted(homeowner, "DMPR")
    Permit.objects.filter(pk=permit.pk).update(contractor=contractor)
    services.permit_review_start(permit=permit, reviewer=clerk)
    services.permit_corrections_request(permit=permit, reviewer=clerk, message=CORRECTIONS)
    client.force_login(contractor)

    page = text_of(client.get(page_of(permit)))

    assert CORRECTIONS in page and "The applicant uploads the revised documents" in page
    assert "Resubmit for review" not in page
    assert client.post(f"{page_of(permit)}resubmit/").status_code == 404
    assert fresh(permit).status == Permit.Status.CORRECTIONS_REQUESTED


# Downloads -----------------------------------------------------------------------------


def test_a_document_downloads_as_an_attachment_with_its_real_type(client, homeowner, contractor):
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    document = permit.documents.get()
    url = f"{page_of(permit)}documents/{document.pk}/"

    for person in (homeowner, contractor):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_document_is_found_only_under_its_own_permit(client, homeowner):
    mine = permit_submitted(homeowner, "RERF")
    other = permit_submitted(UserFactory(username="neighbour", email_verified=True), "RERF")
    their_document = other.documents.get()
    client.force_login(homeowner)

    assert client.get(f"{page_of(mine)}documents/{their_document.pk}/").status_code == 404


def test_a_document_lost_from_storage_is_404_not_an_error(client, homeowner):
    permit = permit_submitted(homeowner, "RERF")
    document = permit.documents.get()
    document.file.storage.delete(document.file.name)
    client.force_login(homeowner)

    assert client.get(f"{page_of(permit)}documents/{document.pk}/").status_code == 404


def test_the_permit_pdf_downloads_once_issued(
    client, homeowner, clerk, stranger, django_capture_on_commit_callbacks
):
    permit = permit_submitted(homeowner, "WHTR")
    client.force_login(homeowner)
    assert client.get(f"{page_of(permit)}permit.pdf").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        payment_record_counter(
            invoice=permit.invoice, method="cash", receipt_number="R-1", recorded_by=clerk
        )

    permit = fresh(permit)
    assert permit.status == Permit.Status.ISSUED and permit.pdf
    page = text_of(client.get(page_of(permit)))
    assert f'href="/permits/applications/{permit.pk}/permit.pdf"' in page
    assert "being prepared" not in page
    response = client.get(f"{page_of(permit)}permit.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{permit.number}.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(stranger)
    assert client.get(f"{page_of(permit)}permit.pdf").status_code == 404


def test_my_permits_lists_mine_as_applicant_and_as_contractor_and_no_one_elses(
    client, homeowner, contractor, django_assert_max_num_queries
):
    own = [permit_submitted(homeowner, "WHTR") for _ in range(3)]
    named = permit_submitted(UserFactory(email_verified=True), "RERF", contractor=contractor)
    stranger = permit_submitted(UserFactory(email_verified=True), "WHTR")
    draft = permit_draft_complete(homeowner, "RPRK")
    client.force_login(homeowner)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("permits:mine")).content.decode()

    assert all(permit.number in page for permit in own)
    assert stranger.number not in page and named.number not in page
    assert reverse("permits:detail", args=[draft.pk]) not in page
    client.force_login(contractor)
    assert named.number in client.get(reverse("permits:mine")).content.decode()


def test_the_dashboard_links_to_all_my_permits_once_there_are_more_than_it_shows(client, homeowner):
    client.force_login(homeowner)
    for _ in range(10):
        permit_submitted(homeowner, "WHTR")
    assert reverse("permits:mine") not in client.get("/dashboard/").content.decode()
    permit_submitted(homeowner, "WHTR")
    assert reverse("permits:mine") in client.get("/dashboard/").content.decode()


def test_pages_that_only_show_refuse_a_post(client, homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    client.force_login(homeowner)
    for url in (
        reverse("permits:detail", args=[permit.pk]),
        reverse("permits:mine"),
        reverse("permits:search"),
        reverse("permits:public", args=[permit.number]),
    ):
        assert client.post(url).status_code == 405
