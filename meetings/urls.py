from __future__ import annotations

from django.urls import path

from accounts import zoom_keys  # noqa: F401 - registers the "zoomuser" path converter
from meetings import offboarding_views, views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    # Any string, so that a malformed id gets a helpful 404 instead of the generic one.
    path("meetings/<str:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<str:meeting_id>/transfer/", views.host_transfer, name="host_transfer"),
    path("meetings/<str:meeting_id>/transfer/check/", views.host_transfer_check, name="host_transfer_check"),
    path("meetings/<str:meeting_id>/transfer/grant/", views.host_transfer_grant, name="host_transfer_grant"),
    path("meetings/<str:meeting_id>/transfer/run/", views.host_transfer_run, name="host_transfer_run"),
    path("transfers/new-hosts/", views.new_host_search, name="new_host_search"),
    path("transfers/new-hosts/pick/", views.new_host_pick, name="new_host_pick"),
    path("users/<zoomuser:user_key>/offboarding/", offboarding_views.offboarding, name="offboarding"),
    path(
        "users/<zoomuser:user_key>/offboarding/fix/",
        offboarding_views.offboarding_fix,
        name="offboarding_fix",
    ),
    path(
        "users/<zoomuser:user_key>/offboarding/run/",
        offboarding_views.offboarding_run,
        name="offboarding_run",
    ),
    path("transfers/jobs/", offboarding_views.transfer_job_list, name="transfer_job_list"),
    path("transfers/jobs/<int:job_id>/", offboarding_views.transfer_job, name="transfer_job"),
    path(
        "transfers/jobs/<int:job_id>/pause/",
        offboarding_views.transfer_job_pause_view,
        name="transfer_job_pause",
    ),
    path(
        "transfers/jobs/<int:job_id>/resume/",
        offboarding_views.transfer_job_resume_view,
        name="transfer_job_resume",
    ),
    path(
        "transfers/jobs/<int:job_id>/retry/",
        offboarding_views.transfer_job_retry_view,
        name="transfer_job_retry",
    ),
    path(
        "transfers/jobs/<int:job_id>/report.csv",
        offboarding_views.transfer_job_report,
        name="transfer_job_report",
    ),
]
