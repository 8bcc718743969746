"""Every browser test fails when a page breaks the Content-Security-Policy; here a page of
ours, served with the policy our server sends, carries inline code to prove the watch sees it."""

import pytest
from playwright.sync_api import expect

INLINE_CODE = (
    '<p id="inline-probe" style="color: rgb(255, 0, 0)">untouched</p>'
    "<style>#inline-probe { font-weight: 900 }</style>"
    "<script>document.getElementById('inline-probe').textContent = 'script ran';</script>"
)


def with_inline_code(route) -> None:
    """The page as our server answered it, headers and all, with inline code added."""
    response = route.fetch()
    headers = {name: value for name, value in response.headers.items() if name != "content-length"}
    body = response.text().replace("</main>", INLINE_CODE + "</main>")
    route.fulfill(response=response, headers=headers, body=body)


def test_a_page_with_inline_code_is_blocked_and_fails_the_test(
    page, csp_violations, live_server, demo_city
):
    page.route(f"{live_server.url}/help/", with_inline_code)
    page.goto(f"{live_server.url}/help/")

    probe = page.locator("#inline-probe")
    expect(probe).to_have_text("untouched")
    expect(probe).not_to_have_css("color", "rgb(255, 0, 0)")
    expect(probe).not_to_have_css("font-weight", "900")
    page.context.close()
    refused = "\n".join(csp_violations.messages)
    assert refused.count("inline style violates") == 2, refused
    assert refused.count("inline script violates") == 1, refused
    with pytest.raises(pytest.fail.Exception, match="inline script violates"):
        csp_violations.assert_none()
    # Made on purpose, so they do not fail this test at its end as they would any other.
    csp_violations.messages.clear()
