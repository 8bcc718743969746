"""Creating an account and logging in, as people do it in Chromium, on a desktop and a phone."""

import datetime
import re

import pytest
from django.contrib.auth.hashers import check_password
from playwright.sync_api import expect

from accounts.models import ContractorProfile, User
from tests.e2e.conftest import PHONE, assert_accessible, labelled
from tests.factories import ContractorFactory, UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SECURITY_QUESTION = "What was the name of your first pet?"
SECURITY_ANSWER = "  Captain   Whiskers "

# The public form as the West Hollywood guide lists it: label → what the person types.
PUBLIC_REQUIRED = {
    "Username": "rosa.delgado",
    "Password": PASSWORD,
    "Password (again)": PASSWORD,
    "Email": "rosa.delgado@example.org",
    "First name": "Rosa",
    "Last name": "Delgado",
    "Phone": "323-555-0142",
    "Mailing address": "8300 Santa Monica Blvd",
    "City": "West Hollywood",
    "State": "CA",
    "ZIP code": "90069",
    "Security question": SECURITY_QUESTION,
    "Answer": SECURITY_ANSWER,
}
PUBLIC_OPTIONAL = ["Address line 2"]


def field(page, label: str):
    """The control a label names in the account form."""
    return labelled(page.locator("form.account-form"), label)


def classification(code: str, name: str) -> re.Pattern:
    """A license classification's checkbox label: its code, then its name."""
    return re.compile(rf"^{re.escape(code)}\W+{re.escape(name)}$")


def fill(page, values: dict[str, str]) -> None:
    for label, value in values.items():
        control = field(page, label)
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)


