"""Cheap queue rows for listing and pagination tests: submissions, revisions and review items written in
bulk, without the pipeline (the pipeline's own path is covered by the fixtures in conftest.py).

Plain ``bulk_create`` on purpose, not factory-boy: three INSERTs for a page of hundreds of rows, where a
factory would save them one by one (factory-boy was dropped from the ``test`` extra; nothing used it)."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from moderation.models import ReviewItem, Revision, Submission
from moderation.services.intake import local_client


def make_items(n: int, *, reasons=("undisclosed_ai_suspected",), category="general", standing="regular",
               priority=lambda i: i % 7 * 10, score=lambda i: round((i % 10) / 10, 2), status="open",
               prefix="bulk", age_minutes=lambda i: i) -> list[ReviewItem]:
    client = local_client()
    now = timezone.now()
    submissions = Submission.objects.bulk_create([
        Submission(client=client, external_id=f"{prefix}-{i}", author_external_id=f"{prefix}-author-{i % 5}",
                   author_display_name=f"{prefix} author {i % 5}", author_standing=standing, category=category,
                   status="queued") for i in range(n)])
    revisions = Revision.objects.bulk_create([
        Revision(submission=s, number=1, title=f"{prefix} post {i}", body="Some text.", parser_version=1,
                 content_hash=f"{prefix}{i}", disclosure={"human_only": True}, disclosure_version=1)
        for i, s in enumerate(submissions)])
    for s, r in zip(submissions, revisions):
        s.current_revision = r
    Submission.objects.bulk_update(submissions, ["current_revision"])
    items = ReviewItem.objects.bulk_create([
        ReviewItem(submission=s, revision=r, reasons=list(reasons), priority=priority(i), top_score=score(i),
                   status=status) for i, (s, r) in enumerate(zip(submissions, revisions))])
    for i, item in enumerate(items):  # created_at is auto_now_add: set the age afterwards
        ReviewItem.objects.filter(pk=item.pk).update(created_at=now - timedelta(minutes=age_minutes(i)))
    return list(ReviewItem.objects.filter(pk__in=[i.pk for i in items]))
