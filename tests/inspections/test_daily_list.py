"""The inspectors' daily list in the admin: a day's inspections by window, for one
inspector or all, printable, with assigning and recording from each row."""

import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.models import Inspection, Window
from inspections.services import inspection_cancel, inspector_assign
from tests.factories import UserFactory
from tests.inspections.staff import (
    DAILY,
    MONDAY,
    TUESDAY,
    at,
    book,
    change_url,
    page_messages,
    record_url,
)
from tests.permits.issuing import permit_issued

pytestmark = pytest.mark.django_db

WEDNESDAY_BEFORE_THANKSGIVING = datetime.date(2026, 11, 25)
MONDAY_AFTER_THANKSGIVING = datetime.date(2026, 11, 30)


@pytest.fixture
def colleague(db):
    colleague = UserFactory(
        username="sam", first_name="Sam", last_name="Ito", is_staff=True, account_type="staff"
    )
    colleague.groups.add(Group.objects.get(name="Inspector"))
    return colleague


@pytest.fixture
def tuesday(time_machine, reroof, homeowner, clerk, inspector, colleague):
    """Tuesday's bookings, made on Monday: the reroof's sheathing in the afternoon
    (unassigned), a water heater in the morning (the inspector's) and a panel in the
    morning (the colleague's); a cancelled one that is not on the list."""
    time_machine.move_to(at(MONDAY), tick=False)
    heater = permit_issued(homeowner, "WHTR", clerk=clerk)
    panel = permit_issued(homeowner, "EPNL", clerk=clerk)
    cancelled = permit_issued(homeowner, "WHTR", clerk=clerk)
    bookings = {
        "sheathing": book(
            reroof, "SHTH", window=Window.AFTERNOON, access_notes="Side gate code 4411."
        ),
        "heater": book(heater, "FINAL"),
        "panel": book(panel, "ROUGH"),
        "cancelled": book(cancelled, "FINAL"),
    }
    inspector_assign(inspection=bookings["heater"], inspector=inspector, actor=clerk)
    inspector_assign(inspection=bookings["panel"], inspector=colleague, actor=clerk)
    inspection_cancel(inspection=bookings["cancelled"], user=homeowner)
    time_machine.move_to(at(TUESDAY, 7, 30), tick=False)
    return bookings


@pytest.fixture
def as_inspector(client, inspector):
    client.force_login(inspector)
    return client


def rows(response) -> list[tuple[str, list[str]]]:
    """Each window's label and the confirmation numbers on it, in order."""
    return [
        (str(window["label"]), [row.confirmation_number for row in window["inspections"]])
        for window in response.context["windows"]
    ]


def numbers(*inspections: Inspection) -> list[str]:
    return [inspection.confirmation_number for inspection in inspections]


def test_the_list_is_linked_from_the_inspections_list(as_inspector, db):
    assert DAILY in as_inspector.get("/admin/inspections/inspection/").content.decode()


def test_the_day_is_listed_by_window_morning_first(as_inspector, tuesday):
    response = as_inspector.get(DAILY)  # today, the clock says

    assert response.context["day"] == TUESDAY
    morning = sorted(numbers(tuesday["heater"], tuesday["panel"]))
    listed = rows(response)
    assert [label for label, _numbers in listed] == ["Morning", "Afternoon"]
    assert sorted(listed[0][1]) == morning
    assert listed[1][1] == numbers(tuesday["sheathing"])
    page = response.content.decode()
    assert tuesday["cancelled"].confirmation_number not in page
    assert page.index("Morning, 8 a.m. to noon") < page.index("Afternoon, noon to 4 p.m.")


