"""Retry-on-lock (config/sqlite_backend): when another connection holds SQLite's write lock past the busy
timeout, Django's stock engine answers ``database is locked`` (an HTTP 500 in a view); ours waits and succeeds.
Statements inside a transaction are never replayed."""
import sqlite3
import threading
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper as StockWrapper

from config.sqlite_backend.base import DatabaseWrapper as RetryingWrapper

pytestmark = pytest.mark.reliability


def wrapper(cls, path, alias):
    settings = {"NAME": str(path), "ENGINE": "", "OPTIONS": {"timeout": 0.2, "transaction_mode": "IMMEDIATE",
                                                              "init_command": "PRAGMA journal_mode=WAL"},
                "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
                "TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {}}
    return cls(settings, alias=alias)


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A scratch SQLite file (WAL), outside Django's test database; connections to it are allowed."""
    path = tmp_path / "lock.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (n INTEGER)")
    with django_db_blocker.unblock():
        yield path


def hold_write_lock(path, seconds):
    """Another process's long write: BEGIN IMMEDIATE, hold, commit."""
    ready = threading.Event()

    def hold():
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def test_the_stock_engine_gives_up_while_another_writer_holds_the_lock(database):
    db = wrapper(StockWrapper, database, "stock")
    holder = hold_write_lock(database, 1.5)
    try:
        with pytest.raises(Exception, match="database is locked"):
            with db.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (1)")
    finally:
        holder.join()
        db.close()


@pytest.mark.parametrize("in_atomic", [False, True], ids=["autocommit", "atomic"])
def test_the_embedded_engine_waits_for_the_lock_and_writes(database, in_atomic):
    db = wrapper(RetryingWrapper, database, "retrying")
    holder = hold_write_lock(database, 1.5)
    started = time.monotonic()
    try:
        if in_atomic:
            with _atomic(db):
                with db.cursor() as cursor:
                    cursor.execute("INSERT INTO t VALUES (1)")
                    cursor.execute("INSERT INTO t VALUES (2)")
        else:
            with db.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (1)")
    finally:
        holder.join()
    assert time.monotonic() - started >= 1.0  # it really waited for the other writer
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == (2 if in_atomic else 1)
    db.close()


class _atomic:
    """BEGIN IMMEDIATE … COMMIT on a wrapper outside django.db.connections (what transaction.atomic does)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.ensure_connection()
        self.db._start_transaction_under_autocommit()

    def __exit__(self, kind, value, tb):
        self.db.connection.execute("COMMIT" if kind is None else "ROLLBACK")
