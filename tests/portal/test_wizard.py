"""The wizard both applications walk: which step comes next, where "Back" leads, the
progress list, and "Save and finish later". The permit and license views test their own
wizards; these cases are the ones neither of them reaches (a saved step the application
skips, a draft field of another name, a first step before there is a draft)."""

from types import SimpleNamespace

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from portal.forms import form_data
from portal.urls import urlpatterns as portal_urlpatterns
from portal.wizard import SAVE_LATER, Wizard

urlpatterns = [
    path("wizard/<int:pk>/<str:step>/", HttpResponse, name="wizard-step"),
    *portal_urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)

WIZARD = Wizard(
    steps=("one", "two", "three", "four"),
    titles={"one": "One", "two": "Two", "three": "Three", "four": "Four"},
    url_name="wizard-step",
    template_dir="unused",
    draft_name="thing",
    saved_step_field="last_saved",
    save_later_label="Keep for later",
    before_first_step=lambda draft: ("/start/", "the start"),
    save_later_message=lambda draft: f"Draft {draft.pk} is kept.",
    refused=ValueError,
)
# An application that skips step "two".
STEPS = ["one", "three", "four"]


def draft(last_saved: str = "") -> SimpleNamespace:
    return SimpleNamespace(pk=7, last_saved=last_saved)


@pytest.mark.parametrize(
    ("saved", "expected"),
    [("", "one"), ("one", "three"), ("two", "three"), ("three", "four"), ("four", "four")],
)
def test_the_next_step_is_the_first_of_the_applications_after_the_saved_one(saved, expected):
    assert WIZARD.step_after(STEPS, saved) == expected


def test_a_draft_resumes_after_the_step_its_configured_field_names():
    assert WIZARD.resume_url(draft(last_saved="two"), STEPS) == "/wizard/7/three/"


def test_before_there_is_a_draft_the_progress_links_nowhere_and_back_leads_out():
    context = WIZARD.step_context(None, "one", STEPS)

    assert [item["url"] for item in context["steps"]] == ["", "", ""]
    assert (context["back_url"], context["back_title"]) == ("/start/", "the start")
    assert context["thing"] is None


def test_a_later_step_shows_its_place_and_leads_back_over_a_skipped_step():
    context = WIZARD.step_context(draft(), "three", STEPS)

    assert context["steps"] == [
        {"title": "One", "number": 1, "current": False, "url": "/wizard/7/one/"},
        {"title": "Three", "number": 2, "current": True, "url": ""},
        {"title": "Four", "number": 3, "current": False, "url": "/wizard/7/four/"},
    ]
    assert (context["step_number"], context["step_count"], context["step_title"]) == (
        2,
        3,
        "Three",
    )
    assert (context["back_url"], context["back_title"]) == ("/wizard/7/one/", "One")
    assert (context["save_later"], context["save_later_label"]) == (SAVE_LATER, "Keep for later")


def test_what_is_missing_links_to_the_step_to_add_it_in():
    missing = [SimpleNamespace(label="a photo", step="three")]

    assert WIZARD.missing_links(draft(), missing) == [
        {"label": "a photo", "url": "/wizard/7/three/", "step": "Three"}
    ]


def _post_request(data: dict):
    request = RequestFactory().post("/", data)
    request._messages = CookieStorage(request)
    return request


def test_a_saved_step_goes_on_to_the_next_one_without_a_message():
    request = _post_request({})

    response = WIZARD.saved(request, draft(), STEPS, "one")

    assert response.url == "/wizard/7/three/"
    assert list(request._messages) == []


def test_a_step_saved_for_later_goes_to_the_dashboard_with_the_apps_message():
    request = _post_request({SAVE_LATER: "1"})

    response = WIZARD.saved(request, draft(), STEPS, "one")

    assert response.url == "/dashboard/"
    assert [str(message) for message in request._messages] == ["Draft 7 is kept."]


def test_an_empty_post_still_binds_a_form_and_a_get_does_not():
    assert form_data(RequestFactory().post("/", {})) is not None
    assert form_data(RequestFactory().get("/")) is None
