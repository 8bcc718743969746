"""Reads about inspections that views, the admin, the dashboard and the feed share."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from inspections.models import Inspection, InspectionType
from inspections.scheduling import InspectionCalendar
from permits.models import Permit
from permits.selectors import permits_of

RECENT_RESULT_DAYS = 30


def inspections_of(user: User) -> QuerySet[Inspection]:
    """The inspections a person may open: those of the permits they may open."""
    return Inspection.objects.filter(permit__in=permits_of(user).values("pk"))


def inspection_for_owner(user: User, pk: int) -> Inspection | None:
    return (
        inspections_of(user)
        .select_related("permit__permit_type", "inspection_type")
        .filter(pk=pk)
        .first()
    )


def permit_inspections(permit: Permit) -> list[Inspection]:
    """The permit's inspections, latest first, with their types."""
    return list(
        permit.inspections.select_related("inspection_type").order_by(
            "-scheduled_for", "-window", "-id"
        )
    )


def permit_refusal(permit: Permit, today: datetime.date) -> str:
    """Why this permit can't be inspected now; empty when it can."""
    if permit.status == Permit.Status.FINALED:
        return _("This permit is finaled: its work passed the final inspection.")
    if permit.status == Permit.Status.EXPIRED or (
        permit.status == Permit.Status.ISSUED and permit.expires_on and permit.expires_on < today
    ):
        return _(
            "This permit has expired and can no longer be inspected. Apply for a new permit "
            "or call the Permit Center."
        )
    if permit.status != Permit.Status.ISSUED:
        return _("Inspections can be requested once the permit is issued.")
    return ""


@dataclass(frozen=True)
class InspectionChoice:
    """An inspection type of the permit, and why it can't be requested now, if it can't."""

    inspection_type: InspectionType
    refusal: str

    @property
    def is_open(self) -> bool:
        return not self.refusal


def inspection_choices(permit: Permit) -> list[InspectionChoice]:
    """Each inspection the permit's type needs, in order, with whether it is next."""
    types = list(
        InspectionType.objects.filter(permit_type_id=permit.permit_type_id).prefetch_related(
            "requires"
        )
    )
    taken = dict(
        permit.inspections.filter(
            Q(status=Inspection.Status.SCHEDULED) | Q(result=Inspection.Result.PASSED)
        ).values_list("inspection_type_id", "status")
    )
    passed = {type_id for type_id, status in taken.items() if status != "scheduled"}
    choices = []
    for inspection_type in types:
        waiting_for = [
            required.name
            for required in inspection_type.requires.all()
            if required.pk not in passed
        ]
        if inspection_type.pk in passed:
            refusal = _("Passed.")
        elif taken.get(inspection_type.pk) == Inspection.Status.SCHEDULED:
            refusal = _("Already scheduled: reschedule it instead of booking it again.")
        elif waiting_for:
            refusal = _("Waiting for %(names)s to pass.") % {"names": ", ".join(waiting_for)}
        else:
            refusal = ""
        choices.append(InspectionChoice(inspection_type, refusal))
    return choices


@dataclass(frozen=True)
class OpenDay:
    date: datetime.date
    places_left: int


def booked_counts(days: list[datetime.date]) -> dict[datetime.date, int]:
    """How many inspections hold a place on each day: scheduled or already done."""
    return dict(
        Inspection.objects.filter(scheduled_for__in=days)
        .exclude(status=Inspection.Status.CANCELLED)
        .values_list("scheduled_for")
        .annotate(booked=Count("id"))
        .values_list("scheduled_for", "booked")
    )


def open_days(
    calendar: InspectionCalendar,
    now: datetime.datetime,
    *,
    permit: Permit,
    moving: Inspection | None = None,
) -> list[OpenDay]:
    """The days this permit's inspection can be booked on now: inspection days within
    the cut-off and the horizon, before the permit expires, with places left. A booking
    being moved keeps its own place."""
    days = [
        day
        for day in calendar.bookable_days(now)
        if permit.expires_on is None or day <= permit.expires_on
    ]
    counts = booked_counts(days)
    if moving is not None and moving.scheduled_for in counts:
        counts[moving.scheduled_for] -= 1
    capacity = calendar.rules.daily_capacity
    return [
        OpenDay(day, capacity - counts.get(day, 0)) for day in days if counts.get(day, 0) < capacity
    ]


def upcoming_inspections_of(user: User, today: datetime.date) -> QuerySet[Inspection]:
    return (
        inspections_of(user)
        .filter(status=Inspection.Status.SCHEDULED, scheduled_for__gte=today)
        .select_related("permit", "inspection_type")
        .order_by("scheduled_for", "window", "id")
    )


def recent_results_of(user: User) -> QuerySet[Inspection]:
    since = timezone.now() - datetime.timedelta(days=RECENT_RESULT_DAYS)
    return (
        inspections_of(user)
        .filter(status=Inspection.Status.COMPLETED, inspected_at__gte=since)
        .select_related("permit", "inspection_type")
        .order_by("-inspected_at", "-id")
    )


def daily_inspections(
    day: datetime.date, inspector: User | None = None, *, unassigned: bool = False
) -> QuerySet[Inspection]:
    """An inspector's day: what is booked on `day`, by window and address."""
    inspections = (
        Inspection.objects.filter(scheduled_for=day)
        .exclude(status=Inspection.Status.CANCELLED)
        .select_related("permit__permit_type", "inspection_type", "inspector")
        .order_by("window", "permit__site_address", "id")
    )
    if unassigned:
        return inspections.filter(inspector=None)
    if inspector is not None:
        return inspections.filter(inspector=inspector)
    return inspections
