"""A person's inspections as a calendar they subscribe to: the page with its secret
address, and the feed that calendar apps fetch without logging in."""

import re
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from inspections.calendar import calendar_of
from inspections.models import CalendarFeed
from inspections.scheduling import scheduling_rules
from inspections.selectors import upcoming_inspections_of
from inspections.services import calendar_feed_ensure, calendar_feed_reset
from portal.links import absolute_url
from portal.selectors import city_localdate, city_profile

# The alphabet of secrets.token_urlsafe: anything else is no token, and is not even
# looked up (a NUL byte would make Postgres fail the query).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("inspections:feed", args=[feed.token]))


def _webcal(url: str) -> str:
    """The same address with the scheme that makes a calendar app offer to subscribe."""
    return urlunsplit(("webcal", *urlsplit(url)[1:]))


# The page shows a secret, so no cache, shared or the browser's, keeps a copy.
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        calendar_feed_reset(user=request.user)
        messages.success(
            request,
            _(
                "Your calendar has a new address, and the old one has stopped working. "
                "Add the new address to your calendar app."
            ),
        )
        return redirect("inspections:calendar")
    feed_url = _feed_url(calendar_feed_ensure(user=request.user))
    return render(
        request,
        "inspections/calendar.html",
        {"feed_url": feed_url, "webcal_url": _webcal(feed_url)},
    )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The token is the only key: a wrong one gets the site's plain 404, saying nothing
    about whether it ever existed."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    inspections = list(upcoming_inspections_of(feed.user, city_localdate()))
    name = _("%(city)s inspections") % {"city": city_profile().city.name}
    response = HttpResponse(
        calendar_of(inspections, scheduling_rules(), name=name),
        content_type="text/calendar; charset=utf-8",
    )
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
