"""Home, help and error pages as a person sees them in Chromium, on a desktop and a phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/help/",
        "/permits/search/?q=RERF2026-0001",
        "/permits/search/?q=",
        "/accounts/login/?as=contractor",
        "/nope/",
    ],
)
def test_pages_have_no_accessibility_violations(page, live_server, demo_city, axe, path):
    page.goto(live_server.url + path)
    assert_accessible(axe, page)


@pytest.mark.parametrize("path", ["/", "/help/"])
def test_pages_fit_a_375_pixel_phone_and_stay_accessible(
    phone_page, live_server, demo_city, axe, path
):
    phone_page.goto(live_server.url + path)

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px wide"
    for label in ("Home", "Search permits", "Apply", "Help"):
        expect(
            phone_page.get_by_role("navigation", name="Main").get_by_role("link", name=label)
        ).to_be_visible()
    assert_accessible(axe, phone_page)


def test_home_search_takes_a_permit_number_to_the_search_page(page, live_server, demo_city):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Permits, inspections and business licenses online"
    )
    expect(page.get_by_role("heading", name="Community Development")).to_be_visible()

    page.get_by_label("Search permits by number, address or contractor").fill("RERF2026-0001")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(live_server.url + "/permits/search/?q=RERF2026-0001")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search permits")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(
    page, live_server, demo_city
):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()

    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()


def test_the_log_in_menu_offers_public_and_contractor_from_the_keyboard(
    page, live_server, demo_city
):
    page.goto(live_server.url + "/")
    contractor = page.get_by_role("link", name="Contractor")
    expect(contractor).to_be_hidden()

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the Log in menu
    page.keyboard.press("Enter")

    expect(page.get_by_role("link", name="Public user")).to_be_visible()
    expect(contractor).to_be_visible()
    contractor.click()
    expect(page).to_have_url(live_server.url + "/accounts/login/?as=contractor")


def test_the_log_in_menu_works_without_javascript(new_context, live_server, demo_city):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_text("Log in", exact=True).click()
    expect(page.get_by_role("link", name="Contractor")).to_be_visible()
    context.close()


def test_a_link_to_an_faq_answer_lands_on_it(page, live_server, demo_city):
    page.goto(live_server.url + "/help/#locked-out")
    answer = page.get_by_role("heading", name="My account is locked. How do I get back in?")
    expect(answer).to_be_in_viewport()
    page.get_by_role("link", name="Contacts").first.click()
    expect(page.get_by_role("heading", name="Permit Portal Support")).to_be_in_viewport()
