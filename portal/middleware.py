from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone

from portal.captcha import captcha_configured
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


class BrowserPolicyMiddleware(CSPMiddleware):
    """Tells the browser what a page of ours may load and use: the Content-Security-Policy
    of the settings (django-csp), with the hosts of the outside services the portal is
    configured with, and the Permissions-Policy."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = directives_joined(parts.update or {}, *outside_service_directives())
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.setdefault("Permissions-Policy", permissions_policy())
        return response


def outside_service_directives() -> list[dict[str, list[str]]]:
    """What the configured outside services add to the Content-Security-Policy, decided
    by the rules that pick Stripe as the payment provider and add the CAPTCHA field, so
    the policy allows exactly what the pages use."""
    directives = []
    if settings.STRIPE_SECRET_KEY:
        directives.append(settings.CONTENT_SECURITY_POLICY_WITH_STRIPE)
    if captcha_configured():
        directives.append(settings.CONTENT_SECURITY_POLICY_WITH_RECAPTCHA)
    return directives


def directives_joined(*policies: dict[str, list[str]]) -> dict[str, list[str]]:
    joined: dict[str, list[str]] = {}
    for policy in policies:
        for directive, sources in policy.items():
            joined.setdefault(directive, []).extend(sources)
    return joined


def permissions_policy() -> str:
    return ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED_FEATURES)
