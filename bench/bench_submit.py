"""Submit latency: how long "submit" takes for an author (web form) and for another forum (API).

    python bench/bench_submit.py [--clients 20] [--seconds 8] [--runs 3]

Workload: a scratch database with 10,000 stored posts; gunicorn (2 processes × 4 threads) as the web
process; a Celery worker with 2 processes and beat running and classifying every submitted post meanwhile
(submit must never wait on them). ``--clients`` clients (threads with keep-alive connections) each submit a
new ~120-word post once per second (open loop: a slow answer does not slow the offered load), for
``--seconds`` seconds; the web clients are logged-in authors posting the forum's editor form (POST → 302),
the API clients post JSON with a Bearer key (→ 202). Prints p50/p95/max per run and the medians over
``--runs`` runs.
"""
from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402


def _api_client(port: int):
    import httpx

    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                        headers={"Authorization": f"Bearer {common.API_KEY}"})


def _web_client(port: int):
    import httpx

    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/accounts/login/", data={"username": "bench-author", "password": "bench",
                                                   "csrfmiddlewaretoken": token})
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: {answer.status_code}")
    page = client.get("/posts/new/")
    client.bench_csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    client.bench_category = re.search(r'<option value="(\d+)"', page.text).group(1)
    return client


def _submit_api(client, i: int, body: str, run: str):
    answer = client.post("/api/v1/submissions", json=common.api_payload(i, body, run=run))
    return answer.status_code == 202, answer


def _submit_web(client, i: int, body: str, run: str):
    answer = client.post("/posts/new/", data={
        "csrfmiddlewaretoken": client.bench_csrf, "title": f"Web post {run} {i}", "category": client.bench_category,
        "format": "markdown", "body": body, "human_only": "on"})
    return answer.status_code == 302, answer


def load(kind: str, port: int, *, clients: int, seconds: float, bodies: list[str], run: str,
         per_client_rate: float = 1.0) -> dict:
    """``clients`` threads, each submitting ``per_client_rate`` posts per second for ``seconds``."""
    make, submit = (_api_client, _submit_api) if kind == "api" else (_web_client, _submit_web)
    sessions = [make(port) for _ in range(clients)]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    per_client = int(seconds * per_client_rate)

    def client_loop(c: int):
        session = sessions[c]
        for k in range(per_client):
            # staggered, fixed schedule (open loop): client c submits at start + (k + c/clients) / rate
            due = start + (k + c / clients) / per_client_rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            i = c * per_client + k
            sent = time.perf_counter()
            ok, answer = submit(session, i, bodies[i % len(bodies)], run)
            took = (time.perf_counter() - sent) * 1000
            with lock:
                latencies.append(took)
                if not ok:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sessions:
        s.close()
    return {"n": len(latencies), "failed": len(failures), "first_failure": failures[0] if failures else None,
            "p50_ms": common.pct(latencies, 50), "p95_ms": common.pct(latencies, 95), "max_ms": max(latencies)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stored", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=120)
    a = ap.parse_args()

    db = common.scratch_db(a.stored, "bench_submit")
    common.setup_django(db)
    common.purge_queues()
    bodies = common.posts(400, a.words, seed=23)
    port = common.free_port()
    results: dict[str, list[dict]] = {"api": [], "web": []}
    with common.Stack(db) as stack:
        stack.web(port)
        stack.workers(2)
        stack.beat()
        common.wait_workers_ready(db)
        # warm-up: first requests import and connect
        load("api", port, clients=2, seconds=1, bodies=bodies, run="warm-api")
        load("web", port, clients=2, seconds=1, bodies=bodies, run="warm-web")
        for r in range(a.runs):
            for kind in ("api", "web"):
                res = load(kind, port, clients=a.clients, seconds=a.seconds, bodies=bodies, run=f"{kind}{r}")
                results[kind].append(res)
                print(f"# {kind:<3} run {r + 1}: {res['n']} submits, p50 {res['p50_ms']:.1f} ms, "
                      f"p95 {res['p95_ms']:.1f} ms, max {res['max_ms']:.0f} ms, {res['failed']} failed "
                      f"(load {common.machine()['load1']})", flush=True)
                if res["failed"]:
                    print("#   first failure:", res["first_failure"])
    common.db_drop(db)
    record = {"bench": "submit", "workload": f"{a.clients} clients x 1 post/s each of ~{a.words} words for "
              f"{a.seconds:g} s; gunicorn 2x4; worker 2 processes + beat classifying meanwhile; "
              f"{a.stored} stored posts", "runs": a.runs}
    for kind in ("api", "web"):
        record[f"{kind}_p50_ms"] = common.median(r["p50_ms"] for r in results[kind])
        record[f"{kind}_p95_ms"] = common.median(r["p95_ms"] for r in results[kind])
        record[f"{kind}_failed"] = sum(r["failed"] for r in results[kind])
    record["submit_p95_ms"] = max(record["api_p95_ms"], record["web_p95_ms"])
    record.update(common.machine())
    common.emit(record)


if __name__ == "__main__":
    main()
