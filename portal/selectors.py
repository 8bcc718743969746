from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from portal.models import City, Department, FaqCategory, FaqEntry

CITY_PROFILE_CACHE_KEY = "portal:city-profile:v1"


@dataclass(frozen=True)
class CityProfile:
    """What every page shows of the city: read on each request, so cached."""

    city: City
    departments: tuple[Department, ...]

    @property
    def footer_departments(self) -> tuple[Department, ...]:
        return tuple(department for department in self.departments if department.in_footer)


def city_profile() -> CityProfile:
    profile = cache.get(CITY_PROFILE_CACHE_KEY)
    if profile is None:
        city = City.objects.filter(pk=City.SINGLETON_ID).first() or City(
            pk=City.SINGLETON_ID, name=_("Permit Center")
        )
        profile = CityProfile(city=city, departments=tuple(Department.objects.all()))
        cache.set(CITY_PROFILE_CACHE_KEY, profile, timeout=3600)
    return profile


def city_profile_forget() -> None:
    cache.delete(CITY_PROFILE_CACHE_KEY)


def faq_categories_with_entries() -> list[FaqCategory]:
    """Categories that have at least one published answer, each with those answers."""
    published = FaqEntry.objects.filter(is_published=True)
    return list(
        FaqCategory.objects.filter(entries__is_published=True)
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=published, to_attr="published_entries"))
    )
