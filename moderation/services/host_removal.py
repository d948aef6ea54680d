"""The host forum says it took a post away from its readers itself (its own delete), or brought it back.

Not a decision of this plugin: the post's status, visibility, label and review items stay as they are, so an
appeal or a reader's report keeps its item and a moderator's decision stays on record. What changes is what a
moderator is told: the queue and the item page say "removed in the forum" (with the reason the host gave), so
that nobody spends time judging a post readers no longer see. Each change writes an audit row; saying the same
thing twice writes nothing.

A forum built on this plugin's adapter (Spirit) answers the same question through
``ModerationAdapter.removed_by_host``; an API client stores its answer here (``PUT`` / ``DELETE
/api/v1/submissions/{id}/removal``). :func:`moderation.selectors.submissions.removed_in_forum` reads both.
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from disclosure.errors import InputInvalid

from ..models import Action, HostRemovalReason, Submission
from .review import Actor, ReviewConflict, _audit

NOTE_MAX = 500
logger = logging.getLogger(__name__)


class HostRemovalInvalid(InputInvalid):
    """The removal's input is wrong; ``field`` names the culprit. Nothing was written."""


def _reason_check(reason: str) -> None:
    if reason not in HostRemovalReason.values:
        raise HostRemovalInvalid(gettext("Not a removal reason; one of: %(values)s.")
                                 % {"values": ", ".join(HostRemovalReason.values)}, field="reason")


def submission_host_removal_record(*, submission: Submission, actor: Actor, reason: str, note: str = "") -> Submission:
    """Store that the host removed the post (``reason``: a :class:`HostRemovalReason`); idempotent.

    An erased author's post keeps the erasure's removal: :class:`ReviewConflict`, as for restoring it."""
    _reason_check(reason)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise HostRemovalInvalid(gettext("At most %(max)s characters.") % {"max": NOTE_MAX}, field="note")
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.author_erased_at is not None:  # removed for good by the erasure, with its own reason
            raise ReviewConflict(gettext("This post's author was erased: it stays removed with the erasure's "
                                         "reason, which cannot be changed."))
        if locked.host_removed_at is not None and (locked.host_removed_reason, locked.host_removed_note) \
                == (reason, note):
            return locked
        changed = locked.host_removed_at is not None  # a new reason or note for a removal already stored
        locked.host_removed_at = locked.host_removed_at or timezone.now()
        locked.host_removed_reason, locked.host_removed_note = reason, note
        locked.save(update_fields=["host_removed_at", "host_removed_reason", "host_removed_note", "updated_at"])
        _audit(actor=actor, item=None, submission=locked, verb="host_remove", note=note,
               data={"reason": reason, **({"changed": True} if changed else {})})
    return locked


def submission_host_removal_clear(*, submission: Submission, actor: Actor) -> Submission:
    """The host brought the post back to its readers; idempotent (nothing stored, nothing written)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.host_removed_at is None:
            return locked
        if locked.author_erased_at is not None:
            raise ReviewConflict(gettext("This post's author was erased: its text is gone, so it cannot be "
                                         "restored."))
        reason = locked.host_removed_reason
        locked.host_removed_at, locked.host_removed_reason, locked.host_removed_note = None, "", ""
        locked.save(update_fields=["host_removed_at", "host_removed_reason", "host_removed_note", "updated_at"])
        _audit(actor=actor, item=None, submission=locked, verb="host_restore", data={"reason_was": reason})
    return locked


def submissions_host_removal_record(*, submission_ids: list[int], actor: Actor, reason: str) -> int:
    """Several posts removed by the host at once (its delete of a whole topic): one transaction and a handful of
    queries whatever their number. Posts stored as removed already, and erased authors' posts, are left as
    they are. Returns how many changed; each has its audit row."""
    _reason_check(reason)
    with transaction.atomic():
        changing = list(Submission.objects.select_for_update().filter(
            pk__in=submission_ids, host_removed_at__isnull=True, author_erased_at__isnull=True).order_by("pk"))
        now = timezone.now()
        Submission.objects.filter(pk__in=[s.pk for s in changing]).update(
            host_removed_at=now, host_removed_reason=reason, host_removed_note="", updated_at=now)
        _audit_many(actor=actor, submissions=changing, verb="host_remove", data=lambda s: {"reason": reason})
    return len(changing)


def submissions_host_removal_clear(*, submission_ids: list[int], actor: Actor) -> int:
    """Several posts brought back by the host at once; erased authors' posts stay removed (their text is gone).
    Returns how many changed; each has its audit row."""
    with transaction.atomic():
        changing = list(Submission.objects.select_for_update().filter(
            pk__in=submission_ids, host_removed_at__isnull=False, author_erased_at__isnull=True).order_by("pk"))
        Submission.objects.filter(pk__in=[s.pk for s in changing]).update(
            host_removed_at=None, host_removed_reason="", host_removed_note="", updated_at=timezone.now())
        _audit_many(actor=actor, submissions=changing, verb="host_restore",
                    data=lambda s: {"reason_was": s.host_removed_reason})
    return len(changing)


def _audit_many(*, actor: Actor, submissions: list[Submission], verb: str, data) -> None:
    """:func:`~moderation.services.review._audit`'s rows, in one insert (and one log line for them all)."""
    if submissions:
        logger.info("review %s by %s: %d posts", verb, actor.label, len(submissions),
                    extra={"verb": verb, "actor": actor.label, "posts": len(submissions)})
    Action.objects.bulk_create([
        Action(actor_kind=actor.kind, actor_user=actor.user if actor.kind == "user" else None,
               actor_client=actor.client if actor.kind == "client" else None, actor_label=actor.label,
               submission=submission, verb=verb, data=data(submission)) for submission in submissions])
