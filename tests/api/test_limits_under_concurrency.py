"""Per-client limits hold when the requests arrive at the same moment, not only one after another: at most
``MAX_ENDPOINTS_PER_CLIENT`` webhooks per client, at most ``per_hour`` reports per reader. Each limit is
counted and written under one lock (``api_client_lock``); without it, twenty requests sent together all
passed the count (17 webhooks of 10 were registered so, and 12 reports of 10)."""
from __future__ import annotations

import time

import pytest

from moderation.models import ReaderReport, WebhookEndpoint
from moderation.services import reports as report_services
from moderation.services import webhooks as webhook_services
from moderation.services.reports import ReportRateLimited, report_create
from moderation.services.webhooks import MAX_ENDPOINTS_PER_CLIENT, WebhookInvalid, webhook_endpoint_create
from tests.concurrency import run_together

from .conftest import post_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_webhooks_registered_at_once_never_exceed_the_limit(forum, monkeypatch):
    # the URL check (a DNS look-up) takes a moment, as it does for real; every request is inside it together
    monkeypatch.setattr(webhook_services, "webhook_url_resolve", lambda url: time.sleep(0.3))
    outcomes = run_together(*[
        (lambda i=i: webhook_endpoint_create(client=forum.client, url=f"https://hooks.example/{i}",
                                             events=["review.decided"]))
        for i in range(MAX_ENDPOINTS_PER_CLIENT + 6)])
    assert WebhookEndpoint.objects.filter(client=forum.client).count() == MAX_ENDPOINTS_PER_CLIENT
    refused = [o for o in outcomes if isinstance(o, WebhookInvalid)]
    assert len(refused) == 6 and all("at most" in o.message for o in refused), outcomes


def test_a_readers_reports_sent_at_once_never_exceed_the_hourly_limit(forum, settings, monkeypatch):
    limit = 4
    settings.MODERATION = {**getattr(settings, "MODERATION", {}),
                           "REPORTS": {"per_hour": limit, "priority": 20, "prior_upheld": 1, "prior_not_upheld": 1}}
    posts = []
    for i in range(limit + 3):
        response = forum.http.post("/api/v1/submissions", post_payload(f"pub-{i}"), format="json")
        assert response.status_code == 202
        posts.append(response.json()["id"])
    from moderation.models import Submission

    ids = list(Submission.objects.filter(public_id__in=posts).values_list("pk", flat=True))
    assert Submission.objects.filter(pk__in=ids, status="published").count() == len(ids)
    slow = report_services.reporter_accuracy

    def reporter_accuracy(**kwargs):  # reading the reader's record takes a moment: all requests are in it
        time.sleep(0.3)
        return slow(**kwargs)

    monkeypatch.setattr(report_services, "reporter_accuracy", reporter_accuracy)
    outcomes = run_together(*[
        (lambda pk=pk: report_create(submission_id=pk, client=forum.client, reporter_external_id="spammer"))
        for pk in ids])
    assert ReaderReport.objects.filter(client=forum.client, reporter_external_id="spammer").count() == limit
    assert sum(isinstance(o, ReportRateLimited) for o in outcomes) == 3, outcomes


def test_a_decision_and_reports_arriving_together_never_deadlock(forum):
    """The decision locked the review item and its submission in one query (item first); reports lock the client
    and the submission first, then the item, and the decision's audit row shares a lock on the client: each
    side waited for the other, and PostgreSQL broke the deadlock with a 500 on one of them."""
    from moderation.models import ReviewItem, Submission
    from moderation.services.review import Actor, ReviewConflict, review_item_decide

    failures = []
    for round_ in range(8):
        response = forum.http.post("/api/v1/submissions", post_payload(f"race-{round_}"), format="json")
        submission = Submission.objects.get(public_id=response.json()["id"])
        first = report_create(submission_id=submission.pk, client=forum.client, reporter_external_id=f"r0-{round_}")
        item = ReviewItem.objects.get(pk=first.item_id)
        calls = [lambda: review_item_decide(item_id=item.pk, actor=Actor.for_client(forum.client), action="approve",
                                            expected_version=None)]
        calls += [(lambda n=n: report_create(submission_id=submission.pk, client=forum.client,
                                             reporter_external_id=f"r{n}-{round_}")) for n in range(1, 4)]
        for outcome in run_together(*calls):
            expected = (ReviewConflict, report_services.ReportNotAllowed, report_services.ReportDuplicate)
            if isinstance(outcome, Exception) and not isinstance(outcome, expected):
                failures.append(outcome)
    assert not failures, failures
