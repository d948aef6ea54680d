"""Signal receivers: Spirit's comment saves go through the plugin's intake; the plugin's visibility
changes (evaluation, moderator decisions) reach Spirit's comments."""
from django.db.models.signals import post_save
from django.dispatch import receiver
from spirit.comment.models import Comment

from moderation.public import review_item_changed, revision_submitted, submission_evaluated

from .pending import pending_disclosure
from .services import comment_current_disclosure, comment_is_moderated, comment_submit, comment_sync_visibility


@receiver(post_save, sender=Comment, dispatch_uid="ai_spirit.comment_saved")
def comment_saved(sender, instance: Comment, raw: bool = False, **kwargs):
    """Every comment and every edit is submitted, whatever Spirit view saved it.

    The editor views (views.py) put the author's disclosure in :data:`pending_disclosure`; a save from anywhere
    else (a management command, the shell) keeps the disclosure the comment already has.
    """
    if raw or not comment_is_moderated(instance):
        return
    pending = pending_disclosure.get()
    data = pending.data if pending is not None else comment_current_disclosure(instance)
    comment_submit(comment=instance, disclosure_data=data)


@receiver(revision_submitted, dispatch_uid="ai_spirit.revision_submitted")
@receiver(submission_evaluated, dispatch_uid="ai_spirit.submission_evaluated")
def submission_changed(sender, submission, **kwargs):
    comment_sync_visibility(submission=submission)


@receiver(review_item_changed, dispatch_uid="ai_spirit.review_item_changed")
def on_review_item_changed(sender, item, **kwargs):
    comment_sync_visibility(submission=item.submission)
