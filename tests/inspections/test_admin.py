"""The staff side of inspections in the admin: the list, assigning, recording results
through the services, the scheduling rules and holidays, and the groups' grants."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections.models import Holiday, Inspection, InspectionType, SchedulingRules, Window
from inspections.services import inspection_cancel
from permits.models import Permit
from tests.factories import UserFactory
from tests.inspections.staff import (
    INSPECTIONS,
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    at,
    book,
    change_url,
    listed,
    page_messages,
    passed,
    record_url,
)
from tests.permits.issuing import permit_issued
from tests.portal.test_links import NOT_OUR_PATHS

pytestmark = pytest.mark.django_db

RULES = "/admin/inspections/schedulingrules/"
HOLIDAYS = "/admin/inspections/holiday/"


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(at(MONDAY), tick=False)


@pytest.fixture
def permit(monday, reroof) -> Permit:
    """The reroof, issued on Monday morning."""
    return reroof


@pytest.fixture
def sheathing(permit) -> Inspection:
    """The reroof's sheathing inspection, booked for Tuesday morning."""
    return book(permit, "SHTH", access_notes="Side gate code 4411.")


@pytest.fixture
def as_inspector(client, inspector):
    client.force_login(inspector)
    return client


@pytest.fixture
def as_clerk(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own: another test run sharing Redis may empty it mid-count,
    and the city profile read from the database would then add a query."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def result_data(result: str, **fields) -> dict:
    return {
        "result": result,
        "corrections": "",
        "comments": "",
        "inspected_on": TUESDAY.isoformat(),
        "inspected_time": "10:15",
        **fields,
    }


# Every page opens ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "inspector", "clerk"])
def test_every_inspection_admin_page_opens(
    client, who, sheathing, inspector, clerk, django_user_model
):
    user = {
        "superuser": lambda: django_user_model.objects.create_superuser("boss", "b@x.example", "x"),
        "inspector": lambda: inspector,
        "clerk": lambda: clerk,
    }[who]()
    client.force_login(user)
    inspection_type = InspectionType.objects.first()
    holiday = Holiday.objects.first()

    for page in (
        "/admin/inspections/",
        INSPECTIONS,
        f"{INSPECTIONS}?status__exact=scheduled",
        f"{INSPECTIONS}?day=upcoming&inspector=me",
        f"{INSPECTIONS}?q={sheathing.confirmation_number}",
        change_url(sheathing),
        f"{INSPECTIONS}{sheathing.pk}/history/",
        f"{INSPECTIONS}daily/",
        f"{INSPECTIONS}daily/?date={TUESDAY}",
        f"{RULES}1/change/",
        HOLIDAYS,
        f"{HOLIDAYS}{holiday.pk}/change/",
        "/admin/inspections/inspectiontype/",
        f"/admin/inspections/inspectiontype/{inspection_type.pk}/change/",
    ):
        assert client.get(page).status_code == 200, page
    version = sheathing.history.earliest()
    history = client.get(f"{INSPECTIONS}{sheathing.pk}/history/{version.history_id}/")
    assert history.status_code == 200
    record = client.get(record_url(sheathing))
    assert record.status_code == (403 if who == "clerk" else 200)


# The list -----------------------------------------------------------------------------------


def test_the_list_shows_each_inspection_with_its_permit_and_inspector(as_inspector, sheathing):
    page = as_inspector.get(INSPECTIONS).content.decode()

    for text in (
        sheathing.confirmation_number,
        sheathing.permit.number,
        "30940 Hawthorne Blvd",
        "Sheathing and nailing",
        "Scheduled",
        "Morning",
        # The list links to the daily list and offers no "add".
        f"{INSPECTIONS}daily/",
    ):
        assert text in page
    assert f"{INSPECTIONS}add/" not in page


def test_the_list_filters_by_status_result_date_inspector_and_permit_type(
    client, permit, inspector, clerk, homeowner, time_machine
):
    colleague = UserFactory(username="sam", is_staff=True, account_type="staff")
    colleague.groups.add(Group.objects.get(name="Inspector"))
    heater = permit_issued(homeowner, "WHTR", clerk=clerk)
    sheathing = book(permit, "SHTH")
    water_heater = book(heater, "FINAL", day=WEDNESDAY, window=Window.AFTERNOON)
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    done = passed(sheathing, inspector, at(TUESDAY, 10))
    final = book(permit, "FINAL", day=WEDNESDAY)
    water_heater.inspector = colleague
    water_heater.save()
    client.force_login(inspector)

    def shown(**query) -> set[str]:
        return listed(client.get(INSPECTIONS, query))

    assert shown(status__exact="completed") == {done.confirmation_number}
    assert shown(result__exact="passed") == {done.confirmation_number}
    assert shown(day="today") == {done.confirmation_number}
    assert shown(day="upcoming") == {final.confirmation_number, water_heater.confirmation_number}
    assert shown(day="past") == set()
    assert shown(inspector="me") == {done.confirmation_number}
    assert shown(inspector="none") == {final.confirmation_number}
    assert shown(inspector=colleague.pk) == {water_heater.confirmation_number}
    assert shown(permit__permit_type__id__exact=heater.permit_type_id) == {
        water_heater.confirmation_number
    }
    for forged in ("nobody'; drop", "²", "-1", "99999999999999999999999"):
        assert client.get(INSPECTIONS, {"inspector": forged}).status_code == 200


@pytest.mark.parametrize(
    "typed",
    [
        lambda inspection: inspection.confirmation_number,
        lambda inspection: inspection.confirmation_number.replace("-", "").lower(),
        lambda inspection: inspection.permit.number,
        lambda inspection: inspection.permit.number.lower().replace("-", " "),
        lambda inspection: "Hawthorne",
    ],
)
def test_the_list_searches_confirmation_permit_number_and_address(as_inspector, sheathing, typed):
    assert listed(as_inspector.get(INSPECTIONS, {"q": typed(sheathing)})) == {
        sheathing.confirmation_number
    }


def test_the_list_takes_the_same_queries_however_many_inspections(
    as_inspector, permit, homeowner, clerk, django_assert_max_num_queries, private_cache
):
    book(permit, "SHTH")
    with CaptureQueriesContext(connection) as few:
        as_inspector.get(INSPECTIONS)
    for prefix, code in (("WHTR", "FINAL"), ("EPNL", "ROUGH"), ("WHTR", "FINAL")):
        book(permit_issued(homeowner, prefix, clerk=clerk), code)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_inspector.get(INSPECTIONS)
    assert len(response.context["cl"].result_list) == 4


# Nothing but the inspector is changed here --------------------------------------------------


def test_bookings_are_never_added_deleted_edited_or_reverted_in_the_admin(
    client, sheathing, django_user_model
):
    boss = django_user_model.objects.create_superuser("boss", "boss@city.example", "x")
    client.force_login(boss)
    versions = sheathing.history.count()

    page = client.get(change_url(sheathing)).content.decode()
    assert 'name="inspector"' in page
    assert 'name="contact_name"' not in page and 'name="status"' not in page
    edit = client.post(
        change_url(sheathing),
        {"inspector": "", "contact_name": "Mallory", "status": "completed", "result": "passed"},
    )
    assert edit.status_code == 302
    version = sheathing.history.earliest()
    for url, data in (
        (f"{INSPECTIONS}add/", {}),
        (f"{INSPECTIONS}{sheathing.pk}/delete/", {"post": "yes"}),
        (f"{INSPECTIONS}{sheathing.pk}/history/{version.history_id}/", {}),
    ):
        assert client.post(url, data).status_code == 403, url

    sheathing.refresh_from_db()
    assert sheathing.contact_name == "Rosa Delgado"
    assert sheathing.status == Inspection.Status.SCHEDULED and sheathing.result == ""
    assert sheathing.history.count() == versions


def test_staff_assign_an_inspector_on_the_page_through_the_service(
    as_clerk, sheathing, inspector, clerk
):
    page = as_clerk.get(change_url(sheathing))
    choices = {str(user) for user in page.context["adminform"].form.fields["inspector"].queryset}
    assert choices == {str(inspector)}  # inspectors only: the clerk is not one

    response = as_clerk.post(change_url(sheathing), {"inspector": inspector.pk})

    assert response.status_code == 302
    sheathing.refresh_from_db()
    assert sheathing.inspector == inspector
    assert sheathing.history.latest().history_user == clerk

    as_clerk.post(change_url(sheathing), {"inspector": ""})
    sheathing.refresh_from_db()
    assert sheathing.inspector is None


def test_a_clerk_who_is_not_an_inspector_cannot_be_assigned(as_clerk, sheathing, clerk):
    response = as_clerk.post(change_url(sheathing), {"inspector": clerk.pk})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["inspector"]
    sheathing.refresh_from_db()
    assert sheathing.inspector is None


def test_a_completed_inspection_has_no_inspector_field(
    as_clerk, sheathing, inspector, time_machine
):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    passed(sheathing, inspector, at(TUESDAY, 10))

    page = as_clerk.get(change_url(sheathing)).content.decode()

    assert 'name="inspector"' not in page
    assert record_url(sheathing) not in page


def test_assign_to_me_in_bulk_reports_what_cannot_be_assigned(
    as_inspector, permit, inspector, homeowner, clerk
):
    sheathing = book(permit, "SHTH")
    heater = book(permit_issued(homeowner, "WHTR", clerk=clerk), "FINAL")
    panel = book(permit_issued(homeowner, "EPNL", clerk=clerk), "ROUGH")
    inspection_cancel(inspection=panel, user=homeowner)

    response = as_inspector.post(
        INSPECTIONS,
        {"action": "assign_to_me", "_selected_action": [sheathing.pk, heater.pk, panel.pk]},
        follow=True,
    )

    notes = page_messages(response)
    assert "Assigned 2 inspections to you." in notes
    assert any(note.startswith(f"{panel.confirmation_number}: ") for note in notes)
    for inspection in (sheathing, heater):
        inspection.refresh_from_db()
        assert inspection.inspector == inspector
        assert inspection.history.latest().history_user == inspector
    panel.refresh_from_db()
    assert panel.inspector is None


def test_assign_to_me_is_offered_to_inspectors_only(as_clerk, sheathing):
    response = as_clerk.get(INSPECTIONS)

    assert "assign_to_me" not in response.content.decode()
    forged = as_clerk.post(
        INSPECTIONS, {"action": "assign_to_me", "_selected_action": [sheathing.pk]}
    )
    assert forged.status_code in (200, 302)
    sheathing.refresh_from_db()
    assert sheathing.inspector is None


# Recording a result -------------------------------------------------------------------------


def test_the_page_of_a_scheduled_inspection_leads_to_record_result(as_inspector, sheathing):
    page = as_inspector.get(change_url(sheathing)).content.decode()

    assert record_url(sheathing) in page


def test_the_result_form_defaults_to_now_in_the_city(as_inspector, sheathing, time_machine):
    time_machine.move_to(at(TUESDAY, 10, 40), tick=False)

    form = as_inspector.get(record_url(sheathing)).context["form"]

    assert form["inspected_on"].value() == TUESDAY
    assert form["inspected_time"].value() == datetime.time(10, 40)


def test_recording_a_pass_completes_the_inspection_and_emails_both(
    as_inspector,
    sheathing,
    inspector,
    homeowner,
    contractor,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_inspector.post(
            record_url(sheathing), result_data("passed", comments="Nailing pattern good.")
        )

    assert response.status_code == 302 and response["Location"] == change_url(sheathing)
    sheathing.refresh_from_db()
    assert sheathing.status == Inspection.Status.COMPLETED
    assert sheathing.result == Inspection.Result.PASSED
    assert sheathing.result_comments == "Nailing pattern good."
    assert sheathing.inspected_at == at(TUESDAY, 10, 15)
    assert sheathing.result_recorded_by == inspector and sheathing.inspector == inspector
    assert sheathing.history.latest().history_user == inspector
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [homeowner.email, contractor.email]
    )
    for email in mail.outbox:
        assert "Passed" in email.subject and "Nailing pattern good." in email.body
    sheathing.permit.refresh_from_db()
    assert sheathing.permit.status == Permit.Status.ISSUED


def test_corrections_are_recorded_one_per_line(as_inspector, sheathing, time_machine):
    time_machine.move_to(at(TUESDAY, 11), tick=False)

    as_inspector.post(
        record_url(sheathing),
        result_data("corrections", corrections="Add edge nailing.\n\n  Replace split sheet.  \n"),
    )

    sheathing.refresh_from_db()
    assert sheathing.result == Inspection.Result.CORRECTIONS
    assert sheathing.correction_list == ["Add edge nailing.", "Replace split sheet."]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (result_data("corrections", corrections="  \n "), "corrections"),
        (result_data(""), "result"),
        (result_data("excellent"), "result"),
        (result_data("passed", inspected_time="14:00"), "inspected_time"),
        (result_data("passed", inspected_on="2026-11-31"), "inspected_on"),
        (result_data("passed", inspected_time="noonish"), "inspected_time"),
    ],
)
def test_a_refused_result_is_explained_beside_its_field_and_saves_nothing(
    as_inspector, sheathing, time_machine, data, field
):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    versions = sheathing.history.count()
    mail.outbox.clear()

    response = as_inspector.post(record_url(sheathing), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "Error:" in response.content.decode()
    sheathing.refresh_from_db()
    assert sheathing.status == Inspection.Status.SCHEDULED and sheathing.result == ""
    assert sheathing.history.count() == versions
    assert mail.outbox == []


def test_a_passed_final_finals_the_permit(
    as_inspector, permit, inspector, time_machine, django_capture_on_commit_callbacks
):
    sheathing = book(permit, "SHTH")
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    passed(sheathing, inspector, at(TUESDAY, 10))
    final = book(permit, "FINAL", day=WEDNESDAY)
    time_machine.move_to(at(WEDNESDAY, 14), tick=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_inspector.post(
            record_url(final),
            result_data("passed", inspected_on=WEDNESDAY.isoformat(), inspected_time="13:30"),
            follow=True,
        )

    permit.refresh_from_db()
    assert permit.status == Permit.Status.FINALED
    assert permit.finaled_on == WEDNESDAY
    assert f"Permit {permit.number} is finaled." in " ".join(page_messages(response))
    assert len(mail.outbox) == 2  # the result, once to each; it says the permit is finaled
    assert all("the permit is finaled" in email.body for email in mail.outbox)


def test_a_passed_final_on_a_permit_no_longer_issued_is_refused_on_the_form(
    as_inspector, permit, inspector, time_machine
):
    sheathing = book(permit, "SHTH")
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    passed(sheathing, inspector, at(TUESDAY, 10))
    final = book(permit, "FINAL", day=WEDNESDAY)
    # Expired the day before the final inspection: the work passed too late.
    Permit.objects.filter(pk=permit.pk).update(
        status=Permit.Status.EXPIRED, expires_on=WEDNESDAY - datetime.timedelta(days=1)
    )
    time_machine.move_to(at(WEDNESDAY, 14), tick=False)

    response = as_inspector.post(
        record_url(final), result_data("passed", inspected_on=WEDNESDAY.isoformat())
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The permit is “Expired”, so a passed final can't final it."
    ]
    final.refresh_from_db()
    assert final.status == Inspection.Status.SCHEDULED
    permit.refresh_from_db()
    assert permit.status == Permit.Status.EXPIRED and permit.finaled_on is None


@pytest.mark.parametrize("ending", ["cancelled", "completed"])
def test_recording_on_a_cancelled_or_completed_inspection_is_refused(
    as_inspector, sheathing, homeowner, inspector, time_machine, ending
):
    if ending == "cancelled":
        inspection_cancel(inspection=sheathing, user=homeowner)
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    if ending == "completed":
        passed(sheathing, inspector, at(TUESDAY, 10))
    sheathing.refresh_from_db()
    before = (sheathing.status, sheathing.result, sheathing.history.count())

    opened = as_inspector.get(record_url(sheathing), follow=True)
    posted = as_inspector.post(record_url(sheathing), result_data("failed"), follow=True)

    for response in (opened, posted):
        assert response.redirect_chain[-1][0] == change_url(sheathing)
        assert f"This inspection is {ending}; its result can't be recorded." in page_messages(
            response
        )
    sheathing.refresh_from_db()
    assert (sheathing.status, sheathing.result, sheathing.history.count()) == before


@pytest.mark.parametrize("group", ["Finance", "Permit Center", None])
def test_only_those_who_may_record_results_open_the_result_form(client, sheathing, group):
    user = UserFactory(username="temp", is_staff=True, account_type="staff")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)

    assert client.get(record_url(sheathing)).status_code == 403
    assert client.post(record_url(sheathing), result_data("passed")).status_code == 403
    sheathing.refresh_from_db()
    assert sheathing.status == Inspection.Status.SCHEDULED


def test_the_result_form_goes_back_to_a_page_of_ours_only(as_inspector, sheathing, time_machine):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    daily = f"{INSPECTIONS}daily/?date={TUESDAY}&inspector=me"

    form = as_inspector.get(record_url(sheathing), {"next": daily}).content.decode()
    assert 'name="next"' in form

    evil = as_inspector.post(
        record_url(sheathing), {**result_data("failed"), "next": "https://evil.example/"}
    )
    assert evil["Location"] == change_url(sheathing)


@pytest.mark.parametrize("next_url", NOT_OUR_PATHS)
def test_a_next_not_of_ours_goes_back_to_the_inspection_on_every_form(
    as_inspector, sheathing, time_machine, next_url
):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    assign = f"{INSPECTIONS}{sheathing.pk}/assign-to-me/"
    cancel = f"{INSPECTIONS}{sheathing.pk}/cancel/"

    assert as_inspector.post(assign, {"next": next_url})["Location"] == change_url(sheathing)
    for form in (record_url(sheathing), cancel):
        assert 'name="next"' not in as_inspector.get(form, {"next": next_url}).content.decode()
    recorded = as_inspector.post(record_url(sheathing), {**result_data("failed"), "next": next_url})
    assert recorded["Location"] == change_url(sheathing)
    # Now completed, both forms refuse it and go back the same way.
    for form in (record_url(sheathing), cancel):
        assert as_inspector.get(form, {"next": next_url})["Location"] == change_url(sheathing)


def test_a_next_of_ours_is_kept_on_every_form(as_inspector, sheathing, time_machine):
    time_machine.move_to(at(TUESDAY, 11), tick=False)
    ours = "/dashboard/#fees-due"
    assign = f"{INSPECTIONS}{sheathing.pk}/assign-to-me/"
    cancel = f"{INSPECTIONS}{sheathing.pk}/cancel/"

    assert as_inspector.post(assign, {"next": ours})["Location"] == ours
    recorded = as_inspector.post(record_url(sheathing), {**result_data("failed"), "next": ours})
    assert recorded["Location"] == ours
    for form in (record_url(sheathing), cancel):
        assert as_inspector.get(form, {"next": ours})["Location"] == ours


def test_an_unknown_inspection_answers_404(as_inspector, db):
    assert as_inspector.get(f"{INSPECTIONS}999999/record-result/").status_code == 404
    assert as_inspector.post(f"{INSPECTIONS}999999/assign-to-me/").status_code == 404


# The rules and holidays -----------------------------------------------------------------------


def test_the_rules_are_one_row_never_added_or_deleted(as_clerk, demo_city):
    rules = SchedulingRules.objects.get()

    assert as_clerk.get(RULES)["Location"] == f"{RULES}{rules.pk}/change/"
    assert as_clerk.get(f"{RULES}add/").status_code == 403
    assert as_clerk.post(f"{RULES}{rules.pk}/delete/", {"post": "yes"}).status_code == 403
    page = as_clerk.get(f"{RULES}{rules.pk}/change/").content.decode()
    for heading in ("Days the city inspects", "Cut-off and horizon", "Windows"):
        assert heading in page
    assert f"{RULES}{rules.pk}/delete/" not in page


def rules_data(rules: SchedulingRules, **changes) -> dict:
    data = {
        "cutoff_time": rules.cutoff_time.strftime("%H:%M"),
        "horizon_days": rules.horizon_days,
        "morning_starts": "08:00",
        "morning_ends": "12:00",
        "afternoon_starts": "12:00",
        "afternoon_ends": "16:00",
        "daily_capacity": rules.daily_capacity,
        "inspection_line": rules.inspection_line_id or "",
        **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "on"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_permit_center_changes_the_rules_with_history(as_clerk, clerk, demo_city):
    rules = SchedulingRules.objects.get()

    response = as_clerk.post(
        f"{RULES}{rules.pk}/change/", rules_data(rules, daily_capacity=12, cutoff_time="14:00")
    )

    assert response.status_code == 302
    rules.refresh_from_db()
    assert rules.daily_capacity == 12 and rules.cutoff_time == datetime.time(14, 0)
    assert rules.history.latest().history_user == clerk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"afternoon_starts": "11:00"}, "afternoon_starts"),
        ({"morning_ends": "07:00"}, "morning_ends"),
        ({"horizon_days": "0"}, "horizon_days"),
        ({"daily_capacity": "0"}, "daily_capacity"),
        (dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday")), "monday"),
    ],
)
def test_bad_rules_are_refused_beside_the_field(as_clerk, demo_city, changes, field):
    rules = SchedulingRules.objects.get()

    response = as_clerk.post(f"{RULES}{rules.pk}/change/", rules_data(rules, **changes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert SchedulingRules.objects.get().daily_capacity == rules.daily_capacity
    assert rules.history.count() == SchedulingRules.objects.get().history.count()


def test_inspectors_read_the_rules_and_holidays_but_change_nothing(as_inspector, demo_city):
    rules = SchedulingRules.objects.get()
    holiday = Holiday.objects.first()

    assert as_inspector.post(f"{RULES}{rules.pk}/change/", rules_data(rules)).status_code == 403
    assert as_inspector.get(f"{HOLIDAYS}add/").status_code == 403
    assert as_inspector.post(f"{HOLIDAYS}{holiday.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_permit_center_adds_a_holiday_and_finds_it_by_year_and_name(as_clerk, demo_city):
    response = as_clerk.post(f"{HOLIDAYS}add/", {"date": "2026-12-31", "name": "New Year's Eve"})
    assert response.status_code == 302
    duplicate = as_clerk.post(f"{HOLIDAYS}add/", {"date": "2026-12-31", "name": "Again"})
    assert duplicate.status_code == 200 and duplicate.context["adminform"].form.errors["date"]

    by_year = as_clerk.get(HOLIDAYS, {"date__year": "2026"})
    dates = [holiday.date for holiday in by_year.context["cl"].result_list]
    assert dates == sorted(dates) and datetime.date(2026, 12, 31) in dates
    assert all(date.year == 2026 for date in dates)
    found = as_clerk.get(HOLIDAYS, {"q": "eve"}).context["cl"].result_list
    assert {holiday.name for holiday in found} == {"New Year's Eve", "Christmas Eve"}
    assert "Thursday" in as_clerk.get(HOLIDAYS).content.decode()


def test_the_inspection_type_admin_still_works(as_clerk, demo_city):
    response = as_clerk.get("/admin/inspections/inspectiontype/", {"q": "FINAL"})

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3


# The groups ---------------------------------------------------------------------------------


def test_the_migration_grants_the_groups_their_inspection_permissions(db):
    def granted(name: str) -> set[str]:
        return set(
            Group.objects.get(name=name)
            .permissions.filter(content_type__app_label="inspections")
            .values_list("codename", flat=True)
        )

    assert granted("Inspector") == {
        "view_inspection",
        "change_inspection",
        "record_result",
        "view_holiday",
        "view_schedulingrules",
        "view_inspectiontype",
    }
    assert granted("Permit Center") == {
        "view_inspection",
        "change_inspection",
        *(
            f"{action}_{model}"
            for model in ("inspectiontype", "holiday")
            for action in ("add", "change", "delete", "view")
        ),
        "change_schedulingrules",
        "view_schedulingrules",
    }
    assert granted("Finance") == set()
