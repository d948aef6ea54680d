"""What a host forum may import from ``moderation``: the supported surface (docs/integrating.md).

A Django forum plugs in through four things: its adapter (a subclass of :class:`ModerationAdapter`, named in
``MODERATION["ADAPTER"]``), the intake service (submit a post, or a new version of it), the read side (the
label readers see, whether the author may appeal, the decision and statement of reasons about the revision
shown), and the actions an author or reader takes (appeal, report a post as undisclosed AI). It may listen to
the :mod:`signals <moderation.signals>` re-exported here, and run the start-up refusals (:func:`startup_errors` in its
WSGI module, :func:`worker_startup_errors` in its Celery ``worker_init``) that ``manage.py`` gets from the system
checks. Everything else in the package is
internal and may move between releases. Forums not written in Django use the REST API instead (docs/api.md).
"""
from __future__ import annotations

from .adapter import ModerationAdapter
from .checks import startup_errors, worker_startup_errors
from .conf import app_settings
from .hosting import PendingDisclosure, current_disclosure, disclosure_pending, pending_disclosure, submit_on_save
from .models import (DecisionAction, HostRemovalReason, Notification, RejectionTemplate, ReviewStatus, Submission,
                     SubmissionStatus)
from .policy.appeals import submission_can_appeal
from .selectors.labels import submission_label
from .selectors.outcome import RevisionOutcome, revision_outcome
from .selectors.submissions import submissions_by_external_id
from .services.host_removal import (submission_host_removal_clear, submission_host_removal_record,
                                    submissions_host_removal_clear, submissions_host_removal_record)
from .services.intake import SubmissionInvalid, local_client, submission_submit
from .services.notify import notification_text
from .services.reports import (ReportDuplicate, ReportInvalid, ReportNotAllowed, ReportRateLimited, report_by_member,
                               report_create)
from .services.review import Actor, ReviewActionInvalid, ReviewConflict, review_item_appeal
from .selectors.statements import statement_latest
from .signals import review_item_changed, revision_submitted, submission_evaluated, submission_visibility_changed

__all__ = [
    "Actor", "DecisionAction", "HostRemovalReason", "ModerationAdapter", "Notification", "PendingDisclosure", "RejectionTemplate",
    "ReportDuplicate", "ReportInvalid", "ReportNotAllowed", "ReportRateLimited", "ReviewActionInvalid", "ReviewConflict", "ReviewStatus",
    "RevisionOutcome", "revision_outcome",
    "Submission", "SubmissionInvalid", "SubmissionStatus", "app_settings", "current_disclosure", "disclosure_pending",
    "local_client", "notification_text", "pending_disclosure", "report_by_member", "report_create", "review_item_appeal", "review_item_changed",
    "startup_errors", "worker_startup_errors",
    "revision_submitted", "statement_latest", "submission_can_appeal", "submission_evaluated", "submission_label",
    "submission_host_removal_clear", "submission_host_removal_record", "submission_submit",
    "submissions_host_removal_clear", "submissions_host_removal_record",
    "submission_visibility_changed", "submissions_by_external_id", "submit_on_save",
]
