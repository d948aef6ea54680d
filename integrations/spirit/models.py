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
