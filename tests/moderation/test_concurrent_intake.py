"""Saves of one post that arrive at the same moment each become a revision of their own, numbered in turn.
Locking the submission together with its current revision (one joined ``SELECT … FOR UPDATE``) let a request
that waited for the lock read the revision it replaced as missing: it inserted revision 1 again and failed
with an IntegrityError (a 500 through the API), and the author's edit was lost."""
from __future__ import annotations

import time

import pytest
from django.db import connection

from moderation.models import Revision, Submission
from moderation.services import intake
from moderation.services.intake import local_client, submission_submit
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def save(external_id, body):
    return lambda: submission_submit(client=local_client(), external_id=external_id, author_external_id="u-1",
                                     author_standing="regular", title="One post", body=body,
                                     disclosure_data={"human_only": True})


def slow_checks(monkeypatch):
    """Every request is inside the checks together, as under real load, before any takes the lock."""
    check_post = intake.check_post

    def slowly(**kwargs):
        time.sleep(0.3)
        return check_post(**kwargs)

    monkeypatch.setattr(intake, "check_post", slowly)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_edits_of_one_post_sent_at_once_each_become_the_next_revision(monkeypatch):
    save("p-1", "The first version, written by hand.")()
    slow_checks(monkeypatch)

    outcomes = run_together(*[save("p-1", f"Edit number {i}, written by hand.") for i in range(6)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    submission = Submission.objects.get(external_id="p-1")
    assert sorted(Revision.objects.filter(submission=submission).values_list("number", flat=True)) == list(range(1, 8))
    assert submission.current_revision.number == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_new_post_sent_several_times_at_once_is_one_post_with_a_revision_each(monkeypatch):
    slow_checks(monkeypatch)

    outcomes = run_together(*[save("p-2", f"Version {i}, written by hand.") for i in range(5)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    submission = Submission.objects.get(external_id="p-2")
    assert sorted(Revision.objects.filter(submission=submission).values_list("number", flat=True)) == list(range(1, 6))
