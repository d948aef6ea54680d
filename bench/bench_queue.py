"""The moderator queue at scale: the queue page and ``GET /api/v1/review-items`` with every filter.

    python bench/bench_queue.py [--stored 100000] [--repeat 15]

Workload: a scratch PostgreSQL database with ``--stored`` submissions (100,000 by default: 20,000 open review
items, 10,000 decided; ``bench/fill.py``). Each request is served in-process by Django's test client (the
whole middleware stack, the view, the queries and the template; no HTTP socket), as the moderator
``bench-moderator`` for the page and with the ``Bench`` client's key for the API, by the application as
``config/wsgi.py`` loads it for gunicorn; each is repeated ``--repeat`` times after one warm-up. Prints
p50/p95 per request and the number of SQL queries each one ran, then the worst p95 and the most queries
over all of them.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402

PAGE_QUERIES = [
    "", "status=open", "status=claimed", "status=snoozed", "status=decided", "status=undecided",
    "reason=classifier_failed", "reason=mostly_ai_content", "category=research", "standing=new",
    "classifier=statistical", "kind=appeal", "kind=flag", "since=2026-01-01", "until=2026-06-01",
    "sort=age", "sort=newest", "sort=score", "reason=undisclosed_ai_suspected&category=meta&sort=score",
]
API_QUERIES = [
    "", "status=open", "status=claimed", "status=decided", "kind=flag", "kind=appeal",
    "reason=classifier_failed", "reason=mostly_ai_content", "ordering=created_at", "ordering=-priority",
    "page_size=10", "page_size=200", "status=open&reason=new_author_ai_assisted&ordering=created_at",
]


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer = client.get(url)  # warm-up; also the page the "next" link is read from
    if answer.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {answer.status_code} {answer.content[:300]!r}")
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return {"url": url, "p50_ms": common.pct(times, 50), "p95_ms": common.pct(times, 95),
            "queries": len(queries.captured_queries), "answer": answer}


def next_page(kind: str, answer) -> str | None:
    import re

    if kind == "api":
        link = answer.json().get("next")
        return link.split("testserver", 1)[-1] if link else None
    found = re.search(r'href="(\?[^"]*cursor=[^"]+)"', answer.content.decode())
    return "/moderation/" + found.group(1).replace("&amp;", "&") if found else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()

    db = common.scratch_db(a.stored, "bench_queue")
    common.setup_django(db)
    # The application as the web process loads it (config/wsgi.py: the system checks, then what is loaded
    # frozen out of the garbage collector's full collections), so that a collection costs here what it does
    # in a gunicorn worker.
    import config.wsgi  # noqa: F401
    from django.test import Client

    from moderation.models import ReviewItem

    from django.contrib.auth import get_user_model

    web = Client()
    # force_login: django-axes' backend refuses Client.login, which authenticates without a request.
    web.force_login(get_user_model().objects.get(username="bench-moderator"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {common.API_KEY}")
    rows = []
    for kind, base, queries in (("page", "/moderation/", PAGE_QUERIES), ("api", "/api/v1/review-items", API_QUERIES)):
        client = web if kind == "page" else api
        for query in queries:
            first = measure(client, f"{base}?{query}" if query else base, a.repeat)
            rows.append((kind, first))
            following = next_page(kind, first["answer"])
            if following and query in ("", "status=open", "sort=age", "page_size=200", "ordering=created_at"):
                rows.append((kind, measure(client, following, a.repeat)))
    for kind, row in rows:
        print(f"# {kind:<4} {row['url'][:90]:<90} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms  "
              f"{row['queries']:2d} queries", flush=True)
    record = {"bench": "queue", "workload": f"{a.stored} submissions, "
              f"{ReviewItem.objects.filter(status='open').count()} open review items; queue page and API with "
              f"{len(PAGE_QUERIES)} + {len(API_QUERIES)} filter/sort combinations and their next pages, "
              f"{a.repeat} requests each, in-process (test client, no socket)", "requests": len(rows),
              "page_p95_ms": max(r["p95_ms"] for k, r in rows if k == "page"),
              "api_p95_ms": max(r["p95_ms"] for k, r in rows if k == "api"),
              "page_queries": max(r["queries"] for k, r in rows if k == "page"),
              "api_queries": max(r["queries"] for k, r in rows if k == "api")}
    worst = max((r for _, r in rows), key=lambda r: r["p95_ms"])
    record.update(queue_p95_ms=max(record["page_p95_ms"], record["api_p95_ms"]), worst_url=worst["url"],
                  queue_queries=max(record["page_queries"], record["api_queries"]), **common.machine())
    from django.db import connections

    connections.close_all()
    common.db_drop(db)
    common.emit(record)


if __name__ == "__main__":
    main()
