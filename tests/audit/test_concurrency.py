"""Many writers at once still make one gap-free, unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from zoomadmin_site.audit.chain import chain_verify
from zoomadmin_site.audit.models import AuditEvent
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
