"""The main journeys in Chromium with the keyboard alone: Tab and Shift+Tab to move, Enter
and Space to act, arrow keys inside a radio group, typing into the field that has focus.
Nothing is clicked or filled by selector; locators only name where focus should arrive.

After every key that moves focus, the element that has it must be seen: rendered, in the
viewport, not covered, clipped or inside anything hidden, and with an indicator: an
outline or box-shadow it does not have unfocused, in a colour of 3:1 or more against what
is behind it (WCAG 2.4.7, 1.4.11). Every page's first Tab stop is the skip link, which
takes focus to the main content. Tab that leaves focus where it was, or that does not
reach its target within TAB_LIMIT presses, fails with what focus went to: that is how a
keyboard trap, or an element the keyboard cannot reach, shows."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import User
from inspections.models import Inspection
from payments.models import Invoice, Payment
from permits.models import Permit
from portal.selectors import city_localdate
from tests.e2e.conftest import labelled
from tests.e2e.test_accounts import PUBLIC_REQUIRED
from tests.e2e.test_permits import APPLY_WATER_HEATER, PASSWORD, group
from tests.permits.issuing import permit_issued
from tests.permits.support import PDF_BYTES, permit_submitted

pytestmark = pytest.mark.e2e

# More stops than the longest way through a page of the portal to its furthest control;
# a trap, or a control out of the keyboard's reach, runs out of them.
TAB_LIMIT = 40

# Run in the page after each key: where focus is and whether a person can see it. The
# look of every focusable element is kept while it does not have focus, so the focused
# one's look is compared with its own unfocused look, not with a guess.
FOCUS_STATE = r"""
([target, keyWasPressed]) => {
  const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  const RING = ["outlineStyle", "outlineWidth", "outlineColor", "outlineOffset", "boxShadow"];
  const looks = (window.__unfocusedLooks ??= new WeakMap());
  const look = (element) => {
    const style = getComputedStyle(element);
    return Object.fromEntries(RING.map((property) => [property, style[property]]));
  };
  const describe = (element) => {
    if (!element) return "nothing";
    const id = element.id ? "#" + element.id : "";
    const type = element.type && element.tagName === "INPUT" ? `[type=${element.type}]` : "";
    const label = element.labels?.[0]?.textContent ?? element.getAttribute("aria-label");
    const name = (label ?? element.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
    return `<${element.tagName.toLowerCase()}${id}${type}> "${name}"`;
  };
  const colours = (text) =>
    [...text.matchAll(/rgba?\(([^)]*)\)/g)].map((match) => {
      const [r, g, b, a = 1] = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    });
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const [R, G, B] = [r, g, b].map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const contrast = (one, other) => {
    const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const backdrop = (element) => {
    // What the ring is drawn on: the nearest background outside the element.
    const layers = [];
    for (let box = element.parentElement; box; box = box.parentElement) {
      const [colour] = colours(getComputedStyle(box).backgroundColor);
      if (colour && colour.a > 0) layers.push(colour);
      if (colour && colour.a === 1) break;
    }
    const white = { r: 255, g: 255, b: 255, a: 1 };
    return layers.reduceRight((below, layer) => over(layer, below), white);
  };

  const active = document.activeElement;
  const state = {
    description: describe(active),
    reached: Boolean(target && active && (active === target || target.contains(active))),
    ahead: !active || active === document.body ||
      Boolean(target && active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING),
    moved: active !== window.__lastFocused,
    problems: [],
  };
  window.__lastFocused = active;
  if (keyWasPressed) {
    if (!active || active === document.body || active === document.documentElement) {
      state.problems.push("focus is lost: no element on the page has it");
    } else {
      const box = active.getBoundingClientRect();
      if (box.width < 2 || box.height < 2) {
        state.problems.push(`its box is ${box.width} by ${box.height} px`);
      }
      if (!active.checkVisibility({ opacityProperty: true, visibilityProperty: true })) {
        state.problems.push("it is not rendered (display, visibility or opacity)");
      }
      const hidden = active.closest('[hidden], [aria-hidden="true"], [inert]');
      if (hidden) state.problems.push(`it is inside ${describe(hidden)}`);
      // The part of it in the viewport, at whose middle it must be the element on top.
      const left = Math.max(box.left, 0);
      const right = Math.min(box.right, document.documentElement.clientWidth);
      const upper = Math.max(box.top, 0);
      const lower = Math.min(box.bottom, document.documentElement.clientHeight);
      if (right - left < 1 || lower - upper < 1) {
        state.problems.push(`it is outside the viewport, at (${box.left}, ${box.top})`);
      } else {
        const top = document.elementFromPoint((left + right) / 2, (upper + lower) / 2);
        if (top !== active && !active.contains(top)) {
          state.problems.push(`${describe(top)} covers it`);
        }
      }
      const before = looks.get(active);
      const now = look(active);
      const changed = (properties) => !before || properties.some((p) => before[p] !== now[p]);
      const ring = [];
      if (
        changed(["outlineStyle", "outlineWidth", "outlineColor", "outlineOffset"]) &&
        now.outlineStyle !== "none" && parseFloat(now.outlineWidth) >= 1
      ) {
        ring.push(...colours(now.outlineColor));
      }
      if (changed(["boxShadow"]) && now.boxShadow !== "none") ring.push(...colours(now.boxShadow));
      const behind = backdrop(active);
      const best = Math.max(0, ...ring.map((colour) => contrast(over(colour, behind), behind)));
      if (best < 3) {
        state.problems.push(
          `no focus indicator of 3:1 against its background (best ${best.toFixed(2)}:1): ` +
          `outline ${now.outlineStyle} ${now.outlineWidth} ${now.outlineColor}, ` +
          `box-shadow ${now.boxShadow}; unfocused ${JSON.stringify(before ?? "unknown")}`
        );
      }
    }
  }
  for (const element of document.querySelectorAll(FOCUSABLE)) {
    if (element !== active) looks.set(element, look(element));
  }
  return state;
}
"""


def focus_state(page, target=None, *, key_was_pressed=True) -> dict:
    return page.evaluate(FOCUS_STATE, [target, key_was_pressed])


def assert_seen(page, key: str, state: dict) -> None:
    assert not state["problems"], (
        f"after {key} on {page.url}, focus is on {state['description']}, which a person "
        "cannot see: " + "; ".join(state["problems"])
    )


def press(page, key: str, target=None) -> dict:
    """Press a key that moves focus, and fail unless focus lands where a person sees it."""
    page.keyboard.press(key)
    state = focus_state(page, target)
    assert_seen(page, key, state)
    return state


def tab_to(page, locator) -> None:
    """Tab (or Shift+Tab, when the element comes before the focus) until `locator`'s element
    or a descendant of it has focus; TAB_LIMIT presses at most."""
    target = locator.element_handle()
    state = focus_state(page, target, key_was_pressed=False)
    if state["reached"]:
        return
    key = "Tab" if state["ahead"] else "Shift+Tab"
    visited = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        state = focus_state(page, target)
        assert state["moved"], (
            f"{key} on {page.url} left focus on {state['description']}: a keyboard trap"
        )
        assert_seen(page, key, state)
        visited.append(state["description"])
        if state["reached"]:
            return
    pytest.fail(
        f"{TAB_LIMIT} presses of {key} on {page.url} never reached {locator}; focus went to:\n"
        + "\n".join(visited),
        pytrace=False,
    )


def type_into(page, field, text: str) -> None:
    """Tab to a text field and type into it, over what it held."""
    tab_to(page, field)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, radio_group, label: str) -> None:
    """Tab into a radio group and go to the choice with the arrow keys, as a person does;
    Space checks the choice focus lands on when none was checked yet."""
    choice = radio_group.get_by_label(label, exact=True)
    tab_to(page, radio_group)
    target = choice.element_handle()
    for _ in range(radio_group.get_by_role("radio").count()):
        if focus_state(page, target, key_was_pressed=False)["reached"]:
            break
        press(page, "ArrowDown")
    expect(choice).to_be_focused()
    if not choice.is_checked():
        page.keyboard.press("Space")
    expect(choice).to_be_checked()


def pick_option(page, select, option: str) -> None:
    """Tab to a closed <select> and step through its options with the arrow keys."""
    tab_to(page, select)
    for _ in range(select.locator("option").count()):
        if select.evaluate("element => element.selectedOptions[0]?.text") == option:
            return
        page.keyboard.press("ArrowDown")
    expect(select.locator("option:checked")).to_have_text(option)


def label_of(page, control) -> str:
    return page.locator(f"label[for='{control.get_attribute('id')}']").inner_text()


def activate(page, locator, key: str = "Enter") -> None:
    """Tab to a link or button and press Enter (or Space) on it, waiting for the page it
    leads to."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press(key)


def skip_to_main(page) -> None:
    """On a page just loaded, the first Tab stop is the skip link, seen when focused, and
    Enter on it puts focus on the main content, from where the next Tab goes on.

    The browser keeps the skip link's fragment through the redirect that answers a form,
    so a page reached that way opens at #main: there the first Tab stop is already inside
    the main content, as the skip link would have made it."""
    main = page.locator("main#main")
    if urlsplit(page.url).fragment == "main":
        focus_state(page, key_was_pressed=False)
        state = press(page, "Tab", main.element_handle())
        assert state["reached"], f"the first Tab stop on {page.url} is {state['description']}"
        return
    skip_link = page.get_by_role("link", name="Skip to main content")
    focus_state(page, key_was_pressed=False)
    state = press(page, "Tab", skip_link.element_handle())
    assert state["reached"], f"the first Tab stop on {page.url} is {state['description']}"
    page.keyboard.press("Enter")
    expect(main).to_be_focused()
    expect(main).to_be_in_viewport()


def at(url: str) -> re.Pattern:
    """A page's address, with or without the skip link's fragment."""
    return re.compile(rf"{url}(#main)?$")


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/?as=public")
    skip_to_main(page)
    main = page.get_by_role("main")
    type_into(page, labelled(main, "Username or email address"), user.username)
    type_into(page, labelled(main, "Password"), PASSWORD)
    activate(page, main.get_by_role("button", name="Log in"))
    expect(page).to_have_url(at(re.escape(live_server.url + "/dashboard/")))


def test_a_person_signs_up_with_the_keyboard_alone(page, live_server, demo_city):
    page.goto(live_server.url + "/")
    skip_to_main(page)
    # The account links sit in the header, before the main content: back up to them.
    activate(page, page.locator("header").get_by_role("link", name="Create an account"))
    expect(page).to_have_url(at(re.escape(live_server.url + "/accounts/signup/")))
    skip_to_main(page)
    activate(page, page.get_by_role("link", name="Create a public account"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Create a New Public User Account")
    skip_to_main(page)
    form = page.locator("form.account-form")
    for label, value in PUBLIC_REQUIRED.items():
        control = labelled(form, label)
        if control.evaluate("element => element.tagName") == "SELECT":
            pick_option(page, control, value)
        else:
            type_into(page, control, value)
    activate(page, form.get_by_role("button", name="Create account"))

    expect(page).to_have_url(at(re.escape(live_server.url + "/accounts/welcome/")))
    skip_to_main(page)
    activate(page, page.get_by_role("main").get_by_role("link", name="Continue"))
    expect(page).to_have_url(at(re.escape(live_server.url + "/dashboard/")))
    expect(page.locator("header strong.username")).to_have_text(PUBLIC_REQUIRED["Username"])
    user = User.objects.get(username=PUBLIC_REQUIRED["Username"])
    assert user.security_question.text == PUBLIC_REQUIRED["Security question"]
    assert user.address_city == PUBLIC_REQUIRED["City"]


def save_and_continue(page, step_title: str) -> None:
    activate(page, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Step "))).to_contain_text(
        step_title
    )
    skip_to_main(page)


def test_a_homeowner_applies_for_a_water_heater_permit_with_the_keyboard_alone(
    page, live_server, homeowner
):
    log_in(page, live_server, homeowner)
    skip_to_main(page)
    activate(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Apply"))
    skip_to_main(page)
    activate(page, page.get_by_role("link", name=APPLY_WATER_HEATER))

    expect(page.get_by_role("heading", level=1)).to_have_text("Water Heater application")
    skip_to_main(page)
    form = page.locator("main form.account-form")
    type_into(page, labelled(form, "Street address"), "28 Cinnamon Lane")
    type_into(page, labelled(form, "City"), "Rancho Palos Verdes")
    type_into(page, labelled(form, "ZIP code"), "90275")
    save_and_continue(page, "Description")

    type_into(page, labelled(form, "Description of the work"), "Replace a 40-gallon water heater.")
    type_into(page, labelled(form, "Valuation of the work, in dollars"), "2400")
    save_and_continue(page, "Details")

    choose(page, group(form, "Fuel"), "Natural gas")
    type_into(page, labelled(form, "Capacity in gallons"), "50")
    choose(page, group(form, "Where it is installed"), "Garage")
    save_and_continue(page, "Who does the work")

    choose(page, group(form, "Who does the work?"), "The owner, as owner-builder")
    declaration = labelled(form, "I have read the owner-builder declaration and I sign it.")
    tab_to(page, declaration)
    page.keyboard.press("Space")
    expect(declaration).to_be_checked()
    save_and_continue(page, "Documents")

    # Space on a file field opens the file chooser, which Playwright's stands in for. It
    # listens before focus gets there: the browser takes a moment to start intercepting
    # the chooser, and a Space pressed sooner opens a dialog no one answers.
    manual = labelled(form, "Installation instructions")
    page.once(
        "filechooser",
        lambda chooser: chooser.set_files(
            {"name": "heater-manual.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        ),
    )
    tab_to(page, manual)
    page.keyboard.press("Space")
    expect(manual).to_have_value(re.compile(r"heater-manual\.pdf$"))
    save_and_continue(page, "Review and submit")

    expect(page.get_by_role("main")).to_contain_text("Installation instructions: heater-manual.pdf")
    activate(page, page.get_by_role("button", name="Submit application"))
    number = f"WHTR{city_localdate().year}-0001"
    expect(page.locator("h1 .permit-number")).to_have_text(number)
    expect(page.locator(".permit-status")).to_have_text("Approved, fees due")
    permit = Permit.objects.get(number=number)
    assert (permit.applicant, permit.work_by) == (homeowner, Permit.WorkBy.OWNER_BUILDER)
    assert permit.owner_builder_declared_at is not None
    assert permit.documents.get().original_name == "heater-manual.pdf"


def test_a_homeowner_pays_with_the_test_card_with_the_keyboard_alone(page, live_server, homeowner):
    heater = permit_submitted(homeowner, "WHTR")
    log_in(page, live_server, homeowner)
    page.goto(f"{live_server.url}/permits/applications/{heater.pk}/")
    skip_to_main(page)
    activate(page, page.get_by_role("button", name="Pay $143.00 now"))

    expect(page).to_have_url(at(r"/payments/test-checkout/[\w-]+/"))
    skip_to_main(page)
    form = page.locator("form.card-form")
    type_into(page, labelled(form, "Card number"), "4242 4242 4242 4242")
    type_into(
        page,
        labelled(form, "Expiry date (MM/YY)"),
        f"12/{(city_localdate().year + 2) % 100:02d}",
    )
    type_into(page, labelled(form, "Security code (CVC)"), "123")
    type_into(page, labelled(form, "Name on card"), "Rosa Delgado")
    activate(page, form.get_by_role("button", name="Pay $143.00"), key="Space")

    expect(page).to_have_url(at(r"/payments/\d+/receipt/"))
    expect(page.locator(".receipt-total")).to_have_text("$143.00")
    payment = Payment.objects.get()
    assert (payment.status, payment.card_last4) == (Payment.Status.SUCCEEDED, "4242")
    assert Invoice.objects.get(pk=heater.invoice_id).status == Invoice.Status.PAID
    skip_to_main(page)
    activate(page, page.get_by_role("main").get_by_role("link", name=f"Open {heater.number}"))
    expect(page.locator(".permit-status")).to_have_text("Issued")


def test_a_homeowner_books_an_inspection_with_the_keyboard_alone(
    page, live_server, homeowner, clerk
):
    reroof = permit_issued(homeowner, "RERF", clerk=clerk)
    log_in(page, live_server, homeowner)
    page.goto(f"{live_server.url}/permits/applications/{reroof.pk}/")
    skip_to_main(page)
    activate(page, page.get_by_role("link", name="Request an inspection"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Request an inspection")
    skip_to_main(page)
    form = page.locator("main form.booking-form")
    inspections = group(form, "Inspection")
    expect(inspections.get_by_label("Final roof")).to_be_disabled()
    choose(page, inspections, "Sheathing and nailing")
    # The second day the calendar offers, and the afternoon: the arrow keys move on.
    days = group(form, "Day")
    second_day = days.get_by_role("radio").nth(1)
    second_date = second_day.get_attribute("value")
    choose(page, days, label_of(page, second_day))
    windows = group(form, "Time of day")
    choose(page, windows, label_of(page, windows.get_by_role("radio").nth(1)))
    type_into(page, labelled(form, "On-site contact"), "Rosa Delgado")
    type_into(page, labelled(form, "On-site contact's phone"), "555-01")
    type_into(page, labelled(form, "Access notes"), "Side gate code 4412.")
    activate(page, form.get_by_role("button", name="Request the inspection"))

    # Refused beside the field; the choices stay made. From the button, Shift+Tab goes back
    # up to the phone.
    expect(page.locator("main")).to_contain_text("Enter a 10-digit phone number")
    assert not Inspection.objects.exists()
    skip_to_main(page)
    tab_to(page, form.get_by_role("button", name="Request the inspection"))
    type_into(page, labelled(form, "On-site contact's phone"), "(424) 555-0199")
    activate(page, form.get_by_role("button", name="Request the inspection"))

    expect(page).to_have_url(at(r"/inspections/\d+/"))
    inspection = Inspection.objects.get()
    expect(page.locator("main")).to_contain_text(inspection.confirmation_number)
    assert inspection.status == Inspection.Status.SCHEDULED
    assert inspection.inspection_type.name == "Sheathing and nailing"
    assert inspection.contact_phone == "424-555-0199"
    assert inspection.scheduled_for.isoformat() == second_date


# What the checks above catch, shown on the home page with a stylesheet or a script of the
# test's own added, served from the portal's origin so the Content-Security-Policy lets it.
FOOTER_LINK = "All contacts and frequently asked questions"
BROKEN_FOCUS = {
    "no-ring": (
        "a:focus-visible { outline: none !important; box-shadow: none !important; }",
        "no focus indicator of 3:1",
    ),
    "clipped": (".skip-link { clip-path: inset(50%); }", "covers it"),
    "off-screen": (".site-footer a { position: absolute; left: -100vw; }", "outside the viewport"),
}
TRAPS = {
    # Tab does nothing once focus is inside the main content.
    "stuck": (
        "document.addEventListener('keydown', (event) => {"
        " if (event.key === 'Tab' && event.target.closest('main')) event.preventDefault(); });",
        "a keyboard trap",
    ),
    # Tab from the last link of the main content goes back to its first.
    "loop": (
        "document.addEventListener('keydown', (event) => {"
        " const links = document.querySelectorAll('main a');"
        " if (event.key === 'Tab' && event.target === links[links.length - 1]) {"
        " event.preventDefault(); links[0].focus(); } });",
        f"{TAB_LIMIT} presses of Tab",
    ),
}


def with_probe(page, live_server, *, css: str = "", script: str = "") -> None:
    probe = f"{live_server.url}/static/keyboard-probe"
    page.route(f"{probe}.css", lambda route: route.fulfill(body=css, content_type="text/css"))
    page.route(
        f"{probe}.js", lambda route: route.fulfill(body=script, content_type="text/javascript")
    )

    def add_probe(route) -> None:
        response = route.fetch()
        headers = {
            name: value for name, value in response.headers.items() if name != "content-length"
        }
        tags = f'<link rel="stylesheet" href="{probe}.css"><script src="{probe}.js"></script>'
        route.fulfill(
            response=response, headers=headers, body=response.text().replace("</head>", tags)
        )

    page.route(f"{live_server.url}/", add_probe)
    page.goto(f"{live_server.url}/")


@pytest.mark.parametrize("case", BROKEN_FOCUS)
def test_focus_a_person_cannot_see_fails(page, live_server, demo_city, case):
    css, complaint = BROKEN_FOCUS[case]
    with_probe(page, live_server, css=css)
    with pytest.raises(AssertionError, match=complaint):
        skip_to_main(page)
        tab_to(page, page.get_by_role("link", name=FOOTER_LINK))


@pytest.mark.parametrize("case", TRAPS)
def test_a_keyboard_trap_fails(page, live_server, demo_city, case):
    script, complaint = TRAPS[case]
    with_probe(page, live_server, script=script)
    skip_to_main(page)
    with pytest.raises((AssertionError, pytest.fail.Exception), match=complaint):
        tab_to(page, page.get_by_role("link", name=FOOTER_LINK))
