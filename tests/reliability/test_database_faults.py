"""PostgreSQL drops the connection in the middle of a decision: nothing of it is kept, and the retried decision
is recorded exactly once. (Its own module: no worker runs beside it to touch the item meanwhile.)"""
from __future__ import annotations

import pytest

from moderation.models import Action, ReviewItem, Submission

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]


def test_postgresql_connection_dropped_during_a_decision_loses_nothing_and_writes_nothing_twice(
        queued_post, item_of, moderator, templates):
    """The connection is terminated by the server inside the decision's transaction (after the audit row was
    written): nothing of it is kept; the retried decision is recorded exactly once."""
    import psycopg
    from django.db import InterfaceError, OperationalError, connection

    from moderation import signals
    from moderation.services.review import Actor, review_item_decide

    item = item_of(queued_post())
    before = Submission.objects.values("status", "visible").get(pk=item.submission_id)
    s = connection.settings_dict

    def drop_connection(sender, item, action, **kwargs):
        if action.verb != "approve":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                             dbname=s["NAME"], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    signals.review_item_changed.connect(drop_connection)
    try:
        with pytest.raises((OperationalError, InterfaceError)):
            review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve",
                               expected_version=item.version, expected_revision=1)
    finally:
        signals.review_item_changed.disconnect(drop_connection)
        connection.close()

    fresh = ReviewItem.objects.get(pk=item.pk)
    assert fresh.status == "open" and fresh.version == item.version
    assert Action.objects.filter(item=item, verb="approve").count() == 0
    assert Submission.objects.values("status", "visible").get(pk=item.submission_id) == before

    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve",
                       expected_version=item.version, expected_revision=1)
    assert Action.objects.filter(item=item, verb="approve").count() == 1
    assert ReviewItem.objects.get(pk=item.pk).status == "decided"
    assert Submission.objects.values("status", "visible").get(pk=item.submission_id) == {
        "status": "approved", "visible": True}
