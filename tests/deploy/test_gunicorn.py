"""The production profile, run the way docs/deploy.md says: ``check --deploy``, ``migrate``,
``collectstatic`` (hashed names), an API key, gunicorn with deploy/gunicorn.conf.py behind a (simulated)
TLS proxy, the health probe, and the audit backup.

Everything runs as subprocesses against a database of its own (``<test database>_deploy``, created and
dropped here), so the commands are the operator's, not pytest-django's.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.pipeline.conftest import stop_process_group

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
HOST = "forum.example.test"
#: What the proxy adds to every request it passes on (deploy/nginx.conf).
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection():
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)


@pytest.fixture(scope="module")
def deploy_env(tmp_path_factory):
    """The environment file of docs/deploy.md, filled in for a database and queue names of this run's own."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME'].removeprefix('test_')}_deploy"
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix = f"deploy{uuid.uuid4().hex[:8]}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_QUEUE_PREFIX": prefix,
        "VAR_DIR": str(tmp_path_factory.mktemp("deploy-var")),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    })
    yield env
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def gunicorn(deploy_env, tmp_path_factory):
    """The build and release steps of docs/deploy.md, then the web process; yields (base URL, API key, log)."""
    checked = manage(deploy_env, "check", "--deploy")
    assert "security.W" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr
    manage(deploy_env, "migrate", "--noinput", "-v0")
    manage(deploy_env, "collectstatic", "--noinput", "-v0")
    key = manage(deploy_env, "create_api_client", "smoke-forum", "--scopes", "submit").stdout.strip().splitlines()[-1]
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {**deploy_env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            probe = subprocess.run([sys.executable, "deploy/healthcheck.py", base], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=20)
            if probe.returncode == 0:
                break
            assert process.poll() is None, f"gunicorn exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn never became healthy: {probe.stdout}\n{log.read_text()}"
            time.sleep(0.5)
        yield base, key, log
    finally:
        stop_process_group(process, timeout=30)


def get(base, path, **kwargs):
    return httpx.get(base + path, headers={**PROXIED, **kwargs.pop("headers", {})}, timeout=20, **kwargs)


def test_health_is_ok_behind_the_proxy(gunicorn):
    base, _, _ = gunicorn
    response = get(base, "/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_plain_http_is_redirected_to_https(gunicorn):
    base, _, _ = gunicorn
    response = httpx.get(base + "/", headers={"Host": HOST}, timeout=20)
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/"


def test_front_page_links_hashed_static_files_served_with_far_future_caching(gunicorn):
    base, _, _ = gunicorn
    page = get(base, "/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    stylesheet = re.search(r'href="(/static/forum/site\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the front page does not link a hashed forum/site.css"
    css = get(base, stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    assert get(base, "/static/forum/site.0123456789ab.css").status_code == 404


def test_an_api_submission_is_accepted_and_readable(gunicorn):
    base, key, log = gunicorn
    payload = {"external_id": "smoke-1", "author": {"external_id": "u-1", "display_name": "Ada", "standing": "regular"},
               "category": "general", "title": "Smoke", "body": "I wrote every word of this post myself, slowly.",
               "format": "markdown", "disclosure": {"human_only": True}}
    auth = {"Authorization": f"Bearer {key}"}
    created = httpx.post(base + "/api/v1/submissions", json=payload, headers={**PROXIED, **auth}, timeout=20)
    assert created.status_code == 202, created.text
    detail = get(base, f"/api/v1/submissions/{created.json()['id']}", headers=auth)
    assert detail.status_code == 200
    assert detail.json()["external_id"] == "smoke-1"
    bad = httpx.post(base + "/api/v1/submissions", json={**payload, "body": ""}, headers={**PROXIED, **auth},
                     timeout=20)
    assert bad.status_code == 400
    # LOG_FORMAT=json: the intake's line is one JSON object naming the submission and the request.
    logged = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [received] = [line for line in logged if line["event"].startswith("submission received")]
    assert received["submission_id"] == created.json()["id"] and received["request_id"]


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump (postgresql-client) is not installed")
def test_the_audit_backup_dumps_the_audit_tables(deploy_env, gunicorn, tmp_path):
    env = {**deploy_env, "BACKUP_DIR": str(tmp_path)}
    done = subprocess.run(["deploy/backup-audit.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip())
    assert dump.parent == tmp_path and dump.exists()
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True).stdout
    for table in ("moderation_action", "moderation_reviewitem", "moderation_evaluation", "moderation_submission",
                  "moderation_statementofreasons"):  # the DSA record of each decision (an operator's review)
        assert re.search(rf"TABLE DATA public {table} ", listing), f"{table} is not in the dump"
    assert "TABLE DATA public auth_user " not in listing  # the audit tables, not the whole database


@pytest.mark.skipif(not shutil.which("pg_restore"), reason="pg_restore (postgresql-client) is not installed")
def test_the_audit_backup_restores_with_the_command_docs_deploy_gives(deploy_env, gunicorn, tmp_path):
    """docs/deploy.md, "Backups": restore a dump with ``pg_restore --data-only`` into a database at the same
    migration. A submission points at its current revision and a revision at its submission: restored table by
    table, as the command said, each COPY broke a foreign key and no submission came back (pg_restore: "errors
    ignored on restore", exit 1). Found by an operator's review."""
    import psycopg

    base, key, log = gunicorn
    payload = {"external_id": "restore-1", "author": {"external_id": "u-2", "display_name": "Bo", "standing": "new"},
               "category": "general", "title": "Restore me", "format": "markdown",
               "body": "A post written to be backed up and restored, every word by hand."}
    created = httpx.post(base + "/api/v1/submissions", json=payload,
                         headers={**PROXIED, "Authorization": f"Bearer {key}"}, timeout=20)
    assert created.status_code == 202, created.text
    done = subprocess.run(["deploy/backup-audit.sh"], cwd=ROOT, env={**deploy_env, "BACKUP_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    dump = done.stdout.strip()
    source_url = deploy_env["DATABASE_URL"]
    target_name = source_url.rsplit("/", 1)[1] + "_restore"
    target_url = source_url.rsplit("/", 1)[0] + "/" + target_name
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        conn.execute(f'CREATE DATABASE "{target_name}"')
    try:
        migrated = manage({**deploy_env, "DATABASE_URL": target_url}, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        documented = re.search(r"`(pg_restore [^`]*)`", (ROOT / "docs" / "deploy.md").read_text()).group(1).split()
        command = [target_url.join(part.split("…")) if part.startswith("--dbname=") else
                   dump if part.startswith("audit-") else part for part in documented]
        restored = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert restored.returncode == 0, restored.stderr
        tables = ("moderation_submission", "moderation_revision", "moderation_action", "moderation_apiclient")

        def counts(url):
            with psycopg.connect(url) as conn:
                return [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables]

        assert counts(target_url) == counts(source_url) and counts(target_url)[0] >= 1
    finally:
        with admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
