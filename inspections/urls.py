from django.urls import path

from inspections.views import booking, calendar_feed

app_name = "inspections"

urlpatterns = [
    path("permits/<int:permit_pk>/request/", booking.inspection_request, name="request"),
    path("<int:pk>/", booking.inspection_detail, name="detail"),
    path("<int:pk>/cancel/", booking.inspection_cancel, name="cancel"),
    path("<int:pk>/reschedule/", booking.inspection_reschedule, name="reschedule"),
    path("<int:pk>/inspection.ics", booking.inspection_ics, name="ics"),
    path("calendar/", calendar_feed.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", calendar_feed.calendar_feed, name="feed"),
]
