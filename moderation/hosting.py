"""Tying a host's own save to the plugin: for forums whose editor views and forms the host does not own.

A third-party forum saves its posts in its own views; the plugin cannot change them. The host wraps the view
in :func:`disclosure_pending` with the disclosure the author gave (a validated ``DisclosureForm``), and
connects one receiver with :func:`submit_on_save`: every save of the host's model then becomes a
``submission_submit`` call inside the same transaction, carrying that disclosure. A save made outside any
``disclosure_pending`` block (a management command, the shell, another view) keeps the disclosure the
submission already has. If the plugin refuses the post, ``SubmissionInvalid`` propagates out of the host's
save, so the host's transaction rolls back and neither side keeps it::

    with transaction.atomic(), disclosure_pending(form.to_data()):
        response = hosts_own_view(request)

    submit_on_save(Comment, external_id=lambda c: f"comment:{c.pk}", submit=comment_submit,
                   when=lambda c: c.is_public)
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_save


@dataclass(frozen=True)
class PendingDisclosure:
    data: dict[str, Any] | None
    #: what each save in the block gave (the host's ``submit``'s return, e.g. ``SubmitResult``), so that the host
    #: can tell its user when an edit changed nothing
    results: list = field(default_factory=list)
    #: who saves in the block when it is not the author (a moderator's edit): ``(external_id, display_name)``,
    #: for the host's ``submit`` to pass on as ``submission_submit(editor_external_id=..., ...)``
    editor: tuple[str, str] | None = None


_pending: ContextVar[PendingDisclosure | None] = ContextVar("moderation_pending_disclosure", default=None)


@contextmanager
def disclosure_pending(data: dict[str, Any] | None, *,
                       editor: tuple[str, str] | None = None) -> Iterator[PendingDisclosure]:
    """Within the block, saves that :func:`submit_on_save` watches carry ``data`` (``None``: no disclosure).
    ``editor``: ``(external_id, display_name)`` of the person saving when it is not the author."""
    pending = PendingDisclosure(data, editor=editor)
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def pending_disclosure() -> PendingDisclosure | None:
    """The disclosure of the enclosing :func:`disclosure_pending` block, or ``None`` outside one."""
    return _pending.get()


def _local_submission(external_id: str):
    """The local client's submission ``external_id``, or None if it was never submitted."""
    from .selectors.submissions import submissions_by_external_id
    from .services.intake import local_client

    return submissions_by_external_id(client=local_client(), external_ids=[external_id]).get(external_id)


def current_disclosure(*, external_id: str) -> dict[str, Any] | None:
    """The stored disclosure of the local client's submission ``external_id`` (None if never submitted)."""
    submission = _local_submission(external_id)
    revision = submission.current_revision if submission is not None else None
    return revision.disclosure if revision is not None else None


def submit_on_save(model, *, external_id: Callable[[Any], str], submit: Callable[..., Any],
                   when: Callable[[Any], bool] | None = None, dispatch_uid: str | None = None):
    """Connect (and return) a ``post_save`` receiver for ``model`` that calls
    ``submit(instance=..., disclosure_data=...)`` on every save for which ``when(instance)`` holds.

    ``disclosure_data`` is the enclosing :func:`disclosure_pending` block's, else the submission's current one
    (found by ``external_id(instance)``). Fixture loading (``raw`` saves) is skipped. ``submit`` is the host's
    own function around ``submission_submit`` (it knows the author, category and body of its objects).

    Someone other than the author (a block with an ``editor`` and no disclosure) editing an object that has no
    submission, one from before the plugin, is not submitted: no disclosure of the author's exists to carry, and
    the editor cannot give one for them, so a moderator's typo fix would have published "AI use not disclosed"
    and held the post for a check. The object stays as it was until its author edits it. A block that carries a
    disclosure is submitted whoever saves: ``editor`` names someone other than the author, never the author.
    """
    def receiver(sender, instance, created: bool = False, raw: bool = False, **kwargs):
        if raw or (when is not None and not when(instance)):
            return
        pending = pending_disclosure()
        if (pending is not None and pending.editor and pending.data is None and not created
                and _local_submission(external_id(instance)) is None):
            return
        data = pending.data if pending is not None else current_disclosure(external_id=external_id(instance))
        result = submit(instance=instance, disclosure_data=data)
        if pending is not None:
            pending.results.append(result)

    post_save.connect(receiver, sender=model, weak=False,
                      dispatch_uid=dispatch_uid or f"moderation.submit_on_save.{model._meta.label_lower}")
    return receiver
