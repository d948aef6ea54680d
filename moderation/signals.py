"""Signals the host forum may listen to. Each is sent after the change, inside its transaction.

- ``revision_submitted(submission, revision)``: a new revision was stored and will be evaluated.
- ``submission_evaluated(submission, revision, evaluation)``: the policy decided on a revision.
- ``review_item_changed(item, action)``: a review item changed state; ``action`` is the audit row.
"""
from django.dispatch import Signal

revision_submitted = Signal()
submission_evaluated = Signal()
review_item_changed = Signal()
