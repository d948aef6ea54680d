"""How throughput grows with worker processes and with the stored data, and across (virtual) hosts.

    python bench/bench_scaling.py [--posts 16] [--words 150] [--procs 1,2,4] [--stored 1000,10000,100000]
    python bench/bench_scaling.py --netns-only

Workload per cell: a scratch database holding ``stored`` posts; gunicorn; one Celery worker with ``procs``
pool processes (models loaded before the first task) and beat; ``--posts`` posts of ``--words`` words
submitted at once through the API; posts/s = posts / (last decision − first submit).

Scale-out: each "host" is a Linux network namespace made here (``ip netns``), joined to this one by a veth
pair with link-local addresses (169.254.x.y/30); PostgreSQL and Redis keep listening on 127.0.0.1 only and
are reached from the namespace through a ``socat`` forwarder bound to the host side of the veth. Each
namespace runs its own Celery worker (one pool process) consuming the same queues of the one Redis and
writing to the one PostgreSQL across the virtual link; throughput with 1 and 2 such hosts. Needs root,
``ip`` and ``socat``; otherwise it says why it did not run.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from bench.bench_pipeline import run_stack  # noqa: E402


def cell(stored: int, procs: int, posts: int, words: int, run: str, netns_hosts=None) -> dict:
    from django.db import connections

    connections.close_all()
    db = common.scratch_db(stored, "bench_scaling")
    res = run_stack(db=db, processes=procs, bodies=common.posts(posts, words, seed=hash(run) % 1000), run=run,
                    rate=None, timeout=300, netns_hosts=netns_hosts)
    connections.close_all()
    return res


# --- Network namespaces ----------------------------------------------------------------------------

def _sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


def netns_unavailable() -> str | None:
    """Why the scale-out cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (ip netns, veth)"
    for tool in ("ip", "socat"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    probe = f"aidprobe{os.getpid() % 100000}"
    try:
        _sh("ip", "netns", "add", probe)
        _sh("ip", "netns", "exec", probe, "ip", "link", "set", "lo", "up")
    except (subprocess.CalledProcessError, OSError) as exc:
        return f"ip netns does not work here: {getattr(exc, 'stderr', '') or exc}".strip()
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


class Host:
    """A network namespace with a veth link to this one, and forwarders to PostgreSQL and Redis."""

    def __init__(self, index: int):
        tag = f"{os.getpid() % 10000}{index}"
        self.ns, self.veth = f"aidbench{tag}", f"vaid{tag}"
        self.outer, self.inner = f"169.254.{100 + index}.1", f"169.254.{100 + index}.2"
        self.forwarders: list[subprocess.Popen] = []

    def __enter__(self):
        _sh("ip", "netns", "add", self.ns)
        _sh("ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.veth + "p")
        _sh("ip", "link", "set", self.veth + "p", "netns", self.ns)
        _sh("ip", "addr", "add", f"{self.outer}/30", "dev", self.veth)
        _sh("ip", "link", "set", self.veth, "up")
        _sh("ip", "netns", "exec", self.ns, "ip", "addr", "add", f"{self.inner}/30", "dev", self.veth + "p")
        _sh("ip", "netns", "exec", self.ns, "ip", "link", "set", self.veth + "p", "up")
        _sh("ip", "netns", "exec", self.ns, "ip", "link", "set", "lo", "up")
        for port in (self._port(common.PG), self._port(common.REDIS_URL)):
            self.forwarders.append(subprocess.Popen(
                ["socat", f"TCP-LISTEN:{port},bind={self.outer},fork,reuseaddr", f"TCP:127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return self

    def __exit__(self, *exc):
        for proc in self.forwarders:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)  # takes the veth pair with it
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True)

    @staticmethod
    def _port(url: str) -> int:
        return urlsplit(url).port or (5432 if url.startswith("postgres") else 6379)

    def _across(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"{self.outer}:{self._port(url)}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))

    def start_workers(self, stack: common.Stack, processes: int):
        env = common.stack_env(stack.db)
        env["DATABASE_URL"] = self._across(env["DATABASE_URL"])
        env["REDIS_URL"] = self._across(env["REDIS_URL"])
        return stack.workers(processes, name=f"worker-{self.ns}", netns=self.ns, env=env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=16)
    ap.add_argument("--words", type=int, default=150)
    ap.add_argument("--procs", default="1,2,4")
    ap.add_argument("--stored", default="1000,10000,100000")
    ap.add_argument("--netns-stored", type=int, default=10_000)
    ap.add_argument("--netns-only", action="store_true")
    ap.add_argument("--no-netns", action="store_true")
    ap.add_argument("--deadline-s", type=float, default=None, help="measure no further cell after this")
    a = ap.parse_args()
    procs = [int(p) for p in a.procs.split(",")]
    sizes = [int(s) for s in a.stored.split(",")]
    common.setup_django(common.scratch_db(sizes[0], "bench_scaling"))

    started = time.perf_counter()

    def time_left() -> bool:
        return a.deadline_s is None or time.perf_counter() - started < a.deadline_s

    netns: dict = {}
    why = None if not a.no_netns else "skipped (--no-netns)"
    why = why or netns_unavailable()
    if why:
        print(f"# scale-out across network namespaces did not run: {why}", flush=True)
        netns["netns"] = f"not run: {why}"
    else:
        for hosts in (1, 2):
            if not time_left():
                netns[f"netns_{hosts}_hosts_posts_per_s"] = None
                continue
            with contextlib.ExitStack() as stack:
                made = [stack.enter_context(Host(i + 1)) for i in range(hosts)]
                res = cell(a.netns_stored, 1, a.posts, a.words, f"ns{hosts}", netns_hosts=made)
            netns[f"netns_{hosts}_hosts_posts_per_s"] = res["posts_per_s"]
            print(f"# {hosts} namespace host(s) x 1 worker process across veth + socat: {res['posts_per_s']:.2f} "
                  f"posts/s ({res['decided']}/{res['posts']} decided)", flush=True)

    grid: dict[str, float | None] = {}
    if not a.netns_only:
        # the middle row and column first, so a deadline leaves the most telling cells measured
        order = sorted(((stored, p) for stored in sizes for p in procs),
                       key=lambda c: (c[0] != sizes[len(sizes) // 2] and c[1] != 2, c))
        for stored, p in order:
            if not time_left():
                grid[f"{stored}/{p}"] = None
                continue
            res = cell(stored, p, a.posts, a.words, f"s{stored}p{p}")
            grid[f"{stored}/{p}"] = res["posts_per_s"]
            print(f"# {stored:>7,} stored posts, {p} worker process(es): {res['posts_per_s']:.2f} posts/s "
                  f"({res['decided']}/{res['posts']} decided, load {common.machine()['load1']})", flush=True)
        print("# posts/s     " + "".join(f"{p} proc{'s' if p > 1 else ' '}   " for p in procs))
        for stored in sizes:
            print(f"# {stored:>7,}    " + "".join(
                f"{grid[f'{stored}/{p}']:7.2f}   " if grid[f"{stored}/{p}"] is not None else "   (time) "
                for p in procs))
        if any(v is None for v in grid.values()):
            print("# (time): not measured, the run's time budget was spent", flush=True)
    from django.db import connections

    connections.close_all()
    common.db_drop("bench_scaling")
    record = {"bench": "scaling", "workload": f"{a.posts} posts of ~{a.words} words at once per cell; worker "
              f"processes {a.procs}; stored posts {a.stored}; scale-out: 1 or 2 network namespaces x 1 worker "
              f"process, {a.netns_stored} stored posts", "posts_per_s": grid, **netns, **common.machine()}
    common.emit(record)


if __name__ == "__main__":
    main()
