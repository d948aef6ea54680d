"""Erasing an author's personal data (GDPR Art. 17), when the host forum deletes their account or is asked to.

What goes: the texts the author wrote (every revision's title and body, the free text of their disclosures,
their appeal messages, the notes of reports they filed, the excerpts of their posts quoted in statements of
reasons), what classifiers wrote about those texts in words, their display name (also as the editor of other
people's posts), their notifications and drafts, and the API's stored answers for retries that name them.
Their id becomes a pseudonym (``erased-…``, one per erasure and unrelated to the id), in their submissions and
in the reports they filed.

What stays, because it holds nothing of theirs and the forum must account for its moderation: each post's
status, structure (its disclosure's kinds, extents, share and tools), classifier scores (offsets and numbers
only), the policy's evaluations, review items and moderators' decisions with their messages, statements of
reasons without the excerpts, and the audit log, whose rows lose only the author's words and name. An
erased post is hidden for good and marked removed in the forum (its text is gone, so nothing can show it); it
takes no new revision, is never evaluated again, and cannot be appealed or restored.

Erasing an author with nothing left is a no-op. One audit row (``author_erased``) per erased submission.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .. import signals
from ..models import (
    Action,
    ApiClient,
    HostRemovalReason,
    IdempotencyRecord,
    Notification,
    ReaderReport,
    Revision,
    ReviewItem,
    StatementOfReasons,
    Submission,
)
from ..selectors.author_data import author_drafts
from .classifier_log import classifier_results_erase
from .review import Actor, _audit

ERASED_NOTE = "The author's personal data was erased."
#: the disclosure's free-text fields: the author's own words (the structured fields are not personal)
_DISCLOSURE_TEXT = ("process", "verification")


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure changed (all zero, and no pseudonym, when there was nothing left to erase)."""

    pseudonym: str | None
    submissions: int = 0
    revisions: int = 0
    reports: int = 0
    drafts: int = 0
    notifications: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _erased_disclosure(data: dict | None) -> dict | None:
    if not isinstance(data, dict):
        return data
    out = {**data, **{key: "" for key in _DISCLOSURE_TEXT if key in data}}
    if isinstance(out.get("assistance"), list):
        out["assistance"] = [{**a, "details": None} if isinstance(a, dict) and a.get("details") else a
                             for a in out["assistance"]]
    if isinstance(out.get("human_review"), dict) and out["human_review"].get("responsible"):
        out["human_review"] = {**out["human_review"], "responsible": ""}
    return out


def _erased_statement(data: dict) -> dict:
    facts = data.get("facts_and_circumstances")
    if not isinstance(facts, dict) or not isinstance(facts.get("flagged_passages"), list):
        return data
    passages = [{**p, "excerpt": ""} if isinstance(p, dict) else p for p in facts["flagged_passages"]]
    return {**data, "facts_and_circumstances": {**facts, "flagged_passages": passages}}


