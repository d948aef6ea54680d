"""Fixtures for the pipeline tests: the test classifier stack, a real Celery worker subprocess, a private
Redis server that a test may stop.

The worker opens the test database (``DATABASE_URL`` points at pytest-django's ``test_<name>``), listens on
this run's queues (``CELERY_QUEUE_PREFIX`` is inherited from config/settings/test.py), and runs with
``tests.pipeline.worker_settings`` (the test classifiers). Worker tests use ``transaction=True``: the worker
cannot see a test's open transaction.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.pipeline.classifiers import STACK

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.1, message: str = "condition",
             diagnose=None):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout`` seconds.

    ``diagnose()`` returns text added to the failure (a worker's log, the queue's state): CI shows only the
    failure's own output, so what is needed to explain it must be in there."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            details = f"\n{diagnose()}" if diagnose else ""
            pytest.fail(f"timed out after {timeout}s waiting for {message}{details}")
        time.sleep(interval)


def stop_process_group(process: subprocess.Popen, first: int = signal.SIGTERM, timeout: float = 15.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its process group (a worker's
    pool, a script's children): ``first``, then SIGKILL if the group's leader has not exited after ``timeout``
    seconds. A group already gone is not an error."""
    try:
        os.killpg(process.pid, first)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pipeline_settings(settings):
    """The test process uses the same classifier stack as the worker."""
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    return settings


@pytest.fixture(scope="session")
def pipeline_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pipeline")


def queues() -> str:
    prefix = os.environ["CELERY_QUEUE_PREFIX"]
    return f"{prefix}.fast,{prefix}.slow,{prefix}.webhooks"


class Worker:
    """A ``celery worker`` subprocess in its own process group (so a SIGKILL takes all of it)."""

    def __init__(self, *, database_url: str, redis_url: str, directory: Path, **env):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.pipeline.worker_settings",
                    "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PIPELINE_TEST_DIR": str(directory),
                    "CELERY_VISIBILITY_TIMEOUT": "60", "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING",
                    **{k: str(v) for k, v in env.items()}}
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    def start(self, **env) -> Worker:
        self.env.update({k: str(v) for k, v in env.items()})
        self.log_path = self.directory / f"worker-{uuid.uuid4().hex[:8]}.log"
        log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "--concurrency", "2",
             "-Q", queues(), "-l", "info", "-n", f"pipeline-{uuid.uuid4().hex[:6]}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: self.ready() or self._died(), timeout=60, message="the worker to start")
        if not self.ready():
            pytest.fail(f"the worker exited during start-up:\n{self.log()[-3000:]}")
        return self

    def _died(self) -> bool:
        return self.process.poll() is not None

    def ready(self) -> bool:
        return " ready." in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def log_tail(self, lines: int = 15) -> str:
        """The log's last lines that are not per-task chatter, for a failure message."""
        kept = [line[:600] for line in self.log().splitlines()
                if line.strip() and "] received" not in line and "] succeeded in" not in line]
        state = "running" if self.running else f"exited ({self.process.returncode})" if self.process else "unstarted"
        return f"--- worker {state}, last of {self.log_path} ---\n" + "\n".join(kept[-lines:])

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_all(self) -> None:
        """SIGKILL the main process and its pool children at once (as the OOM killer or a host crash would)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.running:
            stop_process_group(self.process, timeout=10)


def _test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="package")
def celery_worker_process(django_db_setup, django_db_blocker, pipeline_dir):
    """One worker for this folder's worker tests: started on first use, always stopped after the folder's
    last test, so it never takes tasks meant for another folder's tests. (The worker test files sort last.)"""
    from django.conf import settings

    import redis

    # Messages earlier in-process tests enqueued (their rows were rolled back) would only slow the worker.
    prefix = os.environ["CELERY_QUEUE_PREFIX"]
    redis.Redis.from_url(settings.REDIS_URL).delete(f"{prefix}.fast", f"{prefix}.slow")
    worker = Worker(database_url=_test_database_url(), redis_url=settings.REDIS_URL, directory=pipeline_dir)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def worker(celery_worker_process):
    """The shared worker, restarted if a previous test killed it."""
    if not celery_worker_process.running:
        celery_worker_process.start(CELERY_VISIBILITY_TIMEOUT=60)
    return celery_worker_process


@pytest.fixture
def started_log(pipeline_dir):
    """Read the scripted classifier's start log: [(pid, token)]."""
    def read(token: str | None = None) -> list[tuple[int, str]]:
        path = pipeline_dir / "started.log"
        if not path.exists():
            return []
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        return [(int(pid), tok) for pid, tok in rows if token is None or tok == token]

    return read


class RedisServer:
    """A private ``redis-server`` a test may stop and start again (never the machine's shared one)."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, timeout=10, message=f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at another broker for the duration (pools are rebuilt lazily).

    The URL goes in under both names Celery looks it up by: Celery 5.6 finds the Django setting
    ``CELERY_BROKER_URL`` before an override stored as ``broker_url`` (5.7 the other way round), and a test that
    silently kept the machine's Redis would test nothing. The assert makes sure."""
    from config.celery import app

    def forget():  # kombu keeps pools per URL globally: drop our references, never close the shared one
        app._pool = None
        app.amqp._producer_pool = None

    names = ("broker_url", "CELERY_BROKER_URL")
    previous = {name: app.conf.changes[name] for name in names if name in app.conf.changes}
    forget()
    app.conf.changes.update({name: url for name in names})
    try:
        assert app.conf.broker_write_url == url, app.conf.broker_write_url  # e.g. CELERY_BROKER_URL in the env
        yield app
    finally:
        if app._pool is not None:
            app._pool.force_close_all()  # the private broker's pool only
        forget()
        for name in names:
            app.conf.changes.pop(name, None)
        app.conf.changes.update(previous)
