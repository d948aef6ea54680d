"""Ten concurrent API clients against the embedded default (`make run`'s architecture: SQLite, the filesystem
broker, `runserver` and a Celery worker writing the same file): every submission is accepted (no
``database is locked`` 500) and every one is evaluated exactly once."""
from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS, PER_CLIENT = 10, 6

pytestmark = [pytest.mark.reliability, pytest.mark.worker]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args, log_path, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.embedded_test", "PYTHONUNBUFFERED": "1",
                   **env}
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environment, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture
def web_and_worker(transactional_db, tmp_path):
    port = free_port()
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    web = start(["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], web_log)
    worker = start(["-m", "celery", "-A", "config", "worker", "-P", "prefork", "--concurrency", "2", "-l", "info",
                    "-Q", "aidisclosure.fast,aidisclosure.slow,aidisclosure.webhooks", "--without-gossip",
                    "--without-mingle"], worker_log, EMBEDDED_TEST_STACK="fast")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/api/v1/health", timeout=2)
            break
        except httpx.HTTPError:
            assert web.poll() is None, web_log.read_text()[-3000:]
            assert time.monotonic() < deadline, "runserver did not start:\n" + web_log.read_text()[-3000:]
            time.sleep(0.3)
    try:
        yield base, web_log, worker_log
    finally:
        stop(web)
        stop(worker)


def test_ten_concurrent_clients_get_no_errors_and_every_post_is_evaluated_once(web_and_worker):
    from moderation.models import Evaluation, Revision
    from moderation.services.apikeys import api_client_create, api_key_issue

    base, web_log, worker_log = web_and_worker
    key = api_key_issue(client=api_client_create(name="load", scopes=["submit"])).secret

    def client_run(n: int) -> list[int]:
        codes = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
            for i in range(PER_CLIENT):
                payload = {"external_id": f"load-{n}-{i}-{uuid.uuid4().hex[:6]}",
                           "author": {"external_id": f"u-{n}", "display_name": f"Author {n}", "standing": "regular"},
                           "category": "general", "title": f"Post {i} from client {n}", "format": "markdown",
                           "body": f"Client {n} writes post {i} about soil, compost and the slugs in the allotment. "
                                   * 8,
                           "disclosure": {"human_only": True}}
                codes.append(http.post("/api/v1/submissions", json=payload).status_code)
        return codes

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        codes = [c for result in pool.map(client_run, range(CLIENTS)) for c in result]
    assert Counter(codes) == {202: CLIENTS * PER_CLIENT}, (Counter(codes), web_log.read_text()[-3000:])

    deadline = time.monotonic() + 180
    while Revision.objects.filter(evaluated_at__isnull=True).exists():
        assert time.monotonic() < deadline, "not all evaluated:\n" + worker_log.read_text()[-3000:]
        time.sleep(1)
    per_revision = Counter(Evaluation.objects.values_list("revision_id", flat=True))
    assert len(per_revision) == CLIENTS * PER_CLIENT and set(per_revision.values()) == {1}
    for log in (web_log, worker_log):
        assert "database is locked" not in log.read_text()
