"""Is the service able to work? Database and broker reachability, and the last worker heartbeat."""
from __future__ import annotations

import logging

from django.db import connection

from ..models import WorkerHeartbeat
from ..services.enqueue import broker_check

logger = logging.getLogger(__name__)


def database_check() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() is not None
    except Exception:  # any driver error means "unreachable" here; the detail goes to the log
        logger.warning("health: database unreachable", exc_info=True)
        return False


def last_worker_heartbeat(database_ok: bool) -> str | None:
    if not database_ok:
        return None
    try:
        beat = WorkerHeartbeat.objects.order_by("-at").first()
    except Exception:
        return None
    return beat.at.isoformat() if beat else None


def system_health() -> tuple[bool, dict]:
    database_ok = database_check()
    broker_ok = broker_check()
    healthy = database_ok and broker_ok
    return healthy, {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database_ok else "unavailable",
        "broker": "ok" if broker_ok else "unavailable",
        "last_worker_heartbeat": last_worker_heartbeat(database_ok),
    }
