"""Drafts: listed on the dashboard and the apply page, resumed where they were left,
deleted; nobody else's draft, and no submitted application, opens in the wizard."""

import pytest
from django.urls import reverse

from permits import services
from permits.models import Permit, PermitDocument, PermitType
from tests.factories import PermitTypeFactory, UserFactory
from tests.permits.support import SITE, pdf_upload, permit_submitted


def draft_of(user, prefix: str = "WHTR") -> Permit:
    permit_type = PermitType.objects.get(code_prefix=prefix)
    return services.permit_draft_start(applicant=user, permit_type=permit_type, site=SITE)


def step_url(permit: Permit, step: str) -> str:
    return reverse("permits:draft-step", args=[permit.pk, step])


def resume(client, permit: Permit) -> str:
    response = client.get(reverse("permits:draft-resume", args=[permit.pk]))
    assert response.status_code == 302
    return response["Location"]


# Listed ----------------------------------------------------------------------------------


def test_drafts_are_listed_on_the_dashboard_with_continue_and_delete(client, homeowner):
    permit = draft_of(homeowner)
    client.force_login(homeowner)

    page = client.get("/dashboard/").content.decode()

    assert "Water Heater" in page and "30940 Hawthorne Blvd, Rancho Palos Verdes 90275" in page
    assert f'href="/permits/applications/{permit.pk}/edit/"' in page
    assert f'href="/permits/applications/{permit.pk}/delete/"' in page
    assert "You have no permit applications yet." not in page
    assert 'href="/permits/apply/"' in page


def test_drafts_are_listed_on_the_apply_page_to_continue(client, homeowner):
    permit = draft_of(homeowner, "RERF")
    client.force_login(homeowner)

    page = client.get(reverse("permits:apply")).content.decode()

    assert "Continue an application" in page
    assert f'href="/permits/applications/{permit.pk}/edit/"' in page


def test_another_persons_drafts_are_not_listed(client, homeowner):
    draft_of(UserFactory(username="neighbour", email_verified=True))
    client.force_login(homeowner)

    assert "Continue an application" not in client.get(reverse("permits:apply")).content.decode()
    assert "You have no permit applications yet." in client.get("/dashboard/").content.decode()


def test_submitted_permits_are_listed_with_number_type_address_and_status(client, homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    client.force_login(homeowner)

    page = client.get("/dashboard/").content.decode()

    assert f'<a href="/permits/applications/{permit.pk}/">{permit.number}</a>' in page
    assert '<span class="badge text-bg-warning">Approved, fees due</span>' in page
    assert "Water Heater · 30940 Hawthorne Blvd" in page
    assert "Drafts" not in page


def test_a_contractor_sees_the_permits_they_are_named_on(client, homeowner, contractor):
    permit = permit_submitted(homeowner, "RERF", contractor=contractor)
    client.force_login(contractor)

    page = client.get("/dashboard/").content.decode()

    assert f'href="/permits/applications/{permit.pk}/">{permit.number}</a>' in page


def test_the_dashboard_takes_a_fixed_number_of_queries_however_many_permits(
    client, homeowner, django_assert_max_num_queries
):
    for prefix in ("WHTR", "RERF", "EPNL"):
        draft_of(homeowner, prefix)
    for _ in range(8):
        permit_submitted(homeowner, "WHTR")
    client.force_login(homeowner)

    with django_assert_max_num_queries(12):
        page = client.get("/dashboard/").content.decode()

    assert page.count('class="badge ') == 8
    assert page.count(">Continue<") == 3


# Resumed ---------------------------------------------------------------------------------


def test_a_draft_resumes_at_the_step_after_the_last_saved(client, homeowner):
    permit = draft_of(homeowner)
    client.force_login(homeowner)
    assert resume(client, permit) == step_url(permit, "project")

    services.permit_details_update(permit=permit, user=homeowner, field_values={"fuel": "Electric"})
    assert resume(client, permit) == step_url(permit, "work")

    services.permit_work_update(
        permit=permit, user=homeowner, work_by="owner_builder", owner_builder_declared=True
    )
    assert resume(client, permit) == step_url(permit, "documents")


def test_a_contractors_draft_resumes_past_the_work_step(client, contractor):
    permit = draft_of(contractor, "RERF")
    services.permit_details_update(permit=permit, user=contractor, field_values={})
    client.force_login(contractor)

    assert resume(client, permit) == step_url(permit, "documents")


def test_a_type_without_questions_or_documents_skips_those_steps(client, homeowner):
    permit_type = PermitTypeFactory(is_construction=False)
    permit = services.permit_draft_start(applicant=homeowner, permit_type=permit_type, site=SITE)
    client.force_login(homeowner)

    response = client.post(step_url(permit, "project"), {"description": "A block party."})

    assert response["Location"] == step_url(permit, "review")
    assert client.get(step_url(permit, "details"))["Location"] == step_url(permit, "review")
    assert client.get(step_url(permit, "documents"))["Location"] == step_url(permit, "review")
    page = client.get(step_url(permit, "review")).content.decode()
    assert "Step 3 of 3: Review and submit" in page
    assert "Submit application" in page


def test_the_steps_show_what_was_saved(client, homeowner):
    permit = draft_of(homeowner)
    services.permit_details_update(
        permit=permit,
        user=homeowner,
        field_values={"fuel": "Electric", "capacity_gallons": 40, "location": "Garage"},
    )
    client.force_login(homeowner)

    site = client.get(step_url(permit, "site")).content.decode()
    details = client.get(step_url(permit, "details")).content.decode()

    assert 'value="30940 Hawthorne Blvd"' in site
    assert 'value="Electric" id="id_details-fuel_1" class="form-check-input" checked' in details
    assert 'value="40"' in details
    assert '<li aria-current="step">' in details


def test_the_site_of_a_draft_can_be_changed(client, homeowner):
    permit = draft_of(homeowner)
    client.force_login(homeowner)

    response = client.post(
        step_url(permit, "site"),
        {
            "site_address": "7 Via Vicente",
            "site_unit": "B",
            "site_city": "Rancho Palos Verdes",
            "site_postal_code": "90275-1234",
        },
    )

    assert response["Location"] == step_url(permit, "project")
    permit.refresh_from_db()
    assert permit.site_line == "7 Via Vicente #B, Rancho Palos Verdes 90275-1234"


# Deleted ---------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_confirmation_with_its_files(
    client, homeowner, django_capture_on_commit_callbacks
):
    permit = draft_of(homeowner, "RERF")
    document = services.permit_document_add(
        permit=permit,
        user=homeowner,
        required_document=permit.permit_type.documents.first(),
        upload=pdf_upload(),
    )
    client.force_login(homeowner)

    confirmation = client.get(reverse("permits:draft-delete", args=[permit.pk]))
    assert confirmation.status_code == 200
    assert "Delete the draft" in confirmation.content.decode()
    assert Permit.objects.filter(pk=permit.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("permits:draft-delete", args=[permit.pk]))

    assert response["Location"] == reverse("accounts:dashboard")
    assert not Permit.objects.filter(pk=permit.pk).exists()
    assert not PermitDocument.objects.exists()
    assert not document.file.storage.exists(document.file.name)