def test_each_row_shows_what_the_inspector_needs_on_site(as_inspector, tuesday):
    sheathing = tuesday["sheathing"]

    page = as_inspector.get(DAILY, {"date": TUESDAY.isoformat()}).content.decode()

    for text in (
        sheathing.confirmation_number,
        sheathing.permit.number,
        "Sheathing and nailing",
        "30940 Hawthorne Blvd, Rancho Palos Verdes 90275",
        "Rosa Delgado",
        'href="tel:310-544-5280">310-544-5280</a>',
        "Side gate code 4411.",
        "Scheduled",
        "Dana Reyes",
        "Sam Ito",
        "Unassigned",
    ):
        assert text in page, text


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ("me", ["heater"]),
        ("none", ["sheathing"]),
        ("colleague", ["panel"]),
        ("", ["heater", "panel", "sheathing"]),
    ],
)
def test_the_list_filters_by_inspector(as_inspector, tuesday, colleague, chosen, expected):
    value = str(colleague.pk) if chosen == "colleague" else chosen

    response = as_inspector.get(DAILY, {"date": TUESDAY.isoformat(), "inspector": value})

    shown = sorted(number for _label, window in rows(response) for number in window)
    assert shown == sorted(numbers(*(tuesday[name] for name in expected)))


@pytest.mark.parametrize(
    ("day", "previous_day", "next_day"),
    [
        # Monday: back over the weekend to Friday.
        (datetime.date(2026, 11, 23), datetime.date(2026, 11, 20), datetime.date(2026, 11, 24)),
        # Before Thanksgiving: on over the holidays and the weekend.
        (WEDNESDAY_BEFORE_THANKSGIVING, datetime.date(2026, 11, 24), MONDAY_AFTER_THANKSGIVING),
        (MONDAY_AFTER_THANKSGIVING, WEDNESDAY_BEFORE_THANKSGIVING, datetime.date(2026, 12, 1)),
    ],
)
def test_previous_and_next_skip_weekends_and_holidays_and_keep_the_inspector(
    as_inspector, demo_city, day, previous_day, next_day
):
    response = as_inspector.get(DAILY, {"date": day.isoformat(), "inspector": "me"})

    for name, expected in (("previous_url", previous_day), ("next_url", next_day)):
        query = parse_qs(urlsplit(response.context[name]).query)
        assert query == {"date": [expected.isoformat()], "inspector": ["me"]}
        assert response.context[name].replace("&", "&amp;") in response.content.decode()


def test_a_day_the_city_does_not_inspect_says_so(as_inspector, demo_city):
    holiday = as_inspector.get(DAILY, {"date": "2026-11-26"}).content.decode()
    sunday = as_inspector.get(DAILY, {"date": "2026-11-29"}).content.decode()

    assert "The city does not inspect on this day: Thanksgiving Day." in holiday
    assert "The city does not inspect on a Sunday." in sunday


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": "next tuesday"}, "date"),
        ({"inspector": "999999"}, "inspector"),
        ({"inspector": "x'; drop"}, "inspector"),
    ],
)
def test_bad_choices_are_explained_beside_the_field(as_inspector, demo_city, query, field):
    response = as_inspector.get(DAILY, query)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "windows" not in response.context


def test_the_list_prints_without_the_admin_around_it(as_inspector, tuesday):
    page = as_inspector.get(DAILY).content.decode()

    assert '<link rel="stylesheet" href="/static/css/admin-daily-inspections.css">' in page
    style = Path(finders.find("css/admin-daily-inspections.css")).read_text()
    print_rules = style[style.index("@media print") :]
    for hidden in ("#header", ".breadcrumbs", "#nav-sidebar", ".daily-controls", ".row-actions"):
        assert hidden in print_rules.split("display: none")[0]
    assert "break-inside: avoid" in print_rules
    assert "white-space: normal" in style


def test_an_inspector_assigns_themself_from_the_list_and_comes_back(
    as_inspector, tuesday, inspector
):
    sheathing = tuesday["sheathing"]
    here = f"{DAILY}?date={TUESDAY.isoformat()}&inspector=none"
    assign = f"/admin/inspections/inspection/{sheathing.pk}/assign-to-me/"
    assert assign in as_inspector.get(here).content.decode()

    response = as_inspector.post(assign, {"next": here})

    assert response.status_code == 302 and response["Location"] == here
    sheathing.refresh_from_db()
    assert sheathing.inspector == inspector
    assert sheathing.history.latest().history_user == inspector
    followed = as_inspector.get(here)
    assert f"{sheathing.confirmation_number} is assigned to you." in page_messages(followed)


