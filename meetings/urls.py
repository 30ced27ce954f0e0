from __future__ import annotations

from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    # Any string, so that a malformed id gets a helpful 404 instead of the generic one.
    path("meetings/<str:meeting_id>/", views.meeting_detail, name="meeting_detail"),
]
