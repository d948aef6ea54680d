"""The queue costs a fixed, small number of SQL queries per request: at most 12, for the moderator's page and
for ``GET /api/v1/review-items``, with every filter and sort, and the same number for a page of 3 items as
for a full page (no query per row). bench/bench_queue.py measures their time on 100k submissions."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation.models import ReviewItem, Submission
from tests.moderation.factories import make_items

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12

PAGE_FILTERS = ["", "status=open", "status=claimed", "status=snoozed", "status=decided", "status=undecided",
                "reason=classifier_failed", "category=research", "standing=new", "classifier=statistical",
                "kind=appeal", "kind=flag", "since=2020-01-01", "until=2100-01-01", "sort=age", "sort=newest",
                "sort=score", "reason=undisclosed_ai_suspected&category=research&sort=score"]
API_FILTERS = ["", "status=open", "status=claimed", "status=decided", "kind=flag", "kind=appeal",
               "reason=classifier_failed", "ordering=created_at", "ordering=-priority",
               "status=open&reason=undisclosed_ai_suspected&ordering=created_at"]


def queue_of(n: int, moderator, prefix: str) -> None:
    """``n`` items of every shape a row can show: open, claimed by a moderator, snoozed, decided, an appeal,
    two reasons, a research post by a new author."""
    per = max(1, n // 6)
    make_items(per, prefix=f"{prefix}-open", reasons=("undisclosed_ai_suspected", "classifier_failed"))
    make_items(per, prefix=f"{prefix}-research", category="research", standing="new")
    claimed = make_items(per, prefix=f"{prefix}-claimed")
    ReviewItem.objects.filter(pk__in=[i.pk for i in claimed]).update(status="claimed", claimed_by=moderator,
                                                                    claimed_at=timezone.now())
    snoozed = make_items(per, prefix=f"{prefix}-snoozed")
    ReviewItem.objects.filter(pk__in=[i.pk for i in snoozed]).update(status="snoozed", snoozed_until=timezone.now())
    decided = make_items(per, prefix=f"{prefix}-decided")
    ReviewItem.objects.filter(pk__in=[i.pk for i in decided]).update(
        status="decided", decision_action="approve", decided_by=moderator, decided_at=timezone.now())
    appeals = make_items(per, prefix=f"{prefix}-appeal")
    ReviewItem.objects.filter(pk__in=[i.pk for i in appeals]).update(kind="appeal")


def count(client, url: str) -> int:
    client.get(url)  # the first request of a session loads content types, permissions…
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries.captured_queries)


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.mark.parametrize("query", PAGE_FILTERS)
def test_the_queue_page_costs_at_most_12_queries_whatever_the_page_holds(mod_client, moderator, query,
                                                                         django_assert_max_num_queries):
    url = f"/moderation/?{query}"
    queue_of(6, moderator, "few")
    few = count(mod_client, url)
    queue_of(120, moderator, "many")  # 20 of each kind: many rows on every page
    with django_assert_max_num_queries(MAX_QUERIES):
        mod_client.get(url)
    assert count(mod_client, url) == few


@pytest.mark.parametrize("query", API_FILTERS)
def test_the_api_list_costs_at_most_12_queries_whatever_the_page_size(forum, moderator, query,
                                                                      django_assert_max_num_queries):
    queue_of(120, moderator, "api")
    Submission.objects.update(client=forum.client)
    small = count(forum.http, f"/api/v1/review-items?{query}&page_size=2")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = forum.http.get(f"/api/v1/review-items?{query}&page_size=200")
    assert len(response.json()["results"]) > 2
    assert count(forum.http, f"/api/v1/review-items?{query}&page_size=200") == small
