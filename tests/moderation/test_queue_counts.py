"""The queue's counts per status and per reason (the filter facets above the list): right, current after a
decision, one query, and on PostgreSQL read from their partial indexes rather than from the table's rows
(bench/bench_queue.py times them on 20k open items)."""
from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from moderation.models import ReviewItem
from moderation.selectors.queue import queue_counts, repeat_offenders
from moderation.services.review import Actor, review_item_approve

from .factories import make_items

pytestmark = pytest.mark.django_db
QUEUE = "/moderation/"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL")


def a_queue_of_every_status():
    make_items(3, reasons=["undisclosed_ai_suspected", "new_author_ai_assisted"], prefix="open")
    make_items(2, reasons=["mostly_ai_content"], status="claimed", prefix="claimed")
    make_items(4, reasons=["mostly_ai_content", "classifier_failed"], status="snoozed", prefix="snoozed")
    make_items(5, reasons=["mostly_ai_content"], status="decided", prefix="decided")


def test_statuses_count_every_undecided_item_and_reasons_count_within_the_status_shown():
    a_queue_of_every_status()
    assert queue_counts()["by_status"] == {"open": 3, "claimed": 2, "snoozed": 4}
    assert queue_counts()["by_reason"] == {"new_author_ai_assisted": 3, "undisclosed_ai_suspected": 3,
                                           "mostly_ai_content": 2}
    assert queue_counts(status="snoozed")["by_reason"] == {"classifier_failed": 4, "mostly_ai_content": 4}
    assert queue_counts(status="undecided")["by_reason"] == {"mostly_ai_content": 6, "classifier_failed": 4,
                                                             "new_author_ai_assisted": 3,
                                                             "undisclosed_ai_suspected": 3}
    assert queue_counts(status="decided") == {"by_status": {"open": 3, "claimed": 2, "snoozed": 4},
                                              "by_reason": {}}


def test_reasons_are_listed_most_frequent_first_then_by_code():
    make_items(1, reasons=["b_reason", "c_reason"], prefix="one")
    make_items(2, reasons=["c_reason", "a_reason"], prefix="two")
    assert list(queue_counts()["by_reason"].items()) == [("c_reason", 3), ("a_reason", 2), ("b_reason", 1)]


def test_the_counts_cost_one_query_however_many_statuses_and_reasons(django_assert_num_queries):
    a_queue_of_every_status()
    make_items(30, reasons=["ai_research_unverified", "art50_label_missing", "appeal"], prefix="more")
    with django_assert_num_queries(1):
        queue_counts(status="active")


def test_an_approval_shows_in_the_counts_of_the_next_page_load(mod_client, moderator):
    items = make_items(3, reasons=["undisclosed_ai_suspected"])
    make_items(1, reasons=["mostly_ai_content"], prefix="other")
    before = mod_client.get(QUEUE).context["counts"]
    assert before["by_status"]["open"] == 4 and before["by_reason"]["undisclosed_ai_suspected"] == 3

    review_item_approve(item_id=items[0].pk, actor=Actor.for_user(moderator))

    after = mod_client.get(QUEUE).context["counts"]
    assert after["by_status"]["open"] == 3
    assert after["by_reason"] == {"undisclosed_ai_suspected": 2, "mostly_ai_content": 1}


def plan(sql: str) -> str:
    """The plan PostgreSQL finds for ``sql`` when reading the whole table is its last resort (as it is at 20k
    open items; these tables hold a few hundred rows): it names the index if one serves the query."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def settled() -> None:
    """The table as a settled queue's: indexes without the dead entries of rows written and rolled back by
    earlier tests, statistics and the visibility map up to date (as autovacuum keeps them)."""
    with connection.cursor() as cursor:
        cursor.execute("REINDEX TABLE moderation_reviewitem")
        cursor.execute("VACUUM ANALYZE moderation_reviewitem")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_counts_are_an_index_only_scan_of_the_undecided_items_reasons():
    make_items(600, reasons=["undisclosed_ai_suspected"], prefix="open")
    make_items(300, reasons=["mostly_ai_content"], status="decided", prefix="decided")
    settled()
    with CaptureQueriesContext(connection) as queries:
        queue_counts()
    (query,) = queries.captured_queries
    assert "Index Only Scan using review_queue_undecided_reasons" in plan(query["sql"])


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_repeat_offender_mark_reads_the_rejected_items_only():
    items = make_items(300)
    make_items(300, status="decided", prefix="decided")
    settled()
    submissions = [item.submission for item in ReviewItem.objects.select_related("submission")
                   .filter(pk__in=[i.pk for i in items[:50]])]
    with CaptureQueriesContext(connection) as queries:
        repeat_offenders(submissions)
    (query,) = queries.captured_queries
    assert "review_item_rejections" in plan(query["sql"])
