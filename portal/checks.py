"""Deployment checks (`manage.py check --deploy`) for the services we fake in development."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# (settings that must all be set, what happens without them, check id)
EXTERNAL_SERVICES = (
    (
        ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
        "card payments use the built-in test provider, which takes no real money.",
        "portal.W001",
    ),
    (
        ("RECAPTCHA_PUBLIC_KEY", "RECAPTCHA_PRIVATE_KEY"),
        "sign-up and log-in forms are not protected against bots.",
        "portal.W002",
    ),
)


@register(Tags.security, deploy=True)
def portal_url_configured(app_configs, **kwargs) -> list[Warning]:
    if settings.PORTAL_URL.startswith("https://"):
        return []
    return [
        Warning(
            f"PORTAL_URL is {settings.PORTAL_URL}: links in emails and on permit PDFs "
            "must point at the portal's public https address.",
            id="portal.W003",
        )
    ]


@register(Tags.security, deploy=True)
def external_services_configured(app_configs, **kwargs) -> list[Warning]:
    return [
        Warning(f"{' or '.join(names)} is not set: {consequence}", id=check_id)
        for names, consequence, check_id in EXTERNAL_SERVICES
        if not all(getattr(settings, name) for name in names)
    ]