def test_assigning_from_the_list_goes_back_to_our_own_pages_only(as_inspector, tuesday):
    sheathing = tuesday["sheathing"]
    assign = f"/admin/inspections/inspection/{sheathing.pk}/assign-to-me/"

    response = as_inspector.post(assign, {"next": "//evil.example/admin/"})

    assert response["Location"] == change_url(sheathing)
    assert as_inspector.get(assign).status_code == 405


def test_assigning_a_cancelled_inspection_is_refused_with_a_message(as_inspector, tuesday):
    cancelled = tuesday["cancelled"]

    response = as_inspector.post(
        f"/admin/inspections/inspection/{cancelled.pk}/assign-to-me/", follow=True
    )

    assert "Only a scheduled inspection can be assigned." in page_messages(response)
    cancelled.refresh_from_db()
    assert cancelled.inspector is None


def test_only_inspectors_assign_themselves(client, tuesday, clerk):
    client.force_login(clerk)
    sheathing = tuesday["sheathing"]

    page = client.get(DAILY).content.decode()
    response = client.post(f"/admin/inspections/inspection/{sheathing.pk}/assign-to-me/")

    assert "assign-to-me" not in page and record_url(sheathing) not in page
    assert response.status_code == 403
    sheathing.refresh_from_db()
    assert sheathing.inspector is None


def test_a_result_recorded_from_the_list_comes_back_to_it(as_inspector, tuesday, time_machine):
    heater = tuesday["heater"]
    here = f"{DAILY}?date={TUESDAY.isoformat()}&inspector=me"
    page = as_inspector.get(here).content.decode()
    link = f"{record_url(heater)}?{urlencode({'next': here})}"
    assert link.replace("&", "&amp;") in page

    time_machine.move_to(at(TUESDAY, 9, 45), tick=False)
    form = as_inspector.get(link)
    assert f'name="next" value="{here.replace("&", "&amp;")}"' in form.content.decode()
    response = as_inspector.post(
        record_url(heater),
        {
            "result": "no_access",
            "comments": "Nobody home; gate locked.",
            "inspected_on": TUESDAY.isoformat(),
            "inspected_time": "09:30",
            "next": here,
        },
    )

    assert response.status_code == 302 and response["Location"] == here
    heater.refresh_from_db()
    assert heater.result == Inspection.Result.NO_ACCESS
    assert "No access" in as_inspector.get(here).content.decode()


def test_staff_without_inspections_cannot_open_the_list(client, demo_city):
    finance = UserFactory(username="temp", is_staff=True, account_type="staff")
    finance.groups.add(Group.objects.get(name="Finance"))
    client.force_login(finance)

    assert client.get(DAILY).status_code == 403


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own: another test run sharing Redis may empty it mid-count,
    and the city profile read from the database would then add a query."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_the_list_takes_the_same_queries_however_many_inspections(
    as_inspector,
    tuesday,
    homeowner,
    clerk,
    time_machine,
    django_assert_max_num_queries,
    private_cache,
):
    query = {"date": TUESDAY.isoformat()}
    with CaptureQueriesContext(connection) as few:
        as_inspector.get(DAILY, query)
    time_machine.move_to(at(MONDAY), tick=False)
    for prefix, code in (("WHTR", "FINAL"), ("EPNL", "ROUGH"), ("WHTR", "FINAL")):
        book(permit_issued(homeowner, prefix, clerk=clerk), code, window=Window.AFTERNOON)
    time_machine.move_to(at(TUESDAY, 7, 30), tick=False)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_inspector.get(DAILY, query)
    assert response.context["count"] == 6


def test_on_a_day_without_inspections_the_list_opens_on_the_next_inspection_day(
    as_inspector, demo_city, time_machine
):
    # Sunday evening, and the Thursday of Thanksgiving (the Friday after is a holiday too).
    time_machine.move_to(at(datetime.date(2026, 11, 22), 19), tick=False)
    assert as_inspector.get(DAILY).context["day"] == datetime.date(2026, 11, 23)
    time_machine.move_to(at(datetime.date(2026, 11, 26), 7), tick=False)
    assert as_inspector.get(DAILY).context["day"] == datetime.date(2026, 11, 30)
