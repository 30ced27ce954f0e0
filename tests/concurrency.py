"""Concurrency in tests: many threads at once on a database that queues writers as production does.

Django's in-memory SQLite test database refuses a second writer at once ("table is locked") where a file
database's busy timeout queues it, as in production. The `file_database` fixture moves a test onto a
file copy of the test database for its duration (on PostgreSQL it does nothing). Import the fixture into
a test module to use it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

WORKERS = 20


@pytest.fixture
def file_database(audit_triggers_off_for_flush, tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test's database becomes a file copy of the in-memory test database (WAL, busy
    timeout, immediate transactions: the production settings) until the test ends; on another
    database, nothing to do."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # the in-memory database lives while one connection does
    file_name = str(tmp_path / "zoomadmin.sqlite3")
    connection.ensure_connection()
    with sqlite3.connect(file_name) as copy:
        connection.connection.backup(copy)
    copy.close()
    connection.settings_dict["NAME"] = file_name  # shared by every thread's connection
    connection.close()  # closes the in-memory connection for real: the file is not in memory
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()  # before the keeper lets go of the in-memory database
        keeper.close()


def at_once(work: Callable[[int], Any], workers: int = WORKERS) -> list[Any]:
    """Run `work(n)` for n in 0..workers-1 in as many threads, released together; each result or error."""
    start = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as error:  # reported by the test
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
