"""Every response tells the browser what its page may load (Content-Security-Policy) and use
(Permissions-Policy); Stripe's and Google's hosts are allowed only while they are configured."""

import io
import json
import re

import pytest
from django.http import FileResponse
from django.test import Client
from django.urls import path

from tests.conftest import PROJECT_ROOT, run_django
from tests.factories import UserFactory
from tests.portal.test_settings import PRODUCTION

OWN_FILES_ONLY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
STRIPE_CHECKOUT = "https://checkout.stripe.com"
RECAPTCHA_SCRIPTS = [
    "'self'",
    "https://www.google.com/recaptcha/",
    "https://www.gstatic.com/recaptcha/",
]
RECAPTCHA_FRAMES = ["https://www.google.com/recaptcha/", "https://recaptcha.google.com/recaptcha/"]
DENIED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb"}


def a_pdf_download(request):
    """A file handed over as downloads are (portal.downloads), outside any template."""
    pdf = io.BytesIO(b"%PDF-1.7\n%%EOF\n")
    return FileResponse(pdf, as_attachment=True, filename="permit.pdf")


urlpatterns = [path("permit.pdf", a_pdf_download)]


def policy_of(response) -> dict[str, list[str]]:
    directives = (directive.split() for directive in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def permissions_of(response) -> dict[str, str]:
    features = (feature.strip().split("=") for feature in response["Permissions-Policy"].split(","))
    return dict(features)


@pytest.fixture
def no_outside_services(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.RECAPTCHA_PUBLIC_KEY = ""
    settings.RECAPTCHA_PRIVATE_KEY = ""
    return settings


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/help/", 200),
        ("/permits/search/?q=RERF2026-0001", 200),
        ("/accounts/login/", 200),
        ("/admin/login/", 200),
        ("/no-such-page/", 404),
    ],
)
def test_pages_admin_and_error_pages_carry_both_policies(
    client, demo_city, no_outside_services, url, status
):
    response = client.get(url)

    assert response.status_code == status
    assert policy_of(response) == OWN_FILES_ONLY
    assert permissions_of(response).keys() >= DENIED_FEATURES


def test_a_staff_members_admin_pages_carry_both_policies(client, demo_city, no_outside_services):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, account_type="staff"))

    response = client.get("/admin/permits/permit/")

    assert response.status_code == 200
    assert policy_of(response) == OWN_FILES_ONLY
    assert "Permissions-Policy" in response


def test_a_download_carries_both_policies(client, db, no_outside_services):
    no_outside_services.ROOT_URLCONF = __name__

    response = client.get("/permit.pdf")

    assert response["Content-Disposition"] == 'attachment; filename="permit.pdf"'
    assert policy_of(response) == OWN_FILES_ONLY
    assert "Permissions-Policy" in response


def test_a_refused_form_answers_with_our_page_without_inline_style(demo_city, no_outside_services):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "rosa"})

    assert response.status_code == 403
    assert policy_of(response) == OWN_FILES_ONLY
    page = response.content.decode()
    assert "We could not accept that form" in page
    assert "<style" not in page and 'href="/static/css/portal.css"' in page


def test_stripe_checkout_may_receive_a_form_only_while_stripe_is_configured(
    client, demo_city, no_outside_services
):
    assert policy_of(client.get("/"))["form-action"] == ["'self'"]

    no_outside_services.STRIPE_SECRET_KEY = "sk_test_example"

    assert policy_of(client.get("/")) == {
        **OWN_FILES_ONLY,
        "form-action": ["'self'", STRIPE_CHECKOUT],
    }


@pytest.mark.parametrize(
    ("public_key", "private_key"), [("site-key", ""), ("", "secret-key")], ids=["public", "private"]
)
def test_one_recaptcha_key_alone_allows_no_google_host(
    client, demo_city, no_outside_services, public_key, private_key
):
    no_outside_services.RECAPTCHA_PUBLIC_KEY = public_key
    no_outside_services.RECAPTCHA_PRIVATE_KEY = private_key

    assert policy_of(client.get("/accounts/password/reset/")) == OWN_FILES_ONLY


def test_recaptcha_keys_allow_googles_script_and_frame_and_the_checkbox_needs_no_inline_script(
    client, demo_city, no_outside_services
):
    no_outside_services.RECAPTCHA_PUBLIC_KEY = "site-key"
    no_outside_services.RECAPTCHA_PRIVATE_KEY = "secret-key"

    response = client.get("/accounts/password/reset/")

    assert policy_of(response) == {
        **OWN_FILES_ONLY,
        "script-src": RECAPTCHA_SCRIPTS,
        "frame-src": RECAPTCHA_FRAMES,
    }
    page = response.content.decode()
    assert 'class="g-recaptcha"' in page
    assert '<script src="https://www.google.com/recaptcha/api.js?hl=en"></script>' in page
    assert "<script>" not in page and "data-callback" not in page


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"STRIPE_SECRET_KEY": "sk_test_example"},
        {"RECAPTCHA_PUBLIC_KEY": "site-key", "RECAPTCHA_PRIVATE_KEY": "secret-key"},
    ],
    ids=["none", "stripe", "recaptcha"],
)
def test_no_configuration_allows_inline_code_or_eval(client, demo_city, no_outside_services, keys):
    for name, value in keys.items():
        setattr(no_outside_services, name, value)

    assert "unsafe-" not in client.get("/").headers["Content-Security-Policy"]


def test_the_permissions_policy_denies_every_feature_it_names(client, demo_city):
    features = permissions_of(client.get("/"))

    assert features.keys() >= DENIED_FEATURES
    assert set(features.values()) == {"()"}


def test_production_passes_the_checklist_and_allows_its_stripe_and_recaptcha():
    result = run_django(
        "import json\n"
        "from csp.utils import build_policy\n"
        "from django.core.management import call_command\n"
        "from portal.middleware import directives_joined, outside_service_directives\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print(json.dumps(build_policy(update=directives_joined(*outside_service_directives()))))",
        PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    policy = json.loads(result.stdout.splitlines()[-1])
    assert f"form-action 'self' {STRIPE_CHECKOUT}" in policy
    assert "script-src 'self' https://www.google.com/recaptcha/" in policy


# Inline code a page could carry; e-mails and the PDFs WeasyPrint draws are no browser's pages.
INLINE_CODE = re.compile(r"""style=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=["']|javascript:""")
NOT_PAGES = {"email", "pdf"}


def test_no_page_template_holds_inline_style_or_script():
    templates = PROJECT_ROOT / "templates"
    offenders = [
        f"{template.relative_to(templates)}: {match.group()}"
        for template in sorted(templates.rglob("*.html"))
        if not NOT_PAGES & set(template.relative_to(templates).parts)
        for match in INLINE_CODE.finditer(template.read_text())
    ]
    assert offenders == []
