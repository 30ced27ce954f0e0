"""Many writers at once still make one gap-free, unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.models import AuditChainHead, AuditEvent
from zoomadmin_site.audit.services import audit_record

THREADS = 6
EVENTS_PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_gap_free_seq_and_an_intact_chain(audit_triggers_off_for_flush):
    before = AuditEvent.objects.count()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_PER_THREAD):
                audit_record(action="mirror.sync", outcome="succeeded", target_id=f"{n}-{i}")
        except BaseException as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == before + THREADS * EVENTS_PER_THREAD
    assert seqs == list(range(1, len(seqs) + 1))
    written = set(AuditEvent.objects.values_list("target_id", flat=True))
    assert {f"{n}-{i}" for n in range(THREADS) for i in range(EVENTS_PER_THREAD)} <= written
    report = chain_verify()
    assert report.intact, report.summary()
    assert report.last_seq == len(seqs)


@pytest.mark.django_db(transaction=True)
def test_an_append_rolled_back_by_a_locked_table_is_retried_as_a_fresh_insert(
    audit_triggers_off_for_flush, monkeypatch
):
    audit_record(action="mirror.sync", outcome="succeeded", target_id="first")
    moves = []
    move_head = AuditChainHead.save

    def locked_once(head, *args, **kwargs):  # the event is inserted, then moving the head fails once
        moves.append(head.seq)
        if len(moves) == 1:
            raise OperationalError("database table is locked")
        move_head(head, *args, **kwargs)

    monkeypatch.setattr(AuditChainHead, "save", locked_once)
    event = audit_record(action="mirror.sync", outcome="succeeded", target_id="second")
    assert moves == [2, 2]
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "target_id")) == [
        (1, "first"),
        (2, "second"),
    ]
    assert (event.seq, AuditEvent.objects.get(seq=2).hash) == (2, event.hash)
    assert chain_verify().intact
