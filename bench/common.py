"""What every benchmark shares: scratch databases, the processes under test, texts, and how figures print.

Benchmarks run against the real stack of a production install on this machine: PostgreSQL
(``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``), Redis (``BENCH_REDIS_URL``, default
database 7 on 127.0.0.1:6379), gunicorn for the web process and Celery worker processes. They never touch
the databases of the tests or of ``make run``: each one works in a scratch database created from a filled
*template* database (``CREATE DATABASE … TEMPLATE …`` copies files, so a 100k-post database costs about a
second after its first fill), and its Celery queues carry their own prefix (``bench<pid>``) so a worker of
another checkout never takes a benchmark's task, nor the other way round.

Every benchmark prints one JSON object per measurement on a line of its own (``{"bench": ...}``) after the
human-readable lines; ``bench/run_all.py`` collects them.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
PREFIX = os.environ.get("BENCH_QUEUE_PREFIX", f"bench{os.getpid()}")
VAR = Path(os.environ.get("BENCH_VAR", tempfile.gettempdir())) / f"aidisclosure-bench-{os.getpid()}"
API_KEY = "adk_bench000_" + "b" * 43  # only ever valid inside a scratch database

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- Figures ---------------------------------------------------------------------------------------

def pct(values, q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def min_present(*values) -> float | None:
    """The smallest of the values that are not None (None if none is)."""
    present = [v for v in values if v is not None]
    return min(present) if present else None


def emit(record: dict) -> dict:
    """Print one benchmark's figures as a JSON line (what run_all.py collects)."""
    print(json.dumps(record, sort_keys=False, default=lambda v: round(v, 4) if isinstance(v, float) else str(v)),
          flush=True)
    return record


def machine() -> dict:
    load1, load5, _ = os.getloadavg()
    return {"cpus": os.cpu_count(), "load1": round(load1, 2), "load5": round(load5, 2)}


# --- Databases -------------------------------------------------------------------------------------

def _admin():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def db_url(name: str) -> str:
    return f"{PG}/{name}"


def db_exists(name: str) -> bool:
    with _admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def db_drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def db_create(name: str, template: str | None = None) -> None:
    db_drop(name)
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def fill_key() -> str:
    """Changes when the fill changes (then templates are refilled); new migrations are applied, not refilled."""
    return hashlib.sha256(Path(__file__).with_name("fill.py").read_bytes()).hexdigest()[:10]


_MIGRATED: set[str] = set()


def template_db(stored_posts: int) -> str:
    """A migrated database holding ``stored_posts`` decided posts (20% with an open review item); reused.

    Made once per version of ``fill.py``; later runs only apply new migrations to it (seconds), so a
    100k-post database is not refilled when the schema moves on. ``BENCH_TEMPLATES_READY=1`` (set by
    run_all.py once it has prepared them) skips even that.
    """
    name = f"bench_tpl_{stored_posts}_{fill_key()}"
    if db_exists(name):
        if name not in _MIGRATED and os.environ.get("BENCH_TEMPLATES_READY") != "1":
            try:
                run_django(["manage.py", "migrate", "--noinput", "-v0"], db=name)
            except RuntimeError as exc:  # migrations that cannot apply to it (another branch's): fill anew
                print(f"# template {name} cannot be migrated, refilling: {str(exc)[-300:]}", flush=True)
                db_drop(name)
                return template_db(stored_posts)
            _MIGRATED.add(name)
        return name
    tmp = name + "_filling"
    db_create(tmp)
    started = time.perf_counter()
    run_django(["manage.py", "migrate", "--noinput", "-v0"], db=tmp)
    run_django(["bench/fill.py", str(stored_posts)], db=tmp)
    with _admin() as conn:
        conn.execute(f'ALTER DATABASE "{tmp}" RENAME TO "{name}"')
    _MIGRATED.add(name)
    print(f"# filled template {name} ({stored_posts:,} posts) in {time.perf_counter() - started:.0f} s "
          "(reused by later runs)", flush=True)
    return name


def scratch_db(stored_posts: int, name: str = "bench_scratch") -> str:
    db_create(name, template=template_db(stored_posts))
    return name


def clean_templates() -> None:
    """Drop templates of other fills and half-made ones (left by earlier runs or checkouts)."""
    key = fill_key()
    with _admin() as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench_tpl_%%'")]
    for name in names:
        if not name.endswith(key):
            db_drop(name)


# --- Processes -------------------------------------------------------------------------------------

def stack_env(db: str, **extra) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(DATABASE_URL=db_url(db), REDIS_URL=REDIS_URL, CELERY_QUEUE_PREFIX=PREFIX,
               DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="0", VAR_DIR=str(VAR),
               SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-" + "k" * 50),  # not the demo key (refused)
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
               API_THROTTLE_RATE="1000000/min")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_django(args: list[str], *, db: str, **extra) -> str:
    out = subprocess.run([PY, *args], cwd=ROOT, env=stack_env(db, **extra), capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr[-3000:]}")
    return out.stdout


