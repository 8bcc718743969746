from django.urls import path

from licensing.views import application, license, public

app_name = "licensing"

urlpatterns = [
    path("", license.license_list, name="list"),
    path("apply/", application.license_apply, name="apply"),
    path("verify/", public.license_verify, name="verify"),
    path("<int:pk>/", license.license_detail, name="detail"),
    path("<int:pk>/edit/<slug:step>/", application.license_edit, name="edit"),
    path("<int:pk>/delete/", application.license_delete, name="delete"),
    path("<int:pk>/renew/", license.license_renew, name="renew"),
    path("<int:pk>/certificate.pdf", license.license_certificate, name="certificate"),
]
