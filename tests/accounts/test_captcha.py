"""reCAPTCHA v2 with Google's siteverify call faked at the HTTP edge (urllib's opener)."""

import io
import json
from urllib.error import URLError
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from accounts.models import User
from tests.accounts.support import field_errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITEVERIFY = "https://www.google.com/recaptcha/api/siteverify"


class FakeGoogle:
    """Answers siteverify like Google does, and remembers what it was asked."""

    def __init__(self, success: bool = True, unreachable: bool = False):
        self.success = success
        self.unreachable = unreachable
        self.requests: list[dict] = []

    def build_opener(self, *handlers):
        return self

    def open(self, request, timeout=None):
        assert request.full_url == SITEVERIFY
        self.requests.append({k: v[0] for k, v in parse_qs(request.data.decode()).items()})
        if self.unreachable:
            raise URLError("network is unreachable")
        body = {"success": self.success}
        if not self.success:
            body["error-codes"] = ["invalid-input-response"]
        return io.BytesIO(json.dumps(body).encode())


@pytest.fixture
def captcha_keys(settings):
    settings.RECAPTCHA_PUBLIC_KEY = "site-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "secret-key-for-tests"


@pytest.fixture
def google(monkeypatch, captcha_keys):
    fake = FakeGoogle()
    monkeypatch.setattr("django_recaptcha.client.build_opener", fake.build_opener)
    return fake


def test_signup_shows_the_checkbox_directly_above_the_submit_button(client, captcha_keys):
    page = client.get("/accounts/signup/contractor/").content.decode()
    form = page[page.index('<form method="post"') : page.index("</form>")]

    checkbox = form.index('class="g-recaptcha"')
    assert form.index("</button>") > checkbox
    assert "<input" not in form[checkbox:] and "<select" not in form[checkbox:]
    assert 'data-sitekey="site-key-for-tests"' in form
    assert "running without a CAPTCHA" not in page


def test_signup_passes_when_google_says_so(client, google, public_signup_data):
    data = {**public_signup_data, "g-recaptcha-response": "token-from-the-browser"}
    response = client.post("/accounts/signup/public/", data, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    assert User.objects.filter(username="rosa.delgado").exists()
    assert google.requests == [
        {
            "secret": "secret-key-for-tests",
            "response": "token-from-the-browser",
            "remoteip": "203.0.113.9",
        }
    ]


def test_signup_fails_when_google_says_no_and_saves_nothing(client, google, public_signup_data):
    google.success = False
    data = {**public_signup_data, "g-recaptcha-response": "forged"}

    response = client.post("/accounts/signup/public/", data)

    assert field_errors(response, "captcha") == [
        "The “I'm not a robot” check did not pass; tick the box again."
    ]
    assert not User.objects.exists()


def test_signup_without_ticking_the_box_says_where_it_is(client, google, public_signup_data):
    response = client.post("/accounts/signup/public/", public_signup_data)

    assert field_errors(response, "captcha") == ["Tick the “I'm not a robot” box above the button."]
    assert google.requests == []


def test_google_unreachable_is_a_message_not_an_error_page(client, google, public_signup_data):
    google.unreachable = True
    data = {**public_signup_data, "g-recaptcha-response": "token"}

    response = client.post("/accounts/signup/public/", data)

    assert response.status_code == 200
    assert "could not check" in field_errors(response, "captcha")[0]
    assert not User.objects.exists()


def test_login_asks_for_the_captcha_only_after_a_failure(client, google):
    UserFactory(username="rosa")
    assert "g-recaptcha" not in client.get("/accounts/login/").content.decode()

    failed = client.post("/accounts/login/", {"login": "rosa", "password": "wrong"})
    assert "g-recaptcha" in failed.content.decode()

    unticked = client.post(
        "/accounts/login/", {"login": "rosa", "password": "correct-horse-battery"}
    )
    assert unticked.status_code == 200
    assert field_errors(unticked, "captcha")

    ticked = client.post(
        "/accounts/login/",
        {"login": "rosa", "password": "correct-horse-battery", "g-recaptcha-response": "ok"},
    )
    assert ticked.status_code == 302


def test_a_fresh_session_still_gets_the_captcha_for_an_account_with_failures(client, google):
    UserFactory(username="rosa")
    client.post("/accounts/login/", {"login": "rosa", "password": "wrong"})
    client.cookies.clear()

    response = client.post(
        "/accounts/login/", {"login": "rosa", "password": "correct-horse-battery"}
    )

    assert response.status_code == 200 and field_errors(response, "captcha")


def test_password_reset_has_the_captcha(client, google):
    page = client.get("/accounts/password/reset/").content.decode()
    assert "g-recaptcha" in page

    response = client.post("/accounts/password/reset/", {"email": "rosa@example.org"})
    assert response.status_code == 200 and field_errors(response, "captcha")


def test_without_keys_the_deploy_check_warns(settings):
    settings.RECAPTCHA_PUBLIC_KEY = settings.RECAPTCHA_PRIVATE_KEY = ""
    with pytest.raises(SystemCheckError, match=r"portal\.W002"):
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=io.StringIO())
