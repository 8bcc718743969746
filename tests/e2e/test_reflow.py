"""Every browser test fails when a page it loaded scrolls sideways at 320 CSS px (WCAG
1.4.10; ReflowFailures in conftest.py); here a page of ours gets a table too wide for
320 px, loose and then in Bootstrap's .table-responsive, to prove the check sees the one
and lets the other scroll in its own region."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WIDE_TABLE = '<table id="reflow-probe"><tr><td>{}</td></tr></table>'.format("9" * 120)


def with_html_in_main(html: str):
    """A route handler: the page as our server answered it, with `html` at the end of main."""

    def handle(route) -> None:
        response = route.fetch()
        headers = {
            name: value for name, value in response.headers.items() if name != "content-length"
        }
        body = response.text().replace("</main>", html + "</main>")
        route.fulfill(response=response, headers=headers, body=body)

    return handle


def test_a_page_that_scrolls_sideways_at_320_px_fails_the_test(
    page, reflow_failures, live_server, demo_city
):
    page.route(f"{live_server.url}/help/", with_html_in_main(WIDE_TABLE))
    page.goto(f"{live_server.url}/help/")
    expect(page.locator("#reflow-probe")).to_be_visible()
    reflow_failures.collect(page.context)

    assert len(reflow_failures.snapshots) == 1
    with pytest.raises(pytest.fail.Exception) as failure:
        reflow_failures.assert_none()
    message = str(failure.value)
    assert f"{live_server.url}/help/: " in message
    assert 'sticking out furthest: table#reflow-probe > tbody > tr > td "999' in message
    # Made on purpose, so it does not fail this test at its end as it would any other.
    reflow_failures.snapshots.clear()


def test_a_table_that_scrolls_in_its_own_region_passes(
    page, reflow_failures, live_server, demo_city
):
    wrapped = f'<div class="table-responsive">{WIDE_TABLE}</div>'
    page.route(f"{live_server.url}/help/", with_html_in_main(wrapped))
    page.goto(f"{live_server.url}/help/")
    expect(page.locator("#reflow-probe")).to_be_visible()
    reflow_failures.collect(page.context)

    assert len(reflow_failures.snapshots) == 1
    reflow_failures.assert_none()
