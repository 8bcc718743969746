"""Deployment checks (`manage.py check --deploy`) for the services we fake in development."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def external_services_configured(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    if not (settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET):
        warnings.append(
            Warning(
                "STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET is not set: card payments use the "
                "built-in test provider, which takes no real money.",
                id="portal.W001",
            )
        )
    if not (settings.RECAPTCHA_PUBLIC_KEY and settings.RECAPTCHA_PRIVATE_KEY):
        warnings.append(
            Warning(
                "RECAPTCHA_PUBLIC_KEY or RECAPTCHA_PRIVATE_KEY is not set: sign-up and log-in "
                "forms are not protected against bots.",
                id="portal.W002",
            )
        )
    return warnings
