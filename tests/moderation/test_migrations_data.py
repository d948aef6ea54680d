"""Data migrations: what they change in rows stored before them."""
import pytest


@pytest.mark.django_db
def test_0015_recounts_the_sections_of_revisions_stored_when_a_quoted_one_counted(make_post):
    """A revision stored before a quoted AI-written section stopped counting as the post's own kept
    has_ai_blocks=True, and read as declaring AI text (labels, grades, the policy)."""
    import importlib

    from django.apps import apps

    from moderation.models import Revision

    recount = importlib.import_module("moderation.migrations.0015_recount_quoted_ai_blocks").recount
    quoting = make_post(title="Quoting", body='> :::ai-written model="X"\n> Someone else\'s AI text.\n> :::\n\nMine.')
    own = make_post(title="Own", body=':::ai-written model="X"\nMy AI text.\n:::\n\nMine.', disclosure={
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}], "ai_share_percent": 20,
        "process": "The model wrote the marked section from my notes."})
    Revision.objects.update(has_ai_blocks=True)  # as stored before the change

    recount(apps, None)

    assert Revision.objects.get(submission__forum_post=quoting).has_ai_blocks is False
    assert Revision.objects.get(submission__forum_post=own).has_ai_blocks is True


@pytest.mark.django_db
def test_0018_points_each_revision_at_its_newest_evaluation(make_post):
    """Until round 21 the pipeline applied the newest evaluation of a revision."""
    import importlib

    from django.apps import apps

    from moderation.models import Evaluation, Revision

    point_at_newest = importlib.import_module("moderation.migrations.0018_revision_applied_evaluation").point_at_newest
    evaluated = make_post(title="Evaluated", body="Mine.")
    revision = Revision.objects.get(submission__forum_post=evaluated)
    old, new = (Evaluation.objects.create(revision=revision, policy_version=v, fingerprint=v * 64, outcome="publish")
                for v in "ab")
    Revision.objects.update(applied_evaluation=None)  # as stored before the change

    point_at_newest(apps, None)

    assert Revision.objects.get(pk=revision.pk).applied_evaluation_id == new.pk != old.pk