def author_erase(*, client: ApiClient, author_external_id: str, actor: Actor, user=None) -> ErasureReport:
    """Erase the personal data of ``client``'s author ``author_external_id`` (``user``: the local account
    behind it, for a host forum's own author, so that their drafts and the audit rows they wrote as a reader
    or appellant lose their name too). Idempotent."""
    pseudonym = f"erased-{secrets.token_hex(6)}"
    now = timezone.now()
    with transaction.atomic():
        submissions = list(Submission.objects.select_for_update()
                           .filter(client=client, author_external_id=author_external_id).order_by("pk"))
        ids = [s.pk for s in submissions]
        revision_ids = []
        for revision in Revision.objects.filter(submission_id__in=ids).only("pk", "disclosure"):
            Revision.objects.filter(pk=revision.pk).update(
                # the hash of the text goes too (a short text's hash can be guessed back); a task still carrying
                # the old hash finds the revision changed and does nothing
                title="", body="", content_hash="", disclosure=_erased_disclosure(revision.disclosure),
                # the pipeline is done with it: an erased text is never evaluated (the sweep skips it)
                evaluated_at=now)
            revision_ids.append(revision.pk)
        classifier_results_erase(revision_ids=revision_ids)
        # their name as the editor of other authors' posts
        edited = Revision.objects.filter(submission__client=client, editor_external_id=author_external_id).update(
            editor_external_id=pseudonym, editor_display_name="")
        ReviewItem.objects.filter(submission_id__in=ids).exclude(appeal_message="").update(appeal_message="")
        for statement in StatementOfReasons.objects.filter(submission_id__in=ids).only("pk", "data"):
            StatementOfReasons.objects.filter(pk=statement.pk).update(data=_erased_statement(statement.data))
        notifications = Notification.objects.filter(
            Q(submission_id__in=ids) | Q(submission__client=client, recipient_external_id=author_external_id)
        ).delete()[0]
        # the audit log is append-only except for this: the author's words and name leave it, the rows stay
        Action.objects.filter(submission_id__in=ids, verb="appeal").update(note="")
        reports = list(ReaderReport.objects.filter(client=client, reporter_external_id=author_external_id))
        for report in reports:
            for action in Action.objects.filter(data__report=str(report.public_id)).only("pk", "data"):
                Action.objects.filter(pk=action.pk).update(note="", data={**action.data, "reporter": pseudonym})
        ReaderReport.objects.filter(pk__in=[r.pk for r in reports]).update(reporter_external_id=pseudonym,
                                                                            note="")
        if user is not None:
            # what they did as a reader or an appellant (as a moderator, what they decided stays theirs)
            Action.objects.filter(actor_user=user, verb__in=("appeal", "report", "open")).update(
                actor_label=pseudonym)
        their_drafts = author_drafts(client=client, author_external_id=author_external_id,
                                     external_ids=[s.external_id for s in submissions], user=user)
        draft_ids = [str(public_id) for public_id in their_drafts.values_list("public_id", flat=True)]
        drafts = their_drafts.delete()[0]
        _stored_answers_forget(client=client, values=[author_external_id, *draft_ids])
        if not (submissions or reports or drafts or notifications or edited):
            return ErasureReport(pseudonym=None)
        for submission in submissions:
            previously_visible = submission.visible
            submission.author_external_id, submission.author_display_name = pseudonym, ""
            submission.author_erased_at, submission.visible = now, False  # nothing left to show
            submission.host_removed_at = submission.host_removed_at or now
            submission.host_removed_reason = submission.host_removed_reason or HostRemovalReason.DELETED_BY_AUTHOR
            submission.host_removed_note = submission.host_removed_note or ERASED_NOTE
            submission.save(update_fields=["author_external_id", "author_display_name", "author_erased_at",
                                           "visible", "host_removed_at", "host_removed_reason",
                                           "host_removed_note", "updated_at"])
            signals.visibility_changed_send(submission=submission, previous=previously_visible)
            _audit(actor=actor, item=None, submission=submission, verb="author_erased",
                   data={"pseudonym": pseudonym})
    return ErasureReport(pseudonym=pseudonym, submissions=len(submissions), revisions=len(revision_ids),
                         reports=len(reports), drafts=drafts, notifications=notifications)


def _stored_answers_forget(*, client: ApiClient, values: list[str]) -> None:
    """The API's stored answers for retries (``Idempotency-Key``, up to 24 hours) that name the author or one of
    their drafts (``values``): a report's, a draft's, its recorded help's bodies hold their id and words, and a
    retry would return them. A draft started without an author id and used for their post names only itself.
    The database finds the answers that spell a value as a JSON string (quotes included); an answer goes only
    when one of its values is exactly one of them (``u-1`` is not ``u-12``, nor ``U-1``)."""
    match = Q()
    for value in values:
        for spelling in {json.dumps(value), json.dumps(value, ensure_ascii=False)}:
            match |= Q(body_text__contains=spelling)
    candidates = IdempotencyRecord.objects.filter(client=client, response_status__gt=0).annotate(
        body_text=Cast("response_body", TextField())).filter(match).values_list("pk", "response_body")
    wanted = set(values)
    IdempotencyRecord.objects.filter(pk__in=[pk for pk, body in candidates
                                             if wanted & _string_values(body)]).delete()


def _string_values(value) -> set[str]:
    """Every string in a JSON value, keys left out."""
    if isinstance(value, str):
        return {value}
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*map(_string_values, children))


def local_user_deleted(sender, instance, **kwargs) -> None:
    """``pre_delete`` of the user model: a host forum's member leaves, and their data here goes with them
    (``MODERATION["ERASE_AUTHOR_ON_USER_DELETE"]``, on by default)."""
    from ..conf import app_settings
    from .intake import local_client

    if not app_settings.ERASE_AUTHOR_ON_USER_DELETE:
        return
    author_erase(client=local_client(), author_external_id=app_settings.adapter.author_external_id(instance),
                 actor=Actor.system(), user=instance)
