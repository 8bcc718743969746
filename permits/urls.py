from django.urls import path

from permits import views

app_name = "permits"

urlpatterns = [
    path("search/", views.permit_search, name="search"),
    path("apply/", views.permit_apply, name="apply"),
]
