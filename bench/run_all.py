"""``make bench``: every benchmark against real PostgreSQL + Redis + Celery workers on this machine.

    .venv/bin/python bench/run_all.py [--quick]

Runs the benchmarks below one after the other (each in its own process, each printing what it measures and
one JSON line), then a table, then - the last line - one JSON object with the headline figures and whether
each meets its target. Scratch databases come from filled template databases (``bench/common.py``); the
first run fills them (about 1 minute idle for 100k posts, several on a busy machine), later runs reuse them.

Settings: ``BENCH_PG`` (default postgres://postgres@127.0.0.1:5432), ``BENCH_REDIS_URL`` (default
redis://127.0.0.1:6379/7). Nothing outside the ``bench_*`` databases and this run's own queues is touched.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402

TARGETS = {  # figure: (comparison, target)
    "submit_p95_ms": ("<", 50),
    "cheap_passages_per_s": (">=", 1000),
    "lm_tokens_per_s": (">=", 300),
    "classifier_posts_per_s": (">=", 5),
    "pipeline_ratio": (">=", 0.7),
    "decision_p95_s": ("<", 2),
    "queue_p95_ms": ("<", 150),
    "queue_queries": ("<=", 12),
}


def plan(quick: bool) -> list[tuple[str, list[str]]]:
    py = [common.PY]
    one_core = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
    q = quick
    # human posts for the classifier stack: third-party text, read from where the project's data lies
    human = os.environ.get("BENCH_HUMAN_JSONL", str(common.ROOT.parent / "shared/data/forum-human/stackexchange.jsonl"))
    return [
        ("classifier", one_core + py + ["bench/bench_detector.py", "--passages", "300" if q else "1500",
                                        "--lm-passages", "5" if q else "20", "--posts", "10" if q else "40"]
         + (["--human-posts", human] if os.path.exists(human) else [])),
        ("submit", py + ["bench/bench_submit.py", "--runs", "1" if q else "3", "--seconds", "4" if q else "5"]),
        ("pipeline", py + ["bench/bench_pipeline.py", "--posts", "20" if q else "60", "--words", "500"]),
        # short posts: ~40-word replies, under the detector's 50-word window (no language-model stage)
        ("pipeline_rate", py + ["bench/bench_pipeline.py", "--rate", "10", "--seconds", "5" if q else "12",
                                "--words", "40"]),
        ("pipeline_rate_500", py + ["bench/bench_pipeline.py", "--rate", "2", "--seconds", "8" if q else "12",
                                    "--words", "500"]),
        ("queue", py + ["bench/bench_queue.py", "--repeat", "3" if q else "6"]),
        ("scaling", py + ["bench/bench_scaling.py", "--posts", "6" if q else "8", "--words", "100"]
         + (["--stored", "1000,100000", "--procs", "1,2"] if q else [])),
    ]


def run_one(name: str, cmd: list[str], env: dict, timeout: float) -> dict:
    started = time.perf_counter()
    print(f"\n=== {name}: {' '.join(c for c in cmd if c != common.PY)}", flush=True)
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    record = None
    try:
        for line in proc.stdout:
            print("  " + line.rstrip(), flush=True)
            if line.startswith("{"):
                record = json.loads(line)
        proc.wait(timeout=max(1, timeout - (time.perf_counter() - started)))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 15)
        proc.wait()
    if record is None:
        record = {"bench": name, "error": f"no result (exit {proc.returncode})"}
    record["seconds"] = round(time.perf_counter() - started, 1)
    return record


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}{unit}" if value < 100 else f"{value:,.0f}{unit}"
    return f"{value}{unit}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer posts and runs (a smoke test of the harness)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    a = ap.parse_args()
    started = time.perf_counter()
    load_before = common.machine()
    print(f"# make bench: {os.cpu_count()} CPUs, load average {load_before['load1']} / {load_before['load5']} "
          f"(1 / 5 min) at the start", flush=True)

    common.clean_templates()
    for stored in (1_000, 10_000, 100_000):
        common.template_db(stored)
    env = dict(os.environ, BENCH_TEMPLATES_READY="1", PYTHONUNBUFFERED="1")

    results: dict[str, dict] = {}
    budget = 560 - (time.perf_counter() - started)
    for name, cmd in plan(a.quick):
        if a.only and name not in a.only.split(","):
            continue
        left = 560 - (time.perf_counter() - started)
        if left < 20:
            results[name] = {"bench": name, "error": "skipped: the 10-minute budget is spent"}
            continue
        if name == "scaling":  # it measures cell by cell: let it stop starting cells in time to report
            cmd = cmd + ["--deadline-s", str(max(10, left - 60))]
        results[name] = run_one(name, cmd, env, timeout=left)
    del budget

    c, s, p = results.get("classifier", {}), results.get("submit", {}), results.get("pipeline", {})
    r, r5, q = results.get("pipeline_rate", {}), results.get("pipeline_rate_500", {}), results.get("queue", {})
    sc = results.get("scaling", {})
    summary = {
        "submit_p95_ms": s.get("submit_p95_ms"), "submit_api_p95_ms": s.get("api_p95_ms"),
        "submit_web_p95_ms": s.get("web_p95_ms"),
        "cheap_passages_per_s": c.get("cheap_passages_per_s"), "lm_tokens_per_s": c.get("lm_tokens_per_s"),
        # the slower of the two workloads when both ran: LLM-written posts stop at their first flagged window,
        # human ones have every undecided window checked by the language model
        "classifier_posts_per_s": common.min_present(c.get("classifier_posts_per_s"), c.get("human_posts_per_s")),
        "classifier_llm_posts_per_s": c.get("classifier_posts_per_s"),
        "classifier_human_posts_per_s": c.get("human_posts_per_s"),
        "classifier_posts_per_cpu_s": c.get("classifier_posts_per_cpu_s"),
        "pipeline_posts_per_s": p.get("posts_per_s"), "inprocess_posts_per_s": p.get("inprocess_posts_per_s"),
        "pipeline_ratio": p.get("pipeline_ratio"),
        "decision_p95_s": r.get("decision_p95_s"), "decision_p50_s": r.get("decision_p50_s"),
        "decision_p95_s_500_words": r5.get("decision_p95_s"),
        "queue_p95_ms": q.get("queue_p95_ms"), "queue_queries": q.get("queue_queries"),
        "scaling_posts_per_s": sc.get("posts_per_s"),
        "netns_1_host_posts_per_s": sc.get("netns_1_hosts_posts_per_s"),
        "netns_2_hosts_posts_per_s": sc.get("netns_2_hosts_posts_per_s"),
    }
    if "netns" in sc:
        summary["netns"] = sc["netns"]
    met = {}
    for key, (op, target) in TARGETS.items():
        value = summary.get(key)
        met[key] = None if value is None else (value < target if op == "<" else value <= target if op == "<="
                                               else value >= target)
    load_after = common.machine()

    print("\n| benchmark | workload | figure | target | met |\n|---|---|---|---|---|")
    rows = [
        ("submit", s, "submit_p95_ms", "API p95 {} ms, web p95 {} ms".format(fmt(s.get("api_p95_ms")),
                                                                             fmt(s.get("web_p95_ms")))),
        ("classifier", c, "cheap_passages_per_s", f"{fmt(c.get('cheap_passages_per_s'))} passages/s "
                                                  f"({fmt(c.get('cheap_passages_per_cpu_s'))} per CPU-s)"),
        ("classifier", c, "lm_tokens_per_s", f"{fmt(c.get('lm_tokens_per_s'))} tokens/s "
                                             f"({fmt(c.get('lm_tokens_per_cpu_s'))} per CPU-s)"),
        ("classifier", c, "classifier_posts_per_s", f"{fmt(c.get('classifier_posts_per_s'))} posts/s of 500 "
                                                    f"LLM-written words ({fmt(c.get('classifier_posts_per_cpu_s'))} per "
                                                    f"CPU-s); {fmt(c.get('human_posts_per_s'))} posts/s of human ones"),
        ("pipeline", p, "pipeline_ratio", f"{fmt(p.get('posts_per_s'))} posts/s vs {fmt(p.get('inprocess_posts_per_s'))}"
                                          f" in-process = {fmt(p.get('pipeline_ratio'))}"),
        ("pipeline_rate", r, "decision_p95_s", f"submit->decision p50 {fmt(r.get('decision_p50_s'))} s, "
                                               f"p95 {fmt(r.get('decision_p95_s'))} s"),
        ("pipeline_rate_500", r5, None, f"submit->decision p50 {fmt(r5.get('decision_p50_s'))} s, "
                                        f"p95 {fmt(r5.get('decision_p95_s'))} s"),
        ("queue", q, "queue_p95_ms", f"worst p95 {fmt(q.get('queue_p95_ms'))} ms (page {fmt(q.get('page_p95_ms'))},"
                                     f" API {fmt(q.get('api_p95_ms'))})"),
        ("queue", q, "queue_queries", f"at most {fmt(q.get('queue_queries'))} queries per request"),
    ]
    for name, rec, key, figure in rows:
        target = f"{TARGETS[key][0]} {TARGETS[key][1]}" if key else "report"
        ok = {True: "yes", False: "NO", None: "-"}[met.get(key)] if key else "-"
        print(f"| {name} | {rec.get('workload', rec.get('error', '-'))} | {figure} | {target} | {ok} |")
    grid = sc.get("posts_per_s") or {}
    if grid:
        sizes = sorted({int(k.split('/')[0]) for k in grid})
        procs = sorted({int(k.split('/')[1]) for k in grid})
        print("\n| stored posts | " + " | ".join(f"{p} worker process{'es' if p > 1 else ''}" for p in procs)
              + " |\n|---|" + "---|" * len(procs))
        for size in sizes:
            print(f"| {size:,} | " + " | ".join(fmt(grid.get(f'{size}/{p}'), ' posts/s') for p in procs) + " |")
    if "netns" in sc:
        print(f"\nscale-out across network namespaces: {sc['netns']}")
    elif sc.get("netns_1_hosts_posts_per_s") is not None:
        print(f"\nscale-out across network namespaces (1 worker process each): 1 host "
              f"{fmt(sc['netns_1_hosts_posts_per_s'])} posts/s, 2 hosts {fmt(sc.get('netns_2_hosts_posts_per_s'))}"
              " posts/s")
    elapsed = time.perf_counter() - started
    print(f"\n# {elapsed:.0f} s in all; load average {load_after['load1']} / {load_after['load5']} at the end "
          f"({os.cpu_count()} CPUs)", flush=True)
    summary.update(targets_met=met, seconds=round(elapsed), cpus=os.cpu_count(),
                   load1_start=load_before["load1"], load1_end=load_after["load1"], load5_end=load_after["load5"])
    print(json.dumps(summary, default=lambda v: round(v, 4) if isinstance(v, float) else str(v)), flush=True)


if __name__ == "__main__":
    main()
