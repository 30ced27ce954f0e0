from __future__ import annotations

from django.urls import path

from zoomadmin_site.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("export.csv", views.event_export, name="event_export"),  # format=jsonl too
    path("export-manifest.json", views.event_export_manifest, name="event_export_manifest"),
    path("<int:seq>/", views.event_detail, name="event_detail"),
    # Chains of custody: every event of one change request, or of one offboarding job, in order.
    path("changes/<int:request_id>/", views.change_request_timeline, name="change_request_timeline"),
    path("transfer-jobs/<int:job_id>/", views.transfer_job_timeline, name="job_timeline"),
]
