"""SQLite for the embedded default, with retry-on-lock.

SQLite allows one writer at a time. The embedded default already uses WAL (readers never wait), a busy
timeout and ``BEGIN IMMEDIATE`` transactions (the write lock is taken when a transaction starts, so a
transaction never fails half-way for want of it). What remains is the wait itself: SQLite's busy handler
polls, it is not a queue, and under a burst of writers (ten API clients, the worker, beat) one of them can
miss every free moment for the whole busy timeout and get ``database is locked`` — an HTTP 500.

Here a statement that starts a transaction (``BEGIN IMMEDIATE``) or runs alone in autocommit mode is retried
when SQLite answers "locked", with a short randomised back-off, for up to ``LOCK_RETRY_SECONDS`` more. That is
safe because such a statement did nothing: no transaction was open, so there is nothing to redo. A statement
inside a transaction is never retried (the transaction already holds the write lock, so it cannot be locked
out, and replaying part of one would be wrong).
"""
from __future__ import annotations

import logging
import random
import time

from django.db.backends.sqlite3 import base

logger = logging.getLogger(__name__)

#: How long, beyond SQLite's own busy timeout, a lone statement keeps trying to get the write lock.
LOCK_RETRY_SECONDS = 60.0


def _locked(exc: Exception) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


class RetryingCursorWrapper(base.SQLiteCursorWrapper):
    def _retrying(self, run, query):
        deadline = None
        pause = 0.01
        while True:
            try:
                return run()
            except base.Database.OperationalError as exc:
                if not _locked(exc) or self.connection.in_transaction:
                    raise
                now = time.monotonic()
                deadline = deadline or now + LOCK_RETRY_SECONDS
                if now >= deadline:
                    raise
                logger.info("SQLite locked; retrying %s", query.split(None, 2)[:2])
                time.sleep(pause * (0.5 + random.random()))
                pause = min(pause * 2, 0.2)

    def execute(self, query, params=None):
        return self._retrying(lambda: super(RetryingCursorWrapper, self).execute(query, params), query)

    def executemany(self, query, param_list):
        param_list = list(param_list)  # may be a generator: retried, it must be replayable
        return self._retrying(lambda: super(RetryingCursorWrapper, self).executemany(query, param_list), query)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=RetryingCursorWrapper)
