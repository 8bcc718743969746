from django.utils.functional import SimpleLazyObject

from portal.selectors import city_profile


def city(request) -> dict:
    # Lazy, so an error page can render without touching a database that may be down.
    profile = SimpleLazyObject(lambda: getattr(request, "city_profile", None) or city_profile())
    return {
        "city": SimpleLazyObject(lambda: profile.city),
        "footer_departments": SimpleLazyObject(lambda: profile.footer_departments),
    }
