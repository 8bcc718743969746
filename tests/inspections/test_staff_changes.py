"""What staff change besides results: cancelling a booking past the cut-off (the
inspection line's call), and the inspection types' "must pass first"."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from inspections import services
from inspections.models import Inspection, InspectionType
from inspections.selectors import inspection_choices
from permits.models import Permit
from tests.factories import UserFactory
from tests.inspections.staff import DAILY, INSPECTIONS, MONDAY, TUESDAY, at, book, page_messages

pytestmark = pytest.mark.django_db

NOTE = "Called in at 4:10 PM on Monday: the roofers are rained out."


@pytest.fixture
def permit(time_machine, reroof) -> Permit:
    time_machine.move_to(at(MONDAY), tick=False)
    return reroof


@pytest.fixture
def sheathing(permit) -> Inspection:
    return book(permit, "SHTH")


def cancel_url(inspection: Inspection) -> str:
    return f"{INSPECTIONS}{inspection.pk}/cancel/"


def test_staff_cancel_past_the_cut_off_with_a_reason_the_people_on_the_permit_read(
    client, inspector, sheathing, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(MONDAY, 16, 10), tick=False)
    client.force_login(inspector)
    assert client.get(cancel_url(sheathing)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{cancel_url(sheathing)}?next={DAILY}", {"note": NOTE})

    assert response.status_code == 302
    assert response["Location"] == DAILY
    sheathing.refresh_from_db()
    assert sheathing.status == Inspection.Status.CANCELLED
    assert sheathing.cancellation_note == NOTE
    assert sheathing.history.first().history_user == inspector
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [sheathing.permit.applicant.email, sheathing.permit.contractor.email]
    )
    assert all(NOTE in message.body for message in mail.outbox)
    # The type can be booked again at once.
    choice = next(
        c for c in inspection_choices(sheathing.permit) if c.inspection_type.code == "SHTH"
    )
    assert choice.is_open


def test_a_day_gone_by_without_a_result_is_cleared_by_staff_so_the_type_can_be_booked_again(
    client, clerk, sheathing, time_machine
):
    time_machine.move_to(at(TUESDAY + datetime.timedelta(days=2)), tick=False)
    choice = next(
        c for c in inspection_choices(sheathing.permit) if c.inspection_type.code == "SHTH"
    )
    assert not choice.is_open

    client.force_login(clerk)
    client.post(cancel_url(sheathing), {"note": "Not inspected on the day; book it again."})

    choice = next(
        c for c in inspection_choices(sheathing.permit) if c.inspection_type.code == "SHTH"
    )
    assert choice.is_open


def test_staff_cancel_needs_a_reason_and_saves_nothing_without_one(client, inspector, sheathing):
    client.force_login(inspector)
    response = client.post(cancel_url(sheathing), {"note": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Say why, for the applicant and the contractor."
    ]
    assert Inspection.objects.get(pk=sheathing.pk).is_scheduled


def test_staff_cancel_refuses_what_is_no_longer_scheduled(client, inspector, sheathing):
    services.inspection_cancel(inspection=sheathing, user=sheathing.permit.applicant)
    client.force_login(inspector)

    response = client.post(cancel_url(sheathing), {"note": NOTE}, follow=True)

    assert page_messages(response) == [
        "This inspection is cancelled; only a scheduled one can be cancelled."
    ]
    assert Inspection.objects.get(pk=sheathing.pk).cancellation_note == ""


def test_staff_without_the_right_to_change_inspections_cannot_cancel(client, sheathing):
    finance = UserFactory(username="finance", is_staff=True, account_type="staff")
    finance.groups.add(Group.objects.get(name="Finance"))
    client.force_login(finance)

    assert client.post(cancel_url(sheathing), {"note": NOTE}).status_code == 403
    assert Inspection.objects.get(pk=sheathing.pk).is_scheduled


def test_the_daily_list_and_the_change_page_offer_the_cancel(client, inspector, sheathing):
    client.force_login(inspector)
    daily = client.get(f"{DAILY}?date={TUESDAY.isoformat()}")
    change = client.get(f"{INSPECTIONS}{sheathing.pk}/change/")

    assert cancel_url(sheathing) in daily.content.decode()
    assert cancel_url(sheathing) in change.content.decode()


def test_a_zero_width_name_is_no_name(permit):
    with pytest.raises(services.InspectionError) as error:
        services.inspection_request(
            permit=permit,
            inspection_type=permit.permit_type.inspection_types.get(code="SHTH"),
            user=permit.applicant,
            booking=services.Booking(
                scheduled_for=TUESDAY,
                window="am",
                contact_name="\u200b\u200b",
                contact_phone="310-544-5280",
            ),
        )
    assert error.value.field == "contact_name"
    assert not Inspection.objects.exists()


# Out-of-range input in the staff pages' query strings.


def test_a_day_at_the_end_of_the_calendar_is_a_message_not_an_error(client, inspector):
    client.force_login(inspector)
    for day in ("9999-12-31", "0001-01-01"):
        response = client.get(f"{DAILY}?date={day}")
        assert response.status_code == 200
        assert response.context["form"].errors["date"] == ["Choose a day within 50 years of today."]


def test_an_inspector_id_beyond_any_id_filters_nothing_and_fails_nothing(
    client, inspector, sheathing
):
    client.force_login(inspector)
    response = client.get(f"{INSPECTIONS}?inspector=99999999999999999999999999")
    assert response.status_code == 200


# Inspection types: what "must pass first" may name.


def type_form_data(inspection_type: InspectionType, requires: list[int]) -> dict:
    return {
        "permit_type": inspection_type.permit_type_id,
        "name": inspection_type.name,
        "code": inspection_type.code,
        "order": inspection_type.order,
        "is_final": "on" if inspection_type.is_final else "",
        "requires": requires,
    }


@pytest.fixture
def admin_client_(client, demo_city):
    client.force_login(
        UserFactory(username="root", is_staff=True, is_superuser=True, account_type="staff")
    )
    return client


def test_an_inspection_may_wait_only_for_its_own_permit_types_inspections(admin_client_):
    sheathing = InspectionType.objects.get(permit_type__code_prefix="RERF", code="SHTH")
    rough = InspectionType.objects.get(permit_type__code_prefix="EPNL", code="ROUGH")

    response = admin_client_.post(
        f"/admin/inspections/inspectiontype/{sheathing.pk}/change/",
        type_form_data(sheathing, [rough.pk]),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["requires"]
    assert not sheathing.requires.exists()


def test_a_loop_of_must_pass_first_is_refused(admin_client_):
    sheathing = InspectionType.objects.get(permit_type__code_prefix="RERF", code="SHTH")
    final = InspectionType.objects.get(permit_type__code_prefix="RERF", code="FINAL")
    assert list(final.requires.all()) == [sheathing]

    response = admin_client_.post(
        f"/admin/inspections/inspectiontype/{sheathing.pk}/change/",
        type_form_data(sheathing, [final.pk]),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["requires"] == [
        "These would wait for this inspection to pass first, so none of them could ever be booked."
    ]
    assert not sheathing.requires.exists()


def test_the_choices_of_must_pass_first_are_the_other_inspections_of_the_type(admin_client_):
    final = InspectionType.objects.get(permit_type__code_prefix="RERF", code="FINAL")
    response = admin_client_.get(f"/admin/inspections/inspectiontype/{final.pk}/change/")
    choices = response.context["adminform"].form.fields["requires"].queryset
    assert [inspection_type.code for inspection_type in choices] == ["SHTH"]
