""" "Mirror last synced" on the search pages and the dashboard: from full syncs only, with a warning when the
latest one failed, none ever ran, or none has succeeded for too long."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from tests.accounts.factories import make_user
from tests.meetings.factories import make_meeting
from zoomadmin_site.mirror.freshness import MIRROR_STALE_AFTER, mirror_freshness
from zoomadmin_site.mirror.models import SyncRun

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
STATUS_PARTIALS = ["accounts/user_list.html#mirror_status", "meetings/meeting_list.html#mirror_status"]


def finished_run(status: str, *, ago: datetime.timedelta) -> SyncRun:
    when = timezone.now() - ago
    return SyncRun.objects.create(
        trigger=SyncRun.Trigger.SCHEDULE, status=status, active=False, started_at=when, finished_at=when
    )


def test_rows_bumped_by_webhooks_or_refreshes_do_not_make_the_mirror_look_fresh():
    finished_run(SyncRun.Status.SUCCEEDED, ago=3 * HOUR)
    make_user(synced_at=timezone.now())  # as a webhook or a single-row refresh writes it
    freshness = mirror_freshness()
    assert timezone.now() - freshness.synced_at >= 3 * HOUR
    assert freshness.state == "ok"


def test_a_failure_after_the_last_success_is_reported_with_both_times():
    success = finished_run(SyncRun.Status.SUCCEEDED, ago=50 * HOUR)
    failure = finished_run(SyncRun.Status.FAILED, ago=2 * HOUR)
    freshness = mirror_freshness()
    assert freshness.state == "failed"
    assert (freshness.synced_at, freshness.failed_at) == (success.finished_at, failure.finished_at)


def test_a_failure_followed_by_a_success_is_no_longer_a_warning():
    finished_run(SyncRun.Status.FAILED, ago=5 * HOUR)
    finished_run(SyncRun.Status.SUCCEEDED, ago=HOUR)
    freshness = mirror_freshness()
    assert freshness.state == "ok" and freshness.failed_at is None


def test_no_full_sync_ever_is_never_even_with_rows_from_webhooks():
    make_meeting()
    assert mirror_freshness().state == "never"
    assert mirror_freshness().synced_at is None


def test_a_success_older_than_the_nightly_schedule_allows_is_stale():
    finished_run(SyncRun.Status.SUCCEEDED, ago=MIRROR_STALE_AFTER + HOUR)
    assert mirror_freshness().state == "stale"


def test_a_queued_or_running_sync_is_noted():
    SyncRun.objects.create(trigger=SyncRun.Trigger.UI, status=SyncRun.Status.RUNNING)
    assert mirror_freshness().running


def test_freshness_is_one_query_however_many_runs_then_cached(django_assert_num_queries):
    for days in range(30):
        finished_run(SyncRun.Status.SUCCEEDED, ago=days * 24 * HOUR + HOUR)
    with django_assert_num_queries(1):
        first = mirror_freshness()
    with django_assert_num_queries(0):  # the test cache is local memory: no query at all
        assert mirror_freshness() == first


def test_the_cached_freshness_follows_every_change_of_a_sync_run():
    from zoomadmin_site.sync.services import sync_run_expire_stale, sync_run_request, sync_run_resume

    assert mirror_freshness().state == "never"  # cached now
    run = sync_run_request(trigger=SyncRun.Trigger.UI)  # created
    assert mirror_freshness().running
    SyncRun.objects.filter(pk=run.pk).update(  # as the worker leaves it when it dies (no signal)
        status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    mirror_freshness()  # an update() of a running run's own progress changes nothing shown: cached
    assert sync_run_expire_stale() == 1  # an update() of status and active
    stale = mirror_freshness()
    assert not stale.running and stale.state == "failed"
    sync_run_resume()  # an update() back into the queue
    assert mirror_freshness().running
    run.refresh_from_db()
    run.status, run.active, run.finished_at = SyncRun.Status.SUCCEEDED, False, timezone.now()
    run.save()  # as the sync's end saves it
    done = mirror_freshness()
    assert not done.running and done.state == "ok"
    run.delete()
    assert mirror_freshness().state == "never"


@pytest.mark.parametrize("template", STATUS_PARTIALS)
def test_last_synced_partial_says_when_the_last_full_sync_finished(template):
    finished_run(SyncRun.Status.SUCCEEDED, ago=datetime.timedelta(minutes=5))
    html = render_to_string(template, {"mirror": mirror_freshness()})
    assert "Mirror last synced <time" in html and "5\xa0minutes ago" in html
    assert "mirror-status-warning" not in html


@pytest.mark.parametrize("template", STATUS_PARTIALS)
def test_last_synced_partial_warns_when_the_latest_full_sync_failed(template):
    finished_run(SyncRun.Status.SUCCEEDED, ago=3 * 24 * HOUR)
    finished_run(SyncRun.Status.FAILED, ago=2 * HOUR)
    html = render_to_string(template, {"mirror": mirror_freshness()})
    assert 'class="mirror-status small mirror-status-warning" role="status"' in html
    assert "The latest full sync from Zoom failed <time" in html and "2\xa0hours ago" in html
    assert "results are from the last one that succeeded" in html and "3\xa0days ago" in html
    assert 'href="/mirror/"' in html


def test_last_synced_partial_warns_when_every_full_sync_failed():
    finished_run(SyncRun.Status.FAILED, ago=HOUR)
    html = render_to_string(STATUS_PARTIALS[0], {"mirror": mirror_freshness()})
    assert "Every full sync from Zoom has failed so far" in html and "mirror-status-warning" in html


def test_last_synced_partial_warns_when_no_full_sync_ran():
    make_user()
    html = render_to_string(STATUS_PARTIALS[1], {"mirror": mirror_freshness()})
    assert (
        "has not been synced from Zoom yet: no full sync has run" in html and "mirror-status-warning" in html
    )


def test_last_synced_partial_warns_when_the_last_success_is_stale():
    finished_run(SyncRun.Status.SUCCEEDED, ago=4 * 24 * HOUR)
    html = render_to_string(STATUS_PARTIALS[0], {"mirror": mirror_freshness()})
    assert "4\xa0days ago" in html and "no full sync has succeeded since" in html


@pytest.mark.parametrize("url", ["/users/", "/meetings/"])
def test_search_pages_warn_about_a_failed_nightly_sync(alice_client, url):
    finished_run(SyncRun.Status.SUCCEEDED, ago=3 * 24 * HOUR)
    finished_run(SyncRun.Status.FAILED, ago=HOUR)
    make_user(synced_at=timezone.now())
    html = alice_client.get(url).content.decode()
    assert "The latest full sync from Zoom failed" in html


def test_dashboard_counts_time_since_the_last_full_sync_and_warns_of_a_failure(alice_client):
    make_user(synced_at=timezone.now())
    finished_run(SyncRun.Status.SUCCEEDED, ago=3 * 24 * HOUR)
    html = alice_client.get("/").content.decode()
    assert "3\xa0days" in html and "since the last full sync from Zoom" in html
    finished_run(SyncRun.Status.FAILED, ago=HOUR)
    html = alice_client.get("/").content.decode()
    assert 'class="stat stat-warning">Failed' in html and "the latest full sync failed 1\xa0hour ago" in html
