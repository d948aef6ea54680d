"""``manage.py spirit_backfill``: a forum upgraded from an earlier version of the integration gets stored what
Spirit shows but that version did not record. Spirit moderators' deletes made before API 1.4.0 were missed
by the review queue's "Removed in the forum" filter (round 21 stored new deletes only), and a topic whose
opening comment was held before ``HeldTopic`` existed stayed listed to every reader.

The state of such a forum is made directly in a fresh Spirit database (no worker: nothing here is
asynchronous), then the command runs twice: the second run must change nothing."""
from __future__ import annotations

SCENARIO = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.topic.models import Topic
from integrations.spirit.models import HeldTopic, SpiritRemoval
from moderation.models import Action, Submission

author = get_user_model().objects.get(username="author")
category = Category.objects.filter(is_private=False, is_removed=False).exclude(title__iexact="private").last()

def comment(title, text, *, reply_to=None):
    with transaction.atomic():
        topic = reply_to or Topic.objects.create(user=author, category=category, title=title)
        made = Comment.objects.create(user=author, topic=topic, comment=text, comment_html=f"<p>{text}</p>")
    return made

def post(made):
    return Submission.objects.get(external_id=f"spirit-comment:{made.pk}")

def shown(made):  # what the plugin decided earlier: readers see it
    post(made).__class__.objects.filter(pk=post(made).pk).update(visible=True)
    Comment.objects.filter(pk=made.pk).update(is_removed=False)

def held(made):
    Submission.objects.filter(pk=post(made).pk).update(visible=False)
    Comment.objects.filter(pk=made.pk).update(is_removed=True)

# 1. deleted by Spirit's moderator in version 1.3 (the SpiritRemoval row, nothing stored)
recorded = comment("Recorded delete", "A comment deleted for spam.")
shown(recorded)
Comment.objects.filter(pk=recorded.pk).update(is_removed=True)
SpiritRemoval.objects.create(comment_id=recorded.pk)
# 2. deleted before SpiritRemoval existed: removed, though the plugin shows its post
older = comment("Older delete", "A comment deleted for abuse.")
shown(older)
Comment.objects.filter(pk=older.pk).update(is_removed=True)
# 3. a topic Spirit's moderator deleted, and its reply
opening = comment("Deleted topic", "The opening comment of a deleted topic.")
shown(opening)
reply = comment("", "A reply in the deleted topic.", reply_to=opening.topic)
shown(reply)
Topic.objects.filter(pk=opening.topic_id).update(is_removed=True)
# 4. a new topic whose opening comment the plugin holds, listed to readers (before HeldTopic)
waiting = comment("Held topic", "An opening comment a moderator has not decided yet.")
held(waiting)
# a Spirit moderator closed it meanwhile: Spirit's note in the topic is no reply (found by review)
Comment.create_moderation_action(user=author, topic=waiting.topic, action=Comment.CLOSED)
Topic.objects.filter(pk=waiting.topic_id).update(is_removed=False)
HeldTopic.objects.all().delete()
# 5. not Spirit's: a reply the plugin hides (its topic has other comments, so it is not held either)
hidden = comment("", "A reply the plugin hides.", reply_to=Topic.objects.get(title__startswith="Welcome"))
held(hidden)
actions_before = Action.objects.count()

out = {}
call_command("spirit_backfill", "--dry-run")
out["after_dry_run"] = [Submission.objects.filter(host_removed_at__isnull=False).count(),
                        HeldTopic.objects.count(), Action.objects.count() - actions_before]
call_command("spirit_backfill")
out["host_removed"] = {name: post(made).host_removed_reason if post(made).host_removed_at else None
                       for name, made in [("recorded", recorded), ("older", older), ("opening", opening),
                                          ("reply", reply), ("waiting", waiting), ("hidden", hidden)]}
out["spirit_removals"] = sorted(SpiritRemoval.objects.values_list("comment_id", flat=True))
out["ids"] = {"recorded": recorded.pk, "older": older.pk, "hidden": hidden.pk}
out["held_topic"] = [HeldTopic.objects.filter(topic_id=waiting.topic_id).exists(),
                     Topic.objects.get(pk=waiting.topic_id).is_removed]
out["audit"] = sorted(Action.objects.filter(verb="host_remove").values_list("actor_label", flat=True))
actions = Action.objects.count()
call_command("spirit_backfill")
out["second_run_actions"] = Action.objects.count() - actions
print(json.dumps(out))
"""


def test_an_upgraded_forum_gets_spirits_earlier_deletes_and_held_topics_stored(fresh_spirit):
    out, lines = fresh_spirit.run(SCENARIO)

    assert out["after_dry_run"] == [0, 0, 0], "--dry-run changes nothing"
    assert "Would store 2 comment(s) deleted by Spirit's moderators and 2 comment(s) of deleted topics" in lines[0]
    assert "Stored 2 comment(s)" in lines[1] and "held 1 topic(s)" in lines[1]
    assert out["host_removed"] == {"recorded": "removed_by_moderators", "older": "removed_by_moderators",
                                   "opening": "removed_by_moderators", "reply": "removed_by_moderators",
                                   "waiting": None, "hidden": None}
    # the older delete is remembered as Spirit's, so that an approval in the queue cannot show it again
    assert out["spirit_removals"] == sorted([out["ids"]["recorded"], out["ids"]["older"]])
    assert out["held_topic"] == [True, True], "the held opening comment's topic is no longer listed to readers"
    assert out["audit"] == ["system"] * 4, "each stored removal has its audit row"
    assert out["second_run_actions"] == 0 and "Stored 0 comment(s)" in lines[2] and "held 0 topic(s)" in lines[2]
