"""The selectors other apps call: one target's history and one operation's events."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.db import connection

from zoomadmin_site.audit.models import AuditClockStep
from zoomadmin_site.audit.selectors import (
    audit_event_list,
    audit_events_for_target,
    audit_last_verification,
    audit_operation_events,
)
from zoomadmin_site.audit.services import audit_finish, audit_record, audit_start

pytestmark = pytest.mark.django_db


def test_events_for_a_zoom_user_are_newest_first_and_limited(db):
    mine = [
        audit_record(
            action="role_change.execute", outcome="succeeded", target_type="zoom_user", target_id="u-1"
        )
        for _ in range(4)
    ]
    audit_record(action="role_change.execute", outcome="succeeded", target_type="zoom_user", target_id="u-2")
    audit_record(
        action="host_transfer.execute", outcome="succeeded", target_type="zoom_meeting", target_id="u-1"
    )
    events = audit_events_for_target(target_type="zoom_user", target_id="u-1", limit=3)
    assert [e.seq for e in events] == [e.seq for e in mine[::-1][:3]]
    assert len(audit_events_for_target(target_type="zoom_user", target_id="u-1")) == 4


def test_events_for_a_meeting_match_its_id_as_a_string(db):
    event = audit_record(
        action="host_transfer.execute",
        outcome="succeeded",
        target_type="zoom_meeting",
        target_id="85746065432",
    )
    assert audit_events_for_target(target_type="zoom_meeting", target_id="85746065432") == [event]


def test_operation_events_are_oldest_first(alice):
    started = audit_start(
        action="host_transfer.execute", actor=alice, target_type="zoom_meeting", target_id="1"
    )
    audit_record(action="mirror.sync", outcome="succeeded")
    finished = audit_finish(started, outcome="failed", reason="Zoom 3001")
    assert audit_operation_events(operation_id=started.operation_id) == [started, finished]
    assert audit_operation_events(operation_id=str(started.operation_id)) == [started, finished]


def test_event_list_pages_by_seq_with_cursors(db):
    seqs = [audit_record(action="mirror.sync", outcome="succeeded").seq for _ in range(5)]
    newest = audit_event_list(limit=2)
    assert [e.seq for e in newest.events] == seqs[:-3:-1]
    assert (newest.newer_cursor, newest.older_cursor) == (None, seqs[3])
    middle = audit_event_list(after_seq=newest.older_cursor, limit=2)
    assert [e.seq for e in middle.events] == [seqs[2], seqs[1]]
    oldest = audit_event_list(after_seq=middle.older_cursor, limit=2)
    assert [e.seq for e in oldest.events] == [seqs[0]]
    assert oldest.older_cursor is None
    assert audit_event_list(before_seq=oldest.newer_cursor, limit=2).events == middle.events


@pytest.mark.parametrize("generic", [False, True])  # SQLite's or PostgreSQL's own query, or a queryset's
def test_listed_events_hold_what_the_model_holds(db, monkeypatch, generic):
    """The list's rows (ListedEvent, read from a plain cursor) hold exactly the values the model gives for
    the same events: the time aware and in UTC, to the microsecond or without a fraction, and `after`
    parsed as JSONField parses it, whatever JSON it holds."""
    import datetime as dt
    import types

    from zoomadmin_site.audit import selectors, services
    from zoomadmin_site.audit.models import AuditEvent

    afters = [
        None,
        {"role": "Admin", "nested": {"list": [1, 2.5, None, True]}},
        {"name": "Zoë 東京 🚀", "q": 'a "quote" \\ \n', "": "</td><script>"},
        [],
        {},
        "just text",
        12,
    ]
    times = [
        dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC),  # stored without a fraction
        dt.datetime(2026, 3, 2, 0, 0, 1, 500, tzinfo=dt.UTC),
    ]
    for n, after in enumerate(afters):
        when = times[n % len(times)]
        monkeypatch.setattr(services, "timezone", types.SimpleNamespace(now=lambda when=when: when))
        audit_record(
            action="role_change.request" if n % 2 else "audit.verify",
            outcome="succeeded",
            actor_label=f"ann {n}",
            target_type="zoom_user" if n % 3 else "",
            target_id=f"u-{n}",
            target_label="" if n % 2 else f"Ann <{n}>",
            after=after,
            reason="" if n % 2 else f"why {n}",
        )
    monkeypatch.undo()
    if generic:  # any other database: the rows come through a queryset
        monkeypatch.setattr(selectors, "EVENTS_SQL", {})
    listed = selectors.audit_event_list().events
    models = list(AuditEvent.objects.order_by("-seq"))
    assert len(listed) == len(afters)
    for row, event in zip(listed, models, strict=True):
        assert isinstance(row, selectors.ListedEvent)
        for column in selectors.LIST_COLUMNS:
            mine, theirs = getattr(row, column), getattr(event, column)
            assert (mine, type(mine)) == (theirs, type(theirs)), column
        assert row.time.utcoffset() == dt.timedelta(0) and row.time.tzinfo == event.time.tzinfo
    assert [row.after for row in listed] == afters[::-1]
    assert [row.time for row in listed] == [times[n % len(times)] for n in range(len(afters))][::-1]
    verification = selectors.audit_last_verification()
    assert verification == next(row for row in listed if row.action == "audit.verify")


def test_last_verification_is_the_latest_verify_event(db):
    assert audit_last_verification() is None
    audit_record(action="audit.verify", outcome="failed")
    latest = audit_record(action="audit.verify", outcome="succeeded")
    audit_record(action="mirror.sync", outcome="succeeded")
    verification = audit_last_verification()
    assert (verification.seq, verification.outcome, verification.after) == (latest.seq, "succeeded", None)


def test_outcome_counts_are_exact_up_to_the_cap_and_lower_bounds_above(db):
    from zoomadmin_site.audit.selectors import audit_outcome_counts

    audit_record(action="mirror.sync", outcome="denied", target_label="Team A")  # the oldest
    for outcome, times in (("failed", 4), ("succeeded", 1)):
        for _ in range(times):
            audit_record(action="mirror.sync", outcome=outcome, target_label="Team A")
    audit_record(action="mirror.sync", outcome="failed", target_label="Team B")
    counts = {c.outcome: c for c in audit_outcome_counts(cap=6, q="team a", outcome="succeeded")}
    assert list(counts) == ["started", "succeeded", "failed", "unverified", "denied", "skipped"]
    assert {o: c.shown for o, c in counts.items() if c.count} == {
        "failed": "4",
        "succeeded": "1",
        "denied": "1",
    }
    # Six events match: with a cap of 5 the newest five are counted and every count is "at least".
    counts = {c.outcome: c for c in audit_outcome_counts(cap=5, q="team a")}
    assert {o: c.shown for o, c in counts.items() if c.count} == {"failed": "4+", "succeeded": "1+"}
    assert counts["denied"].shown == "0+" and counts["denied"].capped
    # Exactly the cap: every event counted, so the counts are exact.
    assert audit_outcome_counts(cap=6, q="team a")[2].shown == "4"
    assert audit_outcome_counts(cap=10, q="team")[2].shown == "5"


def test_request_id_filter(db):
    from zoomadmin_site.audit.selectors import audit_event_list

    mine = [audit_record(action="mirror.sync", outcome="succeeded", request_id="abc") for _ in range(2)]
    audit_record(action="mirror.sync", outcome="succeeded", request_id="abcd")
    assert [e.seq for e in audit_event_list(request_id="abc").events] == [e.seq for e in mine[::-1]]
    assert audit_event_list(request_id="ab").events == []


@pytest.mark.parametrize("drives_below", [1, 2000])  # the text index drives, or the walk does
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dana", ["label", "both"]),
        ("DANA LEE", ["label", "both"]),
        ("review", ["reason", "both"]),
        ("ee", ["label", "both", "reason"]),  # two characters: no trigrams, checked row by row
        ('"quoted" AND *', ["syntax"]),  # FTS5 syntax is plain text here
        ("ünïcode", ["unicode"]),
        ("operator7", []),  # the actor is a filter of its own, not free text
        ("role_change", []),  # so is the action
        ("100% SURE", ["percent"]),  # a word drives; "%" is no wildcard in the phrase's own check
    ],
)
def test_free_text_matches_labels_and_reasons_whichever_way_it_is_found(
    db, monkeypatch, drives_below, q, expected
):
    from zoomadmin_site.audit import selectors

    monkeypatch.setattr(selectors, "TEXT_INDEX_DRIVES_BELOW", drives_below)
    made = {
        "label": audit_record(action="role_change.execute", outcome="failed", target_label="Dana Lee"),
        "reason": audit_record(
            action="role_change.execute", outcome="failed", reason="Quarterly review, see"
        ),
        "both": audit_record(
            action="role_change.execute", outcome="failed", target_label="dana lee", reason="review"
        ),
        "syntax": audit_record(action="role_change.execute", outcome="failed", reason='a "quoted" AND * b'),
        "unicode": audit_record(
            action="role_change.execute", outcome="failed", target_label="Ünïcode ünïcode"
        ),
        "other": audit_record(action="role_change.execute", outcome="failed", actor_label="operator7"),
        "percent": audit_record(action="role_change.execute", outcome="failed", reason="It is 100% sure"),
        "near": audit_record(action="role_change.execute", outcome="failed", reason="It is 1000 sure"),
    }
    from django.db import connection

    from zoomadmin_site.audit.text_index import has_fts

    assert has_fts(connection) == (connection.vendor == "sqlite")
    found = [e.seq for e in selectors.audit_event_list(q=q).events]
    assert found == sorted((made[name].seq for name in expected), reverse=True)


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("User u01234", ["u01234", "User", "User u01234"]),
        ("jane.roe@corp", ["jane", "corp", "roe", "jane.roe@corp"]),  # as long: in the order typed
        ("ünïcode", ["ünïcode"]),
        ("a_b-cd", ["a_b-cd"]),  # no word of three: the whole term
        ("review review", ["review", "review review"]),
    ],
)
def test_the_text_index_looks_up_each_word_then_the_whole_term(q, terms):
    from zoomadmin_site.audit.selectors import index_terms

    assert index_terms(q) == terms


def test_a_phrase_is_looked_up_by_its_rare_word_and_matched_whole(db, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from zoomadmin_site.audit import selectors
    from zoomadmin_site.audit.text_index import has_fts

    monkeypatch.setattr(selectors, "TEXT_INDEX_DRIVES_BELOW", 3)
    for n in range(4):
        audit_record(action="mirror.sync", outcome="succeeded", target_label=f"Team member {n}")
    wanted = audit_record(action="mirror.sync", outcome="succeeded", target_label="Team Zephyr")
    audit_record(action="mirror.sync", outcome="succeeded", target_label="Zephyr alone")
    with CaptureQueriesContext(connection) as queries:
        found = [e.seq for e in selectors.audit_event_list(q="team zephyr").events]
    assert found == [wanted.seq]  # "Zephyr alone" is a candidate, and icontains leaves it out
    page = [query["sql"] for query in queries if "ORDER BY" in query["sql"] and "LIMIT 51" in query["sql"]]
    assert len(page) == 1
    if has_fts(connection):  # the text index looks up the word, not the phrase
        assert """MATCH '"zephyr"'""" in page[0]
    else:  # the word is a condition of its own, which a trigram index serves; the phrase is checked in a
        # form no index serves, and the few candidates are sorted, not met along the seq index
        assert "LIKE UPPER('%zephyr%')" in page[0] and "STRPOS(" in page[0]
        assert "'%team zephyr%'" not in page[0] and 'ORDER BY COALESCE("audit_auditevent"."seq"' in page[0]
        with CaptureQueriesContext(connection) as queries:
            assert [e.seq for e in selectors.audit_event_list(q="team member").events][:1] == [wanted.seq - 1]
        page = [query["sql"] for query in queries if "LIMIT 51" in query["sql"]]
        assert "STRPOS(" not in page[0] and "COALESCE" not in page[0]  # both words common: as before
        with CaptureQueriesContext(connection) as queries:  # one rare word: its own scan, sorted
            assert [e.seq for e in selectors.audit_event_list(q="zephyr").events] == [
                wanted.seq + 1,
                wanted.seq,
            ]
        page = [query["sql"] for query in queries if "LIMIT 51" in query["sql"]]
        assert "STRPOS(" not in page[0] and 'ORDER BY COALESCE("audit_auditevent"."seq"' in page[0]


def test_the_text_index_is_put_back_after_a_migrate_that_dropped_its_triggers(db, monkeypatch):
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    from zoomadmin_site.audit import selectors
    from zoomadmin_site.audit.text_index import TRIGGER_NAMES, has_fts

    if not has_fts(connection):
        pytest.skip("SQLite's text index only")
    monkeypatch.setattr(selectors, "TEXT_INDEX_DRIVES_BELOW", 10)  # the index drives
    before = audit_record(action="mirror.sync", outcome="succeeded", target_label="Zebra One")
    with connection.cursor() as cursor:
        for name in TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER {name}")
    missed = audit_record(action="mirror.sync", outcome="succeeded", target_label="Zebra Two")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    after = audit_record(action="mirror.sync", outcome="succeeded", target_label="Zebra Three")
    found = [e.seq for e in selectors.audit_event_list(q="zebra t").events]
    assert found == [after.seq, missed.seq]
    assert [e.seq for e in selectors.audit_event_list(q="zebra one").events] == [before.seq]


def test_paging_links_keep_every_filter(db):
    from zoomadmin_site.audit.selectors import audit_event_list

    for n in range(5):
        audit_record(action="mirror.sync", outcome="failed", request_id="rq", target_label=f"Team {n}")
    audit_record(action="mirror.sync", outcome="failed", request_id="other", target_label="Team 9")
    first = audit_event_list(limit=2, request_id="rq", q="team", outcome="failed")
    second = audit_event_list(
        limit=2, after_seq=first.older_cursor, request_id="rq", q="team", outcome="failed"
    )
    third = audit_event_list(
        limit=2, after_seq=second.older_cursor, request_id="rq", q="team", outcome="failed"
    )
    labels = [e.target_label for page in (first, second, third) for e in page.events]
    assert labels == ["Team 4", "Team 3", "Team 2", "Team 1", "Team 0"]
    assert third.older_cursor is None


@pytest.mark.parametrize("stepped", [True, False])
def test_a_date_range_holds_every_event_of_those_days_when_the_clock_stepped_back(db, monkeypatch, stepped):
    """The list finds the events of a date range, an actor's or anyone's, between the first and last seq
    recorded in it: an event recorded after a clock step back (a later seq at an earlier time) is in the
    range all the same, and an event of the range's days recorded before a later one outside it too.
    Without steps the times only grow, and the range is one run of seqs."""
    import datetime as dt
    import types

    from zoomadmin_site.audit import selectors, services

    day = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    clock = [
        ("ann", day - dt.timedelta(days=1)),
        ("ann", day),
        ("bob", day),
        ("ann", day + dt.timedelta(days=1)),
        ("ann", day + dt.timedelta(hours=1)),  # the clock stepped back a day
        ("ann", day + dt.timedelta(days=2)),
        ("ann", day - dt.timedelta(hours=2)),  # and again
        ("bob", day + dt.timedelta(days=3)),
    ]
    if not stepped:
        clock.sort(key=lambda pair: pair[1])
    recorded = []
    for n, (actor, when) in enumerate(clock):
        monkeypatch.setattr(services, "timezone", types.SimpleNamespace(now=lambda when=when: when))
        action = "auth.login" if n % 2 else "mirror.sync"
        recorded.append(audit_record(action=action, outcome="succeeded", actor_label=actor))
    monkeypatch.undo()

    def expected(actor, action, first, last):
        return [
            e.seq
            for e in reversed(recorded)
            if (not actor or e.actor_label == actor)
            and (not action or e.action == action or e.action.startswith(f"{action}."))
            and (first is None or first <= e.time.date())
            and (last is None or e.time.date() <= last)
        ]

    steps = list(AuditClockStep.objects.values_list("seq", "time", "previous_time"))
    times = {e.seq: e.time for e in recorded}
    assert steps == [(e.seq, e.time, times[e.seq - 1]) for e in recorded[1:] if e.time < times[e.seq - 1]]
    assert len(steps) == (2 if stepped else 0)
    # Migration 0012 finds the same steps in a log recorded before it.
    with connection.cursor() as cursor:
        cursor.execute(
            import_module("zoomadmin_site.audit.migrations.0012_clock_steps").STEPS + " ORDER BY seq"
        )
        assert [seq for seq, _time, _previous in cursor.fetchall()] == [seq for seq, _t, _p in steps]

    march = None, dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 6)
    for actor in ("", "ann", "bob", "cy"):
        for action in ("", "auth", "mirror.sync"):
            for first in march:
                for last in march:
                    filters = {"actor": actor, "action": action, "date_from": first, "date_to": last}
                    want = expected(actor, action, first, last)
                    page = selectors.audit_event_list(limit=1, **filters)
                    counts = selectors.audit_outcome_counts(cap=2, **filters)
                    assert [e.seq for e in page.events] == want[:1], filters
                    assert sum(c.count for c in counts) == min(len(want), 2), filters
                    pages, after = [], None
                    while True:
                        listed = selectors.audit_event_list(after_seq=after, limit=1, **filters)
                        pages += [e.seq for e in listed.events]
                        if (after := listed.older_cursor) is None:
                            break
                    assert pages == want, filters