def log_in(page, live_server, account_type: str, login: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?as={account_type}")
    login_label = (
        "CSLB license number" if account_type == "contractor" else "Username or email address"
    )
    field(page, login_label).fill(login)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")


def no_sideways_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"the page scrolls sideways: {scroll_width}px wide"


def test_a_public_user_follows_the_city_guide_on_a_phone(
    phone_page, live_server, demo_city, axe, mailoutbox
):
    page = phone_page
    page.goto(live_server.url + "/")

    page.locator("header").get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(live_server.url + "/accounts/signup/")
    page.get_by_role("link", name="Create a public account").click()
    expect(page).to_have_url(live_server.url + "/accounts/signup/public/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a New Public User Account")
    no_sideways_scroll(page)
    assert_accessible(axe, page)

    # Every field the guide fills carries a visible "*", and only those.
    marked = page.locator("form.account-form label:has(span.required-mark)")
    marked_ids = {label.get_attribute("for") for label in marked.all()}
    expected_ids = {field(page, label).get_attribute("id") for label in PUBLIC_REQUIRED}
    assert marked_ids == expected_ids
    for label in PUBLIC_REQUIRED:
        control_id = field(page, label).get_attribute("id")
        mark = page.locator(f"label[for='{control_id}'] .required-mark")
        expect(mark).to_be_visible()
        expect(mark).to_have_text("*")
    for label in PUBLIC_OPTIONAL:
        control_id = field(page, label).get_attribute("id")
        expect(page.locator(f"label[for='{control_id}'] .required-mark")).to_have_count(0)

    fill(page, PUBLIC_REQUIRED)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server.url + "/accounts/welcome/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been created")
    expect(page.get_by_role("main")).to_contain_text("rosa.delgado@example.org")
    page.get_by_role("link", name="Continue").click()

    expect(page).to_have_url(live_server.url + "/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    for section in ("My permits", "Inspections", "Business licenses", "Fees due"):
        expect(page.get_by_role("heading", name=section, level=2)).to_be_visible()
    username = page.locator("header strong.username")
    expect(username).to_have_text("rosa.delgado")
    box = username.bounding_box()
    assert box["x"] + box["width"] / 2 > PHONE["width"] / 2, "the username is not on the right"
    assert box["y"] < 100, "the username is not at the top"
    no_sideways_scroll(page)

    user = User.objects.get(username="rosa.delgado")
    assert user.account_type == User.AccountType.PUBLIC
    assert user.email == "rosa.delgado@example.org"
    assert (user.address_city, user.address_postal_code) == ("West Hollywood", "90069")
    assert user.security_question.text == SECURITY_QUESTION
    assert "whiskers" not in user.security_answer_hash.lower()
    assert check_password("captain whiskers", user.security_answer_hash)
    assert user.check_password(PASSWORD)
    assert not ContractorProfile.objects.filter(user=user).exists()
    confirmations = [mail for mail in mailoutbox if mail.subject == "Confirm your email address"]
    assert [mail.to for mail in confirmations] == [["rosa.delgado@example.org"]]
    assert "/accounts/confirm-email/" in confirmations[0].body


def test_a_contractor_signs_up_waits_for_verification_and_logs_back_in(
    page, live_server, demo_city
):
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("link", name="Create a contractor account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create New Contractor Account")

    next_year = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()
    fill(
        page,
        {
            "CSLB license number": "1029384",
            "Password": PASSWORD,
            "Password (again)": PASSWORD,
            "Business name": "Sunset Strip Roofing",
            "State license expires on": next_year,
            "Workers' compensation carrier": "State Compensation Insurance Fund",
            "Policy number": "WC-7654321",
            "Policy expires on": next_year,
            "Email": "office@sunsetroofing.example",
            "Contact first name": "Marco",
            "Contact last name": "Ruiz",
            "Phone": "323-555-0188",
            "Mailing address": "9000 Sunset Blvd",
            "City": "West Hollywood",
            "State": "CA",
            "ZIP code": "90069",
            "Security question": SECURITY_QUESTION,
            "Answer": "Rex",
        },
    )
    classifications = page.get_by_role("group", name="License classifications")
    classifications.get_by_label(classification("B", "General Building Contractor")).check()
    classifications.get_by_label(classification("C-39", "Roofing Contractor")).check()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server.url + "/accounts/welcome/")
    expect(page.get_by_role("main")).to_contain_text("The Permit Center will verify your")
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(live_server.url + "/dashboard/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("The Permit Center has not yet verified your license")
    expect(main).to_contain_text("Waiting for verification")
    expect(main).to_contain_text("Sunset Strip Roofing")
    expect(page.locator("strong.username")).to_have_text("1029384")

    profile = ContractorProfile.objects.get(user__username="1029384")
    assert profile.user.account_type == User.AccountType.CONTRACTOR
    assert sorted(profile.classifications.values_list("code", flat=True)) == ["B", "C-39"]
    assert not profile.is_verified

    page.locator("header").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("strong.username")).to_have_count(0)

    page.locator("details.login-menu summary").click()
    page.locator("details.login-menu").get_by_role("link", name="Contractor").click()
    expect(page).to_have_url(live_server.url + "/accounts/login/?as=contractor")
    field(page, "CSLB license number").fill("1029384")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    expect(page).to_have_url(live_server.url + "/dashboard/")
    expect(page.locator("strong.username")).to_have_text("1029384")
    expect(page.get_by_role("main")).to_contain_text("Waiting for verification")


def field_error(page, label: str):
    """The error shown under a field, inside the field's own block."""
    block = field(page, label).locator("xpath=ancestor::div[contains(@class, 'form-field')][1]")
    return block.locator(".invalid-feedback")


