"""Every page answers only the methods it is for: a read-only page answers POST with 405 (Method Not
Allowed) instead of rendering as if it had been asked for. Walks every URL of the project, so a new
view that forgets `@require_safe` / `@require_GET` / `@require_POST` fails here."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Views that accept POST by design, and why.
POST_BY_DESIGN = {
    "login": "the login form posts the credentials",
    "logout": "logging out is a POST, so that a link or an image cannot log an operator out",
    "mirror:sync_start": "starts a full mirror sync",
    "mirror:webhook": "Zoom delivers webhook events by POST",
    "mirror:user_refresh": "refreshes one user from Zoom",
    "mirror:meeting_refresh": "refreshes one meeting from Zoom",
    "api:role_change_create": "the JSON API's role-change request (token only; GET answers 405)",
    "api:token_create": "creates an API token",
    "api:token_revoke": "revokes an API token",
    "accounts:role_change_check": "the read-only preflight of a posted form (the reason stays out of URLs)",
    "accounts:role_change_request": "records a role change request (and runs it when no approval is needed)",
    "accounts:approval_approve": "a manager approves a request (and it runs)",
    "accounts:approval_reject": "a manager rejects a request",
    "accounts:approval_cancel": "the requester withdraws a request",
    "meetings:host_transfer_check": "the read-only preflight of a posted form (the reason stays out of URLs)",
    "meetings:host_transfer_grant": "adds a scheduling assistant in Zoom (the scheduler check's remedy)",
    "meetings:host_transfer_run": "moves a meeting to a new host in Zoom",
    "meetings:offboarding_fix": "adds a scheduling assistant in Zoom (one of an offboarding plan's fixes)",
    "meetings:offboarding_run": "starts a transfer job",
    "meetings:transfer_job_pause": "pauses a transfer job",
    "meetings:transfer_job_resume": "resumes a transfer job",
    "meetings:transfer_job_retry": "puts a transfer job's failed items back in line",
    "audit:integrity_verify": "queues a verification of the audit chain (Verify now)",
}
# Whole URL namespaces left out, and why.
SKIPPED_NAMESPACES = {
    "admin": "Django admin's own views: its forms post by design; staff only, behind admin_site.admin_view",
}
# A value for each URL parameter the project uses (a new parameter name fails the walk until added).
SAMPLE_ARGUMENTS = {
    "user_key": "nobody@example.com",
    "meeting_id": 85746065432,
    "run_id": 1,
    "seq": 1,
    "request_id": 1,
    "token_id": 1,
    "job_id": 1,
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, entry


def _urls():
    for name, pattern in _walk(get_resolver().url_patterns):
        assert name is not None, f"URL pattern {pattern.pattern} has no name; name it to check its methods"
        parameters = list(pattern.pattern.regex.groupindex)
        missing = [p for p in parameters if p not in SAMPLE_ARGUMENTS]
        assert not missing, f"{name}: add a sample value for {missing} to SAMPLE_ARGUMENTS"
        yield name, reverse(name, kwargs={p: SAMPLE_ARGUMENTS[p] for p in parameters})


URLS = list(_urls())


@pytest.mark.parametrize(("name", "url"), [u for u in URLS if u[0] not in POST_BY_DESIGN], ids=lambda v: v)
def test_a_read_only_page_answers_post_with_405(root_client, name, url):
    response = root_client.post(url)
    assert response.status_code == 405, f"{name} ({url}) answered POST with {response.status_code}"
    assert "POST" not in response["Allow"]


def test_every_view_accepting_post_by_design_still_exists():
    names = {name for name, _ in URLS}
    assert set(POST_BY_DESIGN) <= names, set(POST_BY_DESIGN) - names


def test_the_walk_covers_the_read_only_pages(db):
    names = {name for name, _ in URLS}
    assert {"home", "healthz", "accounts:user_list", "meetings:meeting_detail", "audit:event_list"} <= names
