"""Intake for a post written on a recorder draft: the draft is linked to the post it became, and what its
tools recorded is kept on the revision (compared with the disclosure by services/recorded.py)."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from disclosure.models import Draft
from disclosure.recorder import draft_mark_used

from ..models import ApiClient
from .intake import SubmissionInvalid, SubmitResult, submission_submit


def submission_submit_from_draft(*, client: ApiClient, draft_id, external_id: str, **fields: Any) -> SubmitResult:
    """``submission_submit`` for a post written on a recorder draft (``draft_id``, or None for no draft).

    The client's draft is linked to the post (``used_at``, ``used_for``) and what its tools recorded is kept on
    the new revision, in one transaction with the intake: a refused post links nothing. An unknown or foreign
    draft, one started for another author, or one that became another post, raises :class:`SubmissionInvalid`
    on ``draft_id``: another author's recorded help must not be compared with this author's disclosure.
    """
    with transaction.atomic():
        recorded = None
        if draft_id is not None:
            prefix = client.draft_owner_prefix
            draft = Draft.objects.filter(public_id=draft_id, owner_key__startswith=prefix).first()
            if draft is None:
                raise SubmissionInvalid([{"field": "draft_id", "message": "No such draft."}])
            started_for = draft.owner_key.removeprefix(prefix)
            if started_for and started_for != fields.get("author_external_id"):
                raise SubmissionInvalid([{"field": "draft_id",
                                          "message": "This draft was started for another author."}])
            if draft.used_at is not None and draft.used_for != external_id:
                raise SubmissionInvalid([{"field": "draft_id", "message": "This draft became another post already."}])
            recorded = draft_mark_used(draft=draft, used_for=external_id)
        return submission_submit(client=client, external_id=external_id, recorded_assistance=recorded, **fields)
