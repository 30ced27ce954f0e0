"""Background tasks of meetings (Django's tasks framework; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.tasks import task


@task
def transfer_job_task(job_id: int) -> dict:
    from meetings.offboarding import transfer_job_run

    job = transfer_job_run(job_id=job_id)
    return {"job": job.pk, "status": job.status}
