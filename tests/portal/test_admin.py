"""Staff keep the city's own data in the admin, and the public pages follow."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from inspections.models import SchedulingRules
from licensing.models import BusinessClassification, LicensingSettings
from portal.admin import RequestCheckedAdminMixin
from portal.models import City, Department, FaqEntry
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="clerk", is_staff=True, is_superuser=True))
    return client


def test_staff_rename_the_city_and_change_its_time_zone(staff_client, demo_city):
    response = staff_client.post(
        "/admin/portal/city/1/change/",
        {
            "name": "City of Springfield",
            "time_zone": "America/Chicago",
            "website": "springfield.example.gov",
            "address": "1 Main Street",
        },
    )
    assert response.status_code == 302
    city = City.objects.get()
    assert (city.name, city.time_zone) == ("City of Springfield", "America/Chicago")
    assert city.website == "https://springfield.example.gov"
    assert "City of Springfield" in staff_client.get("/").content.decode()


def test_an_unknown_time_zone_is_refused_and_nothing_changes(staff_client, demo_city):
    response = staff_client.post(
        "/admin/portal/city/1/change/",
        {"name": "Renamed", "time_zone": "Mars/Olympus_Mons", "website": "", "address": ""},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert City.objects.get().name == "City of Rancho Palos Verdes (demo)"


def test_the_city_cannot_be_added_twice_or_deleted(staff_client, demo_city):
    assert staff_client.get("/admin/portal/city/add/").status_code == 403
    assert staff_client.get("/admin/portal/city/1/delete/").status_code == 403


@pytest.mark.parametrize("settings_model", [SchedulingRules, LicensingSettings])
def test_settings_of_one_row_not_yet_saved_are_listed_empty_and_may_be_added(
    staff_client, settings_model
):
    settings_model.objects.all().delete()
    listing = f"/admin/{settings_model._meta.app_label}/{settings_model._meta.model_name}/"

    assert staff_client.get(listing).status_code == 200
    assert staff_client.get(f"{listing}add/").status_code == 200


def test_staff_add_a_department_contact_that_appears_in_the_footer(staff_client, demo_city):
    response = staff_client.post(
        "/admin/portal/department/add/",
        {
            "name": "Planning",
            "handles": "Zoning and land use questions.",
            "phone": "310-555-0177",
            "email": "planning@example.gov",
            "order": "9",
            "in_footer": "on",
        },
    )
    assert response.status_code == 302
    assert Department.objects.filter(name="Planning").exists()
    assert "planning@example.gov" in staff_client.get("/").content.decode()


def add_faq_answer(client, *, question: str, slug: str):
    """Staff add a published answer to the accounts category through the admin."""
    return client.post(
        "/admin/portal/faqentry/add/",
        {
            "category": FaqEntry.objects.get(slug="locked-out").category_id,
            "question": question,
            "answer": "An answer staff wrote.",
            "slug": slug,
            "order": "9",
            "is_published": "on",
        },
    )


def test_staff_add_an_faq_answer_that_appears_on_the_help_page(staff_client, demo_city):
    response = add_faq_answer(
        staff_client, question="Can I change my username?", slug="change-username"
    )
    assert response.status_code == 302
    page = staff_client.get("/help/").content.decode()
    assert 'id="change-username"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/admin/portal/city/",
        "/admin/portal/department/",
        "/admin/portal/faqcategory/",
        "/admin/portal/faqentry/",
        "/admin/permits/permitcategory/",
        "/admin/permits/permittype/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/user/import/",
        "/admin/accounts/contractorprofile/",
        "/admin/accounts/securityquestion/",
        "/admin/accounts/licenseclassification/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
    ],
)
def test_admin_lists_open(staff_client, demo_city, path):
    assert staff_client.get(path).status_code == 200


def test_the_public_cannot_reach_the_admin(client, db):
    response = client.get("/admin/portal/city/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("anchor", ["contacts", "main", "accounts"])
def test_an_faq_anchor_that_would_clash_on_the_help_page_is_refused(
    staff_client, demo_city, anchor
):
    response = add_faq_answer(staff_client, question="A clashing answer?", slug=anchor)
    assert response.status_code == 200
    assert "anchor" in response.content.decode()
    assert not FaqEntry.objects.filter(question="A clashing answer?").exists()


@pytest.mark.parametrize(
    "page",
    [
        "/admin/licensing/businessclassification/{pk}/history/x%C3%A9/",
        "/admin/licensing/businessclassification/{pk}/history/99999999999999999999/",
        "/admin/licensing/businessclassification/abc/history/{version}/",
        "/admin/licensing/businessclassification/1%00/history/",
        "/admin/licensing/businessclassification/abc/history/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_history_address_whose_keys_are_no_keys_is_not_found(
    staff_client, demo_city, page, method
):
    """The history URLs take any text for the row's and the version's keys."""
    classification = BusinessClassification.objects.order_by("pk").first()
    version = classification.history.earliest()
    url = page.format(pk=classification.pk, version=version.history_id)

    assert getattr(staff_client, method)(url).status_code == 404


def test_every_admin_page_checks_what_a_request_sends():
    """Django's and the other apps' admins too: a new admin cannot miss the checks."""
    unchecked = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, RequestCheckedAdminMixin)
    ]
    assert unchecked == []


@pytest.mark.parametrize(
    "page",
    [
        "/admin/portal/department/{department}/change/?_to_field=",
        "/admin/portal/department/{department}/delete/?_to_field=",
        "/admin/auth/group/{group}/change/?_to_field=",
        "/admin/auth/group/{group}/delete/?_to_field=",
    ],
)
def test_an_empty_to_field_means_the_primary_key(staff_client, demo_city, page):
    url = page.format(
        department=Department.objects.order_by("pk").first().pk,
        group=Group.objects.order_by("pk").first().pk,
    )
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999", "9" * 5000, "1\x00"])
@pytest.mark.parametrize(
    "changelist, model",
    [("/admin/portal/department/", Department), ("/admin/auth/group/", Group)],
)
def test_an_action_for_rows_that_are_no_rows_changes_nothing(
    staff_client, demo_city, selected, changelist, model
):
    before = model.objects.count()
    chosen = [model.objects.order_by("pk").first().pk, selected]

    ask = staff_client.post(
        changelist, {"action": "delete_selected", "index": "0", "_selected_action": chosen}
    )
    confirm = staff_client.post(
        changelist, {"action": "delete_selected", "post": "yes", "_selected_action": chosen}
    )

    assert ask.status_code == confirm.status_code == 302
    assert model.objects.count() == before


@pytest.mark.parametrize("username", ["9" * 100_000, "a" * 255])
def test_the_admin_login_refuses_a_username_longer_than_any_login(client, db, username):
    response = client.post("/admin/login/", {"username": username, "password": "secret"})

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