def test_bad_input_is_explained_beside_the_field(page, live_server, demo_city, axe):
    users_before = User.objects.count()
    page.goto(live_server.url + "/accounts/signup/contractor/")
    next_year = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()
    fill(
        page,
        {
            "CSLB license number": "ABC-123",
            "Password": PASSWORD,
            "Password (again)": PASSWORD,
            "Business name": "Letters Construction",
            "State license expires on": next_year,
            "Email": "letters@example.org",
            "Contact first name": "Ana",
            "Contact last name": "Lee",
            "Phone": "323-555-0100",
            "Mailing address": "1 Main St",
            "City": "West Hollywood",
            "State": "CA",
            "ZIP code": "90069",
            "Security question": SECURITY_QUESTION,
            "Answer": "Rex",
        },
    )
    page.get_by_label(classification("B", "General Building Contractor")).check()
    field(page, "Exempt from workers' compensation").check()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server.url + "/accounts/signup/contractor/")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    license_number = field(page, "CSLB license number")
    expect(field_error(page, "CSLB license number")).to_have_text(
        "A CSLB license number is digits only, such as 1029384, with no letters, spaces "
        "or leading zeros."
    )
    expect(license_number).to_have_value("ABC-123")
    expect(license_number).to_have_attribute("aria-invalid", "true")
    expect(license_number).to_have_attribute(
        "aria-describedby", "id_username_helptext id_username_error"
    )
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    assert_accessible(axe, page)
    assert User.objects.count() == users_before

    page.goto(live_server.url + "/accounts/signup/public/")
    fill(page, {**PUBLIC_REQUIRED, "Password (again)": "correct-horse-battery-2"})
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server.url + "/accounts/signup/public/")
    expect(field_error(page, "Password (again)")).to_have_text(
        "You must type the same password each time."
    )
    expect(field(page, "Username")).to_have_value("rosa.delgado")
    assert_accessible(axe, page)
    assert not User.objects.filter(username="rosa.delgado").exists()
    assert User.objects.count() == users_before


def test_the_account_pages_have_no_accessibility_violations(page, live_server, demo_city, axe):
    failures = []
    for path in (
        "/accounts/signup/",
        "/accounts/signup/public/",
        "/accounts/signup/contractor/",
        "/accounts/login/?as=public",
        "/accounts/login/?as=contractor",
        "/accounts/password/reset/",
        "/accounts/password/reset/?as=contractor",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/garbled-key/",
    ):
        page.goto(live_server.url + path)
        try:
            assert_accessible(axe, page)
        except AssertionError as error:
            failures.append(f"{path}:\n{error}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("account_type", ["public", "contractor"])
def test_a_logged_in_persons_pages_have_no_accessibility_violations(
    page, phone_page, live_server, demo_city, axe, account_type
):
    user = (ContractorFactory if account_type == "contractor" else UserFactory)()
    log_in(page, live_server, account_type, user.username)
    expect(page.locator("strong.username")).to_have_text(user.username)
    assert_accessible(axe, page)  # the dashboard

    for path, heading in (
        ("/accounts/welcome/", "Your account has been created"),
        ("/accounts/profile/", "My account"),
        ("/accounts/profile/security-question/", "Security question"),
        ("/accounts/email/", None),
        ("/accounts/password/change/", None),
    ):
        page.goto(live_server.url + path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(axe, page)
    if account_type == "contractor":
        page.goto(live_server.url + "/accounts/profile/contractor/")
        assert_accessible(axe, page)

    # The same session on a 375 px phone.
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(live_server.url + "/dashboard/")
    expect(phone_page.locator("strong.username")).to_have_text(user.username)
    no_sideways_scroll(phone_page)
    assert_accessible(axe, phone_page)


def test_the_lockout_and_first_login_pages_have_no_accessibility_violations(
    page, live_server, demo_city, axe
):
    UserFactory(username="rosa")
    for _attempt in range(5):
        page.goto(live_server.url + "/accounts/login/")
        field(page, "Username or email address").fill("rosa")
        field(page, "Password").fill("wrong")
        page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account locked for now")
    expect(page.get_by_role("alert")).to_contain_text("It unlocks automatically in 5 minutes.")
    assert_accessible(axe, page)

    UserFactory(username="newcomer", must_change_password=True, security_question=None)
    page.goto(live_server.url + "/accounts/login/")
    field(page, "Username or email address").fill("newcomer")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/accounts/setup/")
    assert_accessible(axe, page)