# Nobody else's, nothing submitted --------------------------------------------------------


def draft_urls(permit: Permit, document: PermitDocument) -> list[tuple[str, str]]:
    urls = [("get", step_url(permit, step)) for step in ("site", "project", "details", "work")]
    urls += [
        ("post", step_url(permit, "site")),
        ("get", step_url(permit, "documents")),
        ("get", step_url(permit, "review")),
        ("get", reverse("permits:draft-resume", args=[permit.pk])),
        ("post", reverse("permits:submit", args=[permit.pk])),
        ("get", reverse("permits:draft-delete", args=[permit.pk])),
        ("post", reverse("permits:draft-delete", args=[permit.pk])),
        ("post", reverse("permits:document-remove", args=[permit.pk, document.pk])),
    ]
    return urls


@pytest.fixture
def rosas_draft(homeowner):
    permit = draft_of(homeowner, "RERF")
    document = services.permit_document_add(
        permit=permit,
        user=homeowner,
        required_document=permit.permit_type.documents.first(),
        upload=pdf_upload(),
    )
    return permit, document


def test_another_persons_draft_is_not_found_at_any_of_its_addresses(client, rosas_draft):
    permit, document = rosas_draft
    client.force_login(UserFactory(username="neighbour", email_verified=True))

    for method, url in draft_urls(permit, document):
        response = getattr(client, method)(url, {"site_address": "1 Elsewhere"})
        assert response.status_code == 404, (method, url)

    permit.refresh_from_db()
    assert permit.status == Permit.Status.DRAFT and permit.site_address == SITE.site_address
    assert permit.documents.count() == 1


def test_a_contractor_named_on_a_draft_cannot_edit_it(client, homeowner, contractor):
    permit = draft_of(homeowner)
    services.permit_work_update(
        permit=permit,
        user=homeowner,
        work_by="contractor",
        contractor_license_number=contractor.username,
    )
    client.force_login(contractor)

    assert client.get(step_url(permit, "site")).status_code == 404


def test_a_submitted_application_no_longer_opens_in_the_wizard(client, homeowner):
    permit = permit_submitted(homeowner, "WHTR")
    client.force_login(homeowner)

    for url in (
        step_url(permit, "site"),
        step_url(permit, "review"),
        reverse("permits:draft-resume", args=[permit.pk]),
        reverse("permits:draft-delete", args=[permit.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # Submitting again is a second click on Submit: it shows the permit, changing nothing.
    response = client.post(reverse("permits:submit", args=[permit.pk]))
    assert response["Location"] == reverse("permits:detail", args=[permit.pk])
    permit.refresh_from_db()
    assert permit.status == Permit.Status.APPROVED


def test_an_unknown_step_or_draft_is_not_found(client, homeowner):
    permit = draft_of(homeowner)
    client.force_login(homeowner)

    assert client.get(f"/permits/applications/{permit.pk}/edit/payment/").status_code == 404
    assert client.get(f"/permits/applications/{permit.pk + 100}/edit/site/").status_code == 404


def test_removing_a_document_answers_only_a_post(client, rosas_draft, homeowner):
    permit, document = rosas_draft
    client.force_login(homeowner)

    response = client.get(reverse("permits:document-remove", args=[permit.pk, document.pk]))

    assert response.status_code == 405
    assert permit.documents.count() == 1
