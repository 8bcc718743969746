"""Where a `next` parameter may send a person: only to a path on this site. Anything else
(another site, a scheme, a bare word Django would take for a view name, a header
injection) goes to the page's own default, and never becomes a 500."""

import pytest
from django.http import HttpResponseRedirect
from django.test import Client, RequestFactory

from portal.links import own_site_path, redirect_back
from tests.factories import UserFactory

# Values a `next` parameter has been seen to carry that lead nowhere of ours: bare words
# (which `django.shortcuts.redirect` would look up as view names), other sites and
# schemes, Chrome's backslash-as-slash, nothing at all, and control characters.
NOT_OUR_PATHS = [
    "NaN",
    "true",
    "0x10",
    "' OR 1=1--",
    "dashboard/",
    "//evil.example/x",
    "https://evil.example/",
    "https://testserver/dashboard/",
    "javascript:alert(1)",
    "/\\evil.example",
    "",
    "/dashboard/\x00",
    "/dashboard/\nLocation: https://evil.example/",
    "/\t/evil.example/",
]
OUR_PATH = "/dashboard/#fees-due"
DEFAULT = "/permits/"


def request(secure: bool = False):
    return RequestFactory().post("/payments/pay/", secure=secure)


@pytest.mark.parametrize("next_url", NOT_OUR_PATHS)
def test_a_next_that_is_not_a_path_of_ours_is_refused(next_url):
    assert own_site_path(request(), next_url) == ""


@pytest.mark.parametrize("next_url", NOT_OUR_PATHS)
def test_going_back_to_a_next_not_of_ours_goes_to_the_default(next_url):
    response = redirect_back(request(), next_url, default=DEFAULT)

    assert isinstance(response, HttpResponseRedirect)
    assert response["Location"] == DEFAULT


@pytest.mark.parametrize(
    "next_url", [OUR_PATH, "/permits/search/?q=RERF2026-0001&page=2", "/admin/inspections/"]
)
def test_a_path_of_ours_is_kept(next_url):
    assert own_site_path(request(), next_url) == next_url
    assert redirect_back(request(), next_url, default=DEFAULT)["Location"] == next_url


def test_a_path_of_ours_is_kept_over_https_too():
    assert own_site_path(request(secure=True), OUR_PATH) == OUR_PATH


# allauth reads its own `next` on the login page; whatever it is, the page answers.


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", NOT_OUR_PATHS)
def test_the_login_page_answers_whatever_next_it_is_given(client, next_url):
    UserFactory(username="rosa")

    page = client.get("/accounts/login/", {"next": next_url})
    assert page.status_code == 200

    logged_in = client.post(
        "/accounts/login/",
        {"as": "public", "login": "rosa", "password": "correct-horse-battery", "next": next_url},
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == "/dashboard/"


@pytest.mark.django_db
def test_the_login_page_goes_on_to_a_path_of_ours():
    UserFactory(username="rosa")
    logged_in = Client().post(
        "/accounts/login/",
        {"as": "public", "login": "rosa", "password": "correct-horse-battery", "next": "/help/"},
    )
    assert logged_in["Location"] == "/help/"
