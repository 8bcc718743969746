import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import City, Department, FaqCategory, FaqEntry

CITY_PROFILE_CACHE_KEY = "portal:city-profile:v1"


@dataclass(frozen=True)
class CityProfile:
    """What every page shows of the city: read on each request, so cached."""

    city: City
    departments: tuple[Department, ...]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.city.time_zone)

    @property
    def footer_departments(self) -> tuple[Department, ...]:
        return tuple(department for department in self.departments if department.in_footer)


def city_profile() -> CityProfile:
    """The city profile from the cache, or from the database when the cache is empty (or
    down: the cache fails open, so an outage slows pages down but does not stop them)."""
    profile = cache.get(CITY_PROFILE_CACHE_KEY)
    if profile is None:
        profile = _city_profile_from_database()
        cache.set(CITY_PROFILE_CACHE_KEY, profile, timeout=3600)
    return profile


def _city_profile_from_database() -> CityProfile:
    city = City.objects.filter(pk=City.SINGLETON_ID).first() or City(
        pk=City.SINGLETON_ID, name=_("Permit Center")
    )
    return CityProfile(city=city, departments=tuple(Department.objects.all()))


def city_profile_forget() -> None:
    cache.delete(CITY_PROFILE_CACHE_KEY)


def groups_with_members(
    groups: QuerySet, relation: str, members: QuerySet, to_attr: str
) -> list[Model]:
    """The groups that have at least one of `members` through `relation`, each holding
    exactly those members in `to_attr`, in two queries however many there are."""
    return list(
        groups.filter(**{f"{relation}__in": members})
        .distinct()
        .prefetch_related(Prefetch(relation, queryset=members, to_attr=to_attr))
    )


def faq_categories_with_entries() -> list[FaqCategory]:
    """Categories that have at least one published answer, each with those answers."""
    return groups_with_members(
        FaqCategory.objects.all(),
        "entries",
        FaqEntry.objects.filter(is_published=True),
        "published_entries",
    )


def city_localdate(value: datetime.datetime | None = None) -> datetime.date:
    """The date where the city is, also in a Celery worker or beat, which run in the
    server's zone rather than the request's."""
    return timezone.localdate(value, timezone=city_profile().zone)


def city_date_or_today(iso_date: str | None) -> datetime.date:
    """A periodic task's day: the one it was given (to replay a missed night), else
    today where the city is."""
    if iso_date:
        return datetime.date.fromisoformat(iso_date)
    return city_localdate()
