from django.http import JsonResponse
from django.utils import timezone

from portal.health import service_states
from portal.selectors import city_profile

HEALTH_CHECK_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect.

    Load balancers and container health checks probe by IP over plain HTTP; they must
    get the services' state, not a 400 for an unknown Host or a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_CHECK_PATH:
            return self.get_response(request)
        healthy, states = service_states()
        response = JsonResponse(
            {"status": "ok" if healthy else "unavailable", "services": states},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response


class CityTimezoneMiddleware:
    """Shows every date and time in the city's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.city_profile = city_profile()
        timezone.activate(request.city_profile.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
