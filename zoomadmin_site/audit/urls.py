from __future__ import annotations

from django.urls import path

from zoomadmin_site.audit import integrity_views, views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("counts/", views.event_counts, name="event_counts"),  # the list's counts per outcome
    path("export.csv", views.event_export, name="event_export"),  # format=jsonl too
    path("export-manifest.json", views.event_export_manifest, name="event_export_manifest"),
    path("<int:seq>/", views.event_detail, name="event_detail"),
    # The integrity page: last verification, chain head, checkpoints, "Verify now" (POST).
    path("integrity/", integrity_views.integrity, name="integrity"),
    path("integrity/verify/", integrity_views.integrity_verify, name="integrity_verify"),
    # Chains of custody: every event of one change request, or of one offboarding job, in order.
    path("changes/<int:request_id>/", views.change_request_timeline, name="change_request_timeline"),
    path("transfer-jobs/<int:job_id>/", views.transfer_job_timeline, name="job_timeline"),
]
