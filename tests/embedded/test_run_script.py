"""`make run` (scripts/run.sh) on one laptop: the worker beside the web server comes back when it dies.

The script is started as a user would (embedded default: SQLite and the filesystem broker, under a VAR_DIR of
its own); its Celery worker is killed with SIGKILL, as the OOM killer would; a post submitted afterwards is still
evaluated.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.embedded.test_embedded_worker import AI_LIKE
from tests.pipeline.conftest import free_port, stop_process_group, wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.reliability, pytest.mark.worker]


@pytest.fixture
def demo(tmp_path):
    """scripts/run.sh in its own session, with a database and broker of its own; stopped as Ctrl-C would."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    env.update(VAR_DIR=str(tmp_path / "var"), PORT=str(port), PYTHONUNBUFFERED="1")
    log = open(tmp_path / "run.log", "w")
    # Ctrl-C's SIGINT as a terminal delivers it: a suite started in the background (``make test &``) passes its
    # ignored SIGINT down, and then run.sh's web server ignored the stop below, which killed run.sh after its
    # timeout and left the supervised worker (in a process group of its own) running
    process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    log.close()
    var = tmp_path / "var"

    def logs() -> str:
        worker_log = var / "worker.log"
        return ((tmp_path / "run.log").read_text()[-3000:] + "\n--- worker.log\n"
                + (worker_log.read_text()[-3000:] if worker_log.exists() else ""))

    base = f"http://127.0.0.1:{port}"

    def healthy():
        assert process.poll() is None, f"run.sh exited\n{logs()}"
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(healthy, timeout=180, interval=0.5, message="run.sh serving", diagnose=logs)
        yield base, var, env, logs
    finally:
        stop_process_group(process, signal.SIGINT, timeout=30)
        left = stop_leftovers(var)
        assert not left, f"still running after Ctrl-C: {left}"


def demo_processes(var: Path) -> list[int]:
    """Live processes started for the demo whose ``VAR_DIR`` is ``var`` (its environment says so)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if f"VAR_DIR={var}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return [pid for pid in found if pid != os.getpid()]


def stop_leftovers(var: Path, timeout: float = 15) -> list[int]:
    """Stop whatever of the demo outlived run.sh, and say what that was (nothing, after a Ctrl-C)."""
    left = demo_processes(var)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in demo_processes(var):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while demo_processes(var) and time.monotonic() < deadline:
            time.sleep(0.2)
    return left


def worker_ready(var: Path) -> int | None:
    """The pid of the running worker once it has logged that it is ready."""
    pid_file = var / "worker.pid"
    if not pid_file.exists() or "ready." not in (var / "worker.log").read_text():
        return None
    pid = int(pid_file.read_text() or 0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def stray_workers(var: Path, worker: int) -> list[int]:
    """Live Celery processes of this demo (by its VAR_DIR) that are neither ``worker`` nor descended from it."""
    def stat(pid):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    stray = []
    for found in demo_processes(var):
        try:
            if stat(found)[0] == "Z" or b"celery" not in Path(f"/proc/{found}/cmdline").read_bytes():
                continue
            pid = found
            while pid not in (worker, 0, 1):
                pid = int(stat(pid)[1])
        except (OSError, IndexError):
            continue
        if pid != worker:
            stray.append(found)
    return stray


def test_a_killed_worker_comes_back_and_later_posts_are_evaluated(demo):
    base, var, env, logs = demo
    first = wait_for(lambda: worker_ready(var), timeout=120, interval=0.5, message="the worker ready",
                     diagnose=logs)

    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: (pid := worker_ready(var)) and pid != first and pid, timeout=120, interval=0.5,
                      message="a new worker", diagnose=logs)

    log = (var / "worker.log").read_text()
    assert f"(pid {first}) exited with status 137" in log and second != first
    assert "Killed" not in log  # the supervisor's own line says it, not a stray bash job notice
    # nothing of the killed worker is left: its embedded beat would go on sending periodic tasks
    assert stray_workers(var, second) == []
    key = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "create_api_client", "restart-test",
                          "--scopes", "submit"], cwd=ROOT, env={**env, "DEBUG": "1"}, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    created = api.post("/submissions", json={
        "external_id": "after-restart", "title": "After the restart", "body": AI_LIKE, "format": "markdown",
        "author": {"external_id": "someone", "display_name": "Someone"}, "disclosure": {"human_only": True}})
    assert created.status_code == 202, created.text

    verdict = wait_for(lambda: (body := api.get(f"/submissions/{created.json()['id']}").json())["status"] != "pending"
                       and body, timeout=180, interval=0.5, message="a verdict after the restart", diagnose=logs)
    assert verdict["status"] in ("published", "queued"), verdict
