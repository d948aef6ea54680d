"""Which topics the plugin holds with their opening comment: a new one, never shown, and not a topic readers
have seen. Found by review: an author's held edit of the lone comment of a long-standing topic made the whole
topic a 404 and took it off the index until a moderator decided."""
from __future__ import annotations

SCENARIO = """
import json
from django.contrib.auth import get_user_model
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.topic.models import Topic
from integrations.spirit.models import HeldTopic
from integrations.spirit.services import comment_sync_visibility, submission_for_comment

author = get_user_model().objects.get(username="author")
category = Category.objects.filter(is_private=False, is_removed=False).exclude(title__iexact="private").last()

def lone_topic(title, *, announced):
    topic = Topic.objects.create(user=author, category=category, title=title,
                                 comment_count=1 if announced else 0)
    return Comment.objects.create(user=author, topic=topic, comment="Mine.", comment_html="<p>Mine.</p>")

out = {}
for name, announced in (("new", False), ("established", True), ("new, closed", False)):
    opening = lone_topic(name, announced=announced)
    if name == "new, closed":  # Spirit's own note in the topic (closed, pinned, moved) is no reply
        Comment.create_moderation_action(user=author, topic=opening.topic, action=Comment.CLOSED)
    HeldTopic.objects.filter(topic_id=opening.topic_id).delete()
    Topic.objects.filter(pk=opening.topic_id).update(is_removed=False)
    comment_sync_visibility(submission=submission_for_comment(opening), visible=False)  # e.g. a held edit
    out[name] = [Comment.objects.get(pk=opening.pk).is_removed, Topic.objects.get(pk=opening.topic_id).is_removed,
                 HeldTopic.objects.filter(topic_id=opening.topic_id).exists()]
print(json.dumps(out))
"""


def test_a_new_topic_is_held_with_its_opening_comment_and_an_established_one_keeps_its_place(fresh_spirit):
    out, _ = fresh_spirit.run(SCENARIO)

    assert out["new"] == [True, True, True]
    assert out["new, closed"] == [True, True, True]
    assert out["established"] == [True, False, False], "the comment is hidden, the topic stays listed"
