"""Signal receivers: Spirit's comment saves go through the plugin's intake; the plugin's visibility
changes (intake, evaluation, moderator decisions) reach Spirit's comments."""
from django.dispatch import receiver
from spirit.comment.models import Comment

from moderation.public import DecisionAction, review_item_changed, submission_visibility_changed, submit_on_save

from .services import comment_external_id, comment_is_moderated, comment_submit, comment_sync_visibility

#: Every comment and every edit is submitted, whatever Spirit view saved it. The editor views (views.py) wrap
#: Spirit's view in ``disclosure_pending`` with the author's disclosure; a save from anywhere else (a management
#: command, the shell) keeps the disclosure the comment already has.
comment_saved = submit_on_save(Comment, external_id=lambda comment: comment_external_id(comment.pk),
                               submit=comment_submit, when=comment_is_moderated,
                               dispatch_uid="ai_spirit.comment_saved")


@receiver(submission_visibility_changed, dispatch_uid="ai_spirit.visibility_changed")
def visibility_changed(sender, submission, visible, **kwargs):
    comment_sync_visibility(submission=submission, visible=visible)


@receiver(review_item_changed, dispatch_uid="ai_spirit.decided")
def decided(sender, item, action, **kwargs):
    """A moderator's decision (its audit verb is the action's name) is applied to Spirit even when the plugin's
    visibility did not change: a Spirit moderator may have undeleted the comment meanwhile."""
    if action.verb in DecisionAction.values:
        comment_sync_visibility(submission=item.submission, visible=item.submission.visible)
