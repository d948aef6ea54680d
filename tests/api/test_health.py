"""``GET /api/v1/health`` needs no key: 200 when the database and the broker answer, 503 when either does not,
with the last worker heartbeat."""
import pytest
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def health():
    return APIClient().get("/api/v1/health")


def test_ok_without_a_key():
    response = health()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "last_worker_heartbeat": None}


def test_reports_the_latest_worker_heartbeat():
    at = timezone.now().replace(microsecond=0)
    WorkerHeartbeat.objects.create(name="old", at=at - timezone.timedelta(minutes=5))
    WorkerHeartbeat.objects.create(name="w1", at=at)
    assert health().json()["last_worker_heartbeat"] == at.isoformat()


def test_unreachable_broker_is_503(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = health()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_unreachable_database_is_503(monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = health()
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["last_worker_heartbeat"] is None


def test_embedded_filesystem_broker_is_ok_when_its_folder_is_writable(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    assert health().status_code == 200
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing"),
                                                "data_folder_out": str(tmp_path / "missing")}
    assert health().json()["broker"] == "unavailable"
