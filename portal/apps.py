from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("City and help")

    def ready(self) -> None:
        from portal import checks, signals  # noqa: F401 - registers checks and cache invalidation
