import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from permits.models import PermitType
from portal.middleware import CityTimezoneMiddleware
from portal.models import City, Department
from tests.factories import (
    DepartmentFactory,
    FaqEntryFactory,
    PermitTypeFactory,
    UserFactory,
)


def test_home_lists_online_permit_types_by_category_with_a_search_box(client, demo_city):
    PermitType.objects.filter(name="Haul Route").update(is_online=False)

    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Community Development" in page and "Parking and Other" in page
    assert "Reroof" in page and "Oversized Vehicle Parking" in page
    assert "Haul Route" not in page
    assert 'action="/permits/search/"' in page and 'name="q"' in page
    assert 'href="/help/#contacts"' in page


def test_home_says_so_when_nothing_is_offered_online(client, db):
    response = client.get("/")
    assert "No permit types are open for online application yet" in response.content.decode()


def test_home_reads_a_fixed_number_of_queries_however_large_the_catalogue(
    client, db, django_assert_max_num_queries
):
    PermitTypeFactory.create_batch(30)
    DepartmentFactory.create_batch(8)
    # City and departments (cached after the first request), categories, their types.
    with django_assert_max_num_queries(4):
        client.get("/")


def test_the_layout_shows_the_city_navigation_login_choices_and_footer_contacts(client, demo_city):
    page = client.get("/").content.decode()

    assert "City of Rancho Palos Verdes (demo)" in page
    assert 'href="#main"' in page and 'id="main"' in page
    for label, url in (
        ("Home", "/"),
        ("Search permits", "/permits/search/"),
        ("Apply", "/permits/apply/"),
        ("Help", "/help/"),
    ):
        assert f'href="{url}"' in page and f">{label}</a>" in page
    assert "/accounts/login/?as=public" in page
    assert "/accounts/login/?as=contractor" in page
    assert "Building and Safety" in page and 'href="tel:+13105445280"' in page
    # Listed on the help page only.
    assert "Permit Portal Support" not in page


def test_the_username_shows_once_logged_in(client, db):
    client.force_login(UserFactory(username="rdelgado"))
    page = client.get("/").content.decode()
    assert '<strong class="username">rdelgado</strong>' in page
    assert "?as=contractor" not in page


def test_an_edit_to_the_city_shows_on_the_next_page(client, demo_city):
    client.get("/")  # fills the cache
    city = City.objects.get()
    city.name = "City of Springfield"
    city.save()
    Department.objects.filter(name="Public Works").delete()

    page = client.get("/").content.decode()

    assert "City of Springfield" in page
    assert "publicworks@demo-city.example" not in page


def test_the_city_logo_is_shown_in_the_header(client, demo_city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (96, 96), "navy").save(buffer, format="PNG")
    city = City.objects.get()
    city.logo = SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")
    city.save()

    page = client.get("/").content.decode()

    assert f'<img src="{city.logo.url}" alt=""' in page
    assert client.get(city.logo.url).status_code == 200


def test_requests_run_in_the_city_time_zone(rf, demo_city, settings):
    City.objects.filter(pk=1).update(time_zone="America/New_York")
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    CityTimezoneMiddleware(view)(rf.get("/"))

    assert seen["zone"] == "America/New_York"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_help_groups_the_faq_by_category_with_anchors_and_lists_every_contact(client, demo_city):
    page = client.get(reverse("help")).content.decode()

    assert '<h2 id="accounts">Accounts and signing in</h2>' in page
    assert 'href="#accounts"' in page
    assert 'id="locked-out"' in page and "locked for five" in page
    assert 'id="contacts"' in page and "Permit Portal Support" in page
    assert page.index('id="using-the-portal"') < page.index('id="business-licenses"')


def test_help_without_city_data_still_tells_people_where_to_turn(client, db):
    page = client.get(reverse("help")).content.decode()
    assert "No questions have been answered here yet" in page
    assert "Visit or call City Hall" in page
    assert "Contact the city" not in page


def test_help_hides_unpublished_answers_and_escapes_answer_text(client, db):
    FaqEntryFactory(question="Visible?", answer="<script>alert(1)</script>")
    FaqEntryFactory(question="Hidden?", is_published=False)

    page = client.get(reverse("help")).content.decode()

    assert "Visible?" in page
    assert "Hidden?" not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_help_reads_a_fixed_number_of_queries_however_long_the_faq(
    client, db, django_assert_max_num_queries
):
    FaqEntryFactory.create_batch(40)
    DepartmentFactory.create_batch(10)
    with django_assert_max_num_queries(4):
        client.get(reverse("help"))


def test_an_unknown_url_gets_the_styled_not_found_page(client, demo_city):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "City of Rancho Palos Verdes (demo)" in page


def test_a_page_an_account_may_not_use_gets_the_styled_no_access_page(client, demo_city):
    clerk = UserFactory(username="clerk", is_staff=True, account_type="staff")
    client.force_login(clerk)

    response = client.get(reverse("admin:accounts_user_import"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this page" in page
    assert "City of Rancho Palos Verdes (demo)" in page


@override_settings(ROOT_URLCONF="tests.portal.urls_failing")
def test_a_server_error_gets_the_styled_error_page(client, demo_city):
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "City of Rancho Palos Verdes (demo)" in page


@override_settings(ROOT_URLCONF="tests.portal.urls_failing")
def test_the_error_page_still_answers_when_the_layout_cannot_render(client, db, monkeypatch):
    def database_down():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr("portal.context_processors.city_profile", database_down)
    client.raise_request_exception = False
    response = client.get("/fail-without-city/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()


def test_apply_asks_visitors_to_log_in(client, db):
    response = client.get(reverse("permits:apply"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/permits/apply/")


def test_apply_lists_the_online_types_once_logged_in(client, demo_city):
    client.force_login(UserFactory())
    page = client.get(reverse("permits:apply")).content.decode()
    assert "Electrical Panel Upgrade" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [("", 'id="search-hint"'), ("x" * 121, "at most 120 characters")],
)
def test_permit_search_explains_an_empty_or_overlong_query(client, db, query, message):
    response = client.get(reverse("permits:search"), {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Results for" not in page


def test_the_login_page_sits_in_the_portal_layout(client, demo_city):
    response = client.get("/accounts/login/?as=contractor")
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index('<main id="main"') : page.index("</main>")]
    assert 'name="login"' in main and 'name="password"' in main
    title = page[page.index("<title>") + len("<title>") : page.index("</title>")]
    assert " ".join(title.split()) == "Log in · City of Rancho Palos Verdes (demo)"