def setup_django(db: str) -> None:
    """Point this process at ``db`` and start Django (for benchmarks that work in-process)."""
    os.environ.update(stack_env(db))
    import django

    django.setup()


def queues() -> str:
    return f"{PREFIX}.fast,{PREFIX}.slow,{PREFIX}.webhooks"


class Stack:
    """Processes started for a benchmark, stopped (process group and all) on exit."""

    def __init__(self, db: str, **extra):
        self.db, self.extra, self.procs = db, extra, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, args: list[str], *, name: str, netns: str | None = None, env: dict | None = None):
        log = open(VAR / f"{name}.log", "ab")
        cmd = ["ip", "netns", "exec", netns, *args] if netns else args
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env or stack_env(self.db, **self.extra), stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        proc.bench_name = name
        self.procs.append(proc)
        return proc

    def workers(self, processes: int, *, name: str = "worker", netns: str | None = None, env: dict | None = None):
        """One Celery worker with ``processes`` pool processes on every queue (as ``make run`` starts it)."""
        proc = self.start([PY, "-m", "celery", "-A", "config", "worker", "-Q", queues(), "-c", str(processes),
                           "-n", f"{name}@%h", "-l", "warning", "--without-gossip", "--without-mingle"],
                          name=name, netns=netns, env=env)
        return proc

    def beat(self):
        return self.start([PY, "-m", "celery", "-A", "config", "beat", "-l", "warning",
                           "-s", str(VAR / f"beat-{os.getpid()}")], name="beat")

    def web(self, port: int, workers: int = 2, threads: int = 4):
        proc = self.start([PY, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
                           "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning",
                           "--backlog", "512", "--keep-alive", "30"], name="web")
        wait_http(port)
        return proc

    def stop(self) -> None:
        for proc in self.procs:  # the main process first: Celery and gunicorn stop their children themselves
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.time() + 15
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str = "/api/v1/health", timeout: float = 60) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"the web process on port {port} did not answer within {timeout} s")


def wait_workers_ready(db: str, workers: int = 1, timeout: float = 180) -> None:
    """Wait until ``workers`` Celery workers have each taken a task (a heartbeat): their pools are up, with
    the classifiers' models loaded (``worker_process_init``)."""
    from moderation.models import WorkerHeartbeat
    from moderation.tasks import worker_heartbeat

    WorkerHeartbeat.objects.all().delete()
    deadline = time.time() + timeout
    while time.time() < deadline:
        worker_heartbeat.delay()
        time.sleep(0.5)
        if WorkerHeartbeat.objects.count() >= workers:
            purge_queues(keep_unacked=True)  # heartbeats still queued would be taken during the measurement
            return
    raise RuntimeError(f"{WorkerHeartbeat.objects.count()} of {workers} workers answered within {timeout} s; "
                       f"see the logs in {VAR}")


def purge_queues(keep_unacked: bool = False) -> None:
    """Empty this run's queues (and, before workers start, the transport's unacked bookkeeping)."""
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    for queue in queues().split(","):
        r.delete(queue)
    if not keep_unacked:
        for key in ("unacked", "unacked_index", "unacked_mutex"):
            r.delete(key)


# --- Texts -----------------------------------------------------------------------------------------

def _corpus() -> list[str]:
    from moderation.detector.train.data import OWN_CORPUS  # the detector's committed, LLM-written corpus

    return [json.loads(line)["text"] for line in OWN_CORPUS.open(encoding="utf-8")]


def posts(n: int, words: int, seed: int = 7) -> list[str]:
    """``n`` distinct posts of about ``words`` words, paragraphs from the project's own LLM-written corpus."""
    rng = random.Random(seed)
    paragraphs = [p for p in _corpus() if len(p.split()) >= 30]
    out = []
    for i in range(n):
        chosen, count = [], 0
        while count < words:
            p = rng.choice(paragraphs)
            cut = p.split()[: max(10, words - count)] if words - count < len(p.split()) else p.split()
            chosen.append(" ".join(cut))
            count += len(cut)
        out.append("\n\n".join(chosen) + f"\n\n(post {seed}-{i})")
    return out


def api_payload(i: int, body: str, *, run: str) -> dict:
    return {"external_id": f"{run}-{i}", "author": {"external_id": f"author-{i % 50}",
                                                     "display_name": f"Author {i % 50}", "standing": "regular"},
            "category": "general", "title": f"Bench post {i}", "body": body, "format": "markdown",
            "disclosure": {"human_only": True}}
