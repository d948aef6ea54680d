"""What a host forum may import from ``moderation``: the supported surface (docs/integrating.md).

A Django forum plugs in through four things: its adapter (a subclass of :class:`ModerationAdapter`, named in
``MODERATION["ADAPTER"]``), the intake service (submit a post, or a new version of it), the read side (the
label readers see, whether the author may appeal), and the review actions an author takes (appeal). It may
listen to the :mod:`signals <moderation.signals>` re-exported here. Everything else in the package is
internal and may move between releases. Forums not written in Django use the REST API instead (docs/api.md).
"""
from __future__ import annotations

from .adapter import ModerationAdapter
from .conf import app_settings
from .models import Notification, RejectionTemplate, ReviewStatus, Submission, SubmissionStatus
from .policy.appeals import submission_can_appeal
from .selectors.labels import submission_label
from .services.intake import SubmissionInvalid, local_client, submission_submit
from .services.review import Actor, ReviewActionInvalid, ReviewConflict, review_item_appeal
from .signals import review_item_changed, revision_submitted, submission_evaluated

__all__ = [
    "Actor", "ModerationAdapter", "Notification", "RejectionTemplate", "ReviewActionInvalid", "ReviewConflict",
    "ReviewStatus", "Submission", "SubmissionInvalid", "SubmissionStatus", "app_settings", "local_client",
    "review_item_appeal", "review_item_changed", "revision_submitted", "submission_can_appeal",
    "submission_evaluated", "submission_label", "submission_submit",
]
