"""End to end: posts submitted through the API until every one is evaluated and decided.

    python bench/bench_pipeline.py [--posts 40] [--words 500] [--processes 2] [--rate 10 --seconds 15]

Workload: a scratch database with ``--stored`` stored posts; gunicorn as the web process; one Celery worker
with ``--processes`` pool processes on every queue (fast, slow, webhooks) and beat beside it, as
``make run`` and the README's production section run them. A post is *decided* when the policy's
evaluation is stored (``Revision.evaluated_at``), i.e. its status left ``pending``.

Two modes:

* **throughput** (default): ``--posts`` posts of ``--words`` words submitted at once by 10 API clients;
  posts/s = posts / (last decision − first submit). The same posts are then scored in-process with the same
  classifier stack (``text_score``, no database, no queue) in ``--processes`` processes on the same cores:
  ``pipeline_ratio`` = pipeline posts/s ÷ in-process posts/s.
* **steady rate** (``--rate R --seconds S``): one post every 1/R s for S s (open loop); prints the
  distribution of submit → decision (from the client sending the request to the decision's timestamp).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402


def _submit_all(port: int, bodies: list[str], run: str, *, rate: float | None, clients: int = 10) -> dict[str, float]:
    """Submit every body; return external id → wall-clock time the request was sent."""
    import httpx

    local = threading.local()
    sent: dict[str, float] = {}
    errors: list[str] = []
    start = time.time() + 0.1

    def one(i: int):
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                        headers={"Authorization": f"Bearer {common.API_KEY}"})
        if rate:
            delay = start + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
        payload = common.api_payload(i, bodies[i], run=run)
        sent[payload["external_id"]] = time.time()
        answer = local.client.post("/api/v1/submissions", json=payload)
        if answer.status_code != 202:
            errors.append(f"{answer.status_code} {answer.text[:200]}")

    with ThreadPoolExecutor(max_workers=clients if not rate else max(clients, int(rate * 2))) as pool:
        list(pool.map(one, range(len(bodies))))
    if errors:
        raise RuntimeError(f"{len(errors)} submissions failed, first: {errors[0]}")
    return sent


def _wait_decided(run: str, n: int, timeout: float) -> dict[str, float]:
    """Poll until the ``n`` submissions of ``run`` are decided; external id → decision time (epoch s)."""
    from moderation.models import Revision

    deadline = time.time() + timeout
    while True:
        rows = list(Revision.objects.filter(submission__external_id__startswith=f"{run}-",
                                            submission__current_revision_id=models_F("pk"),
                                            evaluated_at__isnull=False)
                    .values_list("submission__external_id", "evaluated_at"))
        if len(rows) >= n or time.time() > deadline:
            return {ext: at.timestamp() for ext, at in rows}
        time.sleep(0.2)


def models_F(name):
    from django.db.models import F

    return F(name)


def _score(args):
    texts, = args
    from moderation.services.evaluation import text_score

    for text in texts:
        text_score(text=text)
    return len(texts)


def _init_worker(env):
    import os

    os.environ.update(env)
    import django

    django.setup()
    from moderation.conf import app_settings

    # the same CPU priority as the workers' pool processes (moderation.tasks.prepare_pool_process)
    os.setpriority(os.PRIO_PROCESS, 0, max(int(app_settings.WORKER_NICENESS or 0), os.getpriority(os.PRIO_PROCESS, 0)))


def inprocess_rate(bodies: list[str], processes: int, db: str) -> float:
    """Posts/s of the classifier stack alone, in ``processes`` processes (no database, no queue, no web), at
    the workers' CPU priority."""
    env = common.stack_env(db)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes, initializer=_init_worker, initargs=(env,)) as pool:
        pool.map(_score, [(bodies[:1],)] * processes)  # load the models in every process
        chunks = [(bodies[i::processes],) for i in range(processes)]
        started = time.perf_counter()
        done = sum(pool.map(_score, chunks))
        return done / (time.perf_counter() - started)


def run_stack(*, db: str, processes: int, bodies: list[str], run: str, rate: float | None, timeout: float,
              netns_hosts: list | None = None) -> dict:
    """Start web + workers (+ beat), push the posts through, return the timings."""
    common.purge_queues()
    port = common.free_port()
    with common.Stack(db) as stack:
        stack.web(port)
        if netns_hosts is None:
            stack.workers(processes)
        else:
            for host in netns_hosts:
                host.start_workers(stack, processes)
        stack.beat()
        common.wait_workers_ready(db, workers=len(netns_hosts) if netns_hosts else 1)
        sent = _submit_all(port, bodies, run, rate=rate)
        decided = _wait_decided(run, len(bodies), timeout)
    lat = [decided[k] - sent[k] for k in decided]
    missing = len(bodies) - len(decided)
    elapsed = (max(decided.values()) - min(sent.values())) if decided else None
    return {"posts": len(bodies), "decided": len(decided), "missing": missing,
            "posts_per_s": len(decided) / elapsed if elapsed else 0.0,
            "decision_p50_s": common.pct(lat, 50), "decision_p95_s": common.pct(lat, 95),
            "decision_max_s": max(lat) if lat else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=40)
    ap.add_argument("--words", type=int, default=500)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--stored", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=None)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=180)
    ap.add_argument("--no-inprocess", action="store_true")
    a = ap.parse_args()

    n = int(a.rate * a.seconds) if a.rate else a.posts
    results = []
    for r in range(a.runs):
        db = common.scratch_db(a.stored, "bench_pipeline")
        common.setup_django(db) if r == 0 else None
        from django.db import connections

        connections.close_all()
        bodies = common.posts(n, a.words, seed=100 + r)
        res = run_stack(db=db, processes=a.processes, bodies=bodies, run=f"p{r}", rate=a.rate, timeout=a.timeout)
        results.append(res)
        print(f"# run {r + 1}: {res['decided']}/{n} decided, {res['posts_per_s']:.2f} posts/s, submit->decision "
              f"p50 {res['decision_p50_s']:.2f} s p95 {res['decision_p95_s']:.2f} s max {res['decision_max_s']:.2f} s "
              f"(load {common.machine()['load1']})", flush=True)
        connections.close_all()
    record = {"bench": "pipeline_rate" if a.rate else "pipeline",
              "workload": (f"{a.rate:g} posts/s for {a.seconds:g} s" if a.rate else f"{n} posts at once from 10 "
                           "API clients") + f" of ~{a.words} words; worker {a.processes} processes + beat; "
                           f"{a.stored} stored posts",
              "runs": a.runs, "posts": n, "missing": sum(r["missing"] for r in results)}
    for key in ("posts_per_s", "decision_p50_s", "decision_p95_s", "decision_max_s"):
        record[key] = common.median(r[key] for r in results)
    if not a.rate and not a.no_inprocess:
        rate = inprocess_rate(common.posts(n, a.words, seed=100), a.processes, db)
        print(f"# in-process, {a.processes} processes: {rate:.2f} posts/s", flush=True)
        record["inprocess_posts_per_s"] = rate
        record["pipeline_ratio"] = record["posts_per_s"] / rate
    common.db_drop(db)
    record.update(common.machine())
    common.emit(record)


if __name__ == "__main__":
    main()
