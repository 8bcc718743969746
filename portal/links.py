from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def absolute_url(path: str) -> str:
    """A link that works outside the portal: in an email, or printed on a PDF."""
    return settings.PORTAL_URL + path


def own_site_url(request: HttpRequest, url: str) -> str:
    """`url` when it leads back into this site (a `next` parameter), else empty: a link
    from elsewhere must not send people on to another site."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
