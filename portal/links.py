from django.conf import settings


def absolute_url(path: str) -> str:
    """A link that works outside the portal: in an email, or printed on a PDF."""
    return settings.PORTAL_URL + path
