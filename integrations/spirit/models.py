"""What the integration must remember that neither Spirit nor the plugin records."""
from django.db import models


class SpiritRemoval(models.Model):
    """A comment a Spirit moderator removed with Spirit's own "delete", for a reason of Spirit's (spam, abuse).

    Spirit keeps only ``Comment.is_removed``, the same flag the plugin sets when it hides a comment: without this
    row a later decision in the review queue (an approval) showed a comment Spirit's moderator had deleted. Such
    a comment comes back only through Spirit's "undelete", which removes the row."""

    comment_id = models.PositiveIntegerField(unique=True)
    removed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"comment {self.comment_id} removed in Spirit"


class DeferredPosting(models.Model):
    """A comment whose posting Spirit announced while the plugin kept it from readers (being checked, or held
    for a moderator): Spirit's ``comment_posted`` (the notifications of a reply and of each @mention, e-mails,
    the topic's unread marks, its comment count and its place at the top of the lists) runs only once readers
    can see the comment. A held comment, spam or not, used to ping the people it mentioned and bump its topic."""

    comment_id = models.PositiveIntegerField(unique=True)
    #: the users the comment @mentions (Spirit's ``form.mentions``), notified when the comment is shown
    mention_ids = models.JSONField(default=list)
    deferred_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"comment {self.comment_id}: posting deferred"


class HeldTopic(models.Model):
    """A public topic the plugin keeps from readers because its opening comment is (being checked, held for a
    moderator, rejected, hidden): Spirit listed the topic, its title and its author to everyone, whatever the
    plugin decided about its text. The topic comes back when the plugin shows the opening comment, unless a
    Spirit moderator deleted the topic meanwhile (Spirit's delete takes the removal over: the row goes)."""

    topic_id = models.PositiveIntegerField(unique=True)
    held_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"topic {self.topic_id} held with its opening comment"
