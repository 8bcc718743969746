import unicodedata

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def absolute_url(path: str) -> str:
    """A link that works outside the portal: in an email, or printed on a PDF."""
    return settings.PORTAL_URL + path


def own_site_path(request: HttpRequest, url: str) -> str:
    """`url` when it is an absolute path on this site (a `next` parameter), else empty.

    Only "/..." passes, so there is no scheme or host: a bare word such as "NaN" is a
    relative URL Django calls safe, and `django.shortcuts.redirect` would look it up as a
    view name (a 500); "//host" and "/\\host" (a slash to browsers) lead to another site;
    control characters are dropped by browsers (a tab between the slashes of "//host"
    hides them) or break a header."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return ""
    if any(unicodedata.category(character) == "Cc" for character in url):
        return ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return url


def redirect_back(request: HttpRequest, next_url: str, *, default: str) -> HttpResponseRedirect:
    """To `next_url` when it is a path on this site, else to `default`. Never through
    `django.shortcuts.redirect`, which would take a word for a view name."""
    return HttpResponseRedirect(own_site_path(request, next_url) or default)
