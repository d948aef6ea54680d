"""Is the service able to work? Database and broker reachability, and the last worker heartbeat."""
from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

from ..models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 1.0


def database_check() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() is not None
    except Exception:  # any driver error means "unreachable" here; the detail goes to the log
        logger.warning("health: database unreachable", exc_info=True)
        return False


def broker_check() -> bool:
    """Redis: a PING with a short timeout. The embedded filesystem broker: its folders exist and are writable."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    try:
        if url.startswith("filesystem://"):
            options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
            folders = {options.get("data_folder_in"), options.get("data_folder_out")} - {None}
            return bool(folders) and all(os.path.isdir(f) and os.access(f, os.W_OK) for f in folders)
        if urlsplit(url).scheme in ("redis", "rediss", "unix"):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                          socket_timeout=BROKER_TIMEOUT_SECONDS)
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        logger.warning("health: broker unreachable", exc_info=True)
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
