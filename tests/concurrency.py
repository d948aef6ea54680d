"""Running calls at the same moment, each on its own database connection (tests marked
``django_db(transaction=True)``, so each thread sees what the others commit)."""
from __future__ import annotations

import threading

from django.db import connection


def run_together(*calls):
    """Start every call behind one barrier and return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each side got
            outcomes[index] = exc
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
