"""A URL configuration with views that fail, to see what a person gets on a server error."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def fail(request):
    raise RuntimeError("a bug")


def fail_without_city(request):
    request.city_profile = None  # the middleware's copy is gone; the layout must fetch anew
    raise RuntimeError("a bug while the database is down")


urlpatterns = [
    path("fail/", fail),
    path("fail-without-city/", fail_without_city),
    *portal_urlpatterns,
]

handler500 = "portal.views.server_error"
