from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from portal import views

admin.site.site_header = _("Permit portal administration")
admin.site.site_title = _("Permit portal")

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("permits/", include("permits.urls")),
    path("payments/", include("payments.urls")),
    path("inspections/", include("inspections.urls")),
    path("licenses/", include("licensing.urls")),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    re_path(r"^media/city/(?P<path>.+)$", views.city_media, name="city-media"),
]

handler500 = "portal.views.server_error"
