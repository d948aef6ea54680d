"""A host forum's delete of many posts at once (a whole topic): stored in one transaction, in a few queries
whatever their number, each change audited, erased authors' posts left as the erasure stored them."""
import pytest
from django.utils import timezone

from moderation.models import Action, Submission
from moderation.services.host_removal import submissions_host_removal_clear, submissions_host_removal_record
from moderation.services.review import Actor

from .factories import make_items

pytestmark = pytest.mark.django_db


def test_many_posts_are_removed_and_restored_in_a_few_queries(django_assert_max_num_queries):
    """Found by review: Spirit stored a topic's delete one comment at a time, five queries each, outside one
    transaction."""
    ids = [item.submission_id for item in make_items(40)]
    with django_assert_max_num_queries(6):
        assert submissions_host_removal_record(submission_ids=ids, actor=Actor.system(),
                                               reason="removed_by_moderators") == 40
    assert Submission.objects.filter(host_removed_at__isnull=False).count() == 40
    assert Action.objects.filter(verb="host_remove").count() == 40
    # said again: nothing changes, nothing is written
    assert submissions_host_removal_record(submission_ids=ids, actor=Actor.system(),
                                           reason="removed_by_moderators") == 0
    with django_assert_max_num_queries(6):
        assert submissions_host_removal_clear(submission_ids=ids, actor=Actor.system()) == 40
    assert not Submission.objects.filter(host_removed_at__isnull=False).exists()
    restored = list(Action.objects.filter(verb="host_restore").values_list("data", flat=True))
    assert len(restored) == 40 and all(data == {"reason_was": "removed_by_moderators"} for data in restored)


def test_an_erased_author_s_post_keeps_the_erasure_s_removal():
    """Found by review: a forum's delete landing after an erasure replaced its reason, and an undelete raised
    (a 500 in Spirit's view)."""
    erased, other = (item.submission_id for item in make_items(2))
    Submission.objects.filter(pk=erased).update(author_erased_at=timezone.now(), host_removed_at=timezone.now(),
                                                host_removed_reason="deleted_by_author")
    assert submissions_host_removal_record(submission_ids=[erased, other], actor=Actor.system(),
                                           reason="removed_by_moderators") == 1
    assert submissions_host_removal_clear(submission_ids=[erased, other], actor=Actor.system()) == 1
    assert Submission.objects.get(pk=erased).host_removed_reason == "deleted_by_author"
    assert Submission.objects.get(pk=erased).host_removed_at is not None
