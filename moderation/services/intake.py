"""Intake: a post from the host forum or from another forum becomes a Submission with a new Revision."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from disclosure.blocks import PARSER_VERSION
from disclosure.schema import SCHEMA_VERSION, tool_key
from disclosure.text import blank
from disclosure.validation import check_post

from ..categories import category_key, in_categories
from ..conf import app_settings
from ..models import ApiClient, Revision, Submission, SubmissionStatus
from .. import signals
from ..logs import pipeline_context
from .enqueue import on_commit, revision_enqueue

logger = logging.getLogger(__name__)


class SubmissionInvalid(Exception):
    """The input cannot be accepted; ``errors`` is a list of ``{"field", "message"}``. Nothing was written."""

    def __init__(self, errors: list[dict[str, str]], *, status_code: int = 400, extra: dict | None = None):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors
        self.status_code = status_code
        self.extra = extra or {}


@dataclass
class SubmitResult:
    submission: Submission
    revision: Revision
    #: False when the content was unchanged: no revision was made and nothing was queued.
    new_revision: bool
    created: bool


def revision_content_hash(*, title: str, body: str, fmt: str, disclosure: Any, disclosure_version: int | None,
                          parser_version: int) -> str:
    canonical = json.dumps([title, body, fmt, disclosure, disclosure_version, parser_version],
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _names_a_tool_twice(disclosure_data: Any) -> bool:
    tools = disclosure_data.get("tools") if isinstance(disclosure_data, dict) else None
    if not isinstance(tools, list) or not all(isinstance(tool, str) for tool in tools):
        return False
    return len({tool_key(tool) for tool in tools}) < len(tools)


def _stored_tools(client: ApiClient, external_id: str) -> list[str] | None:
    """The tool list of the post's current version, which a re-send may repeat as it is (a list stored before a
    tool could not be named twice); asked only when the new list names a tool twice."""
    stored = (Revision.objects.filter(submission__client=client, submission__external_id=external_id,
                                      submission__current_revision=F("pk"))
              .values_list("disclosure", flat=True).first())
    return stored.get("tools") if isinstance(stored, dict) else None


def local_client() -> ApiClient:
    """The built-in client through which the host forum submits its own posts."""
    client, _ = ApiClient.objects.get_or_create(name=ApiClient.LOCAL_NAME, defaults={"scopes": ["submit"]})
    return client


def submission_submit(
    *,
    client: ApiClient,
    external_id: str,
    author_external_id: str,
    author_display_name: str = "",
    author_standing: str = "new",
    category: str = "",
    title: str | None,
    body: str,
    fmt: str = "markdown",
    disclosure_data: dict[str, Any] | None,
    recorded_assistance: dict[str, Any] | None = None,
    editor_external_id: str = "",
    editor_display_name: str = "",
) -> SubmitResult:
    """Validate and store one version of a post, then enqueue its evaluation after commit.

    Raises :class:`SubmissionInvalid` (nothing written) when the body does not parse, the disclosure breaks a
    rule, or they contradict each other. Resubmitting unchanged content in the same category makes no revision
    and queues nothing.
    A new revision sends the submission back to ``pending``; a label a moderator locked stays.
    ``title=None`` is for hosts whose posts have no title (comments): the revision is stored untitled. A blank
    title string is refused with a ``title`` field error, since the host's form asked the author for one.
    ``recorded_assistance``: what the editor's AI tools recorded on the draft this version came from (the
    recorder's disclosure suggestion), kept on the revision for the ``recorded_vs_declared`` check.
    ``editor_external_id`` / ``editor_display_name``: who saved this version when it was not the author (a
    moderator's edit); the moderator's queue shows it, and an open item says "edited by someone else" instead
    of "author posted a new revision". The author's own id there counts as the author.
    """
    errors = []
    if title is None:
        title = ""
    elif blank(title):  # whitespace or invisible characters only (a zero-width space shows nothing either)
        errors.append({"field": "title", "message": "Give the post a title."})
    if blank(body):
        errors.append({"field": "body", "message": "The post is empty."})
    category = (category or "").strip()
    required = in_categories(category, client.categories_requiring_disclosure) or (
        client.name == ApiClient.LOCAL_NAME and in_categories(category,
                                                              app_settings.adapter.categories_requiring_disclosure()))
    if disclosure_data is None and required:
        raise SubmissionInvalid(
            [{"field": "disclosure", "message": f"Posts in category “{category}” must carry an AI-assistance "
                                                "disclosure."}],
            status_code=422)
    disclosure, parsed, check_errors = check_post(
        body=body, fmt=fmt, disclosure_data=disclosure_data,
        accepted_tools=_stored_tools(client, external_id) if _names_a_tool_twice(disclosure_data) else None)
    errors += check_errors
    if errors:
        raise SubmissionInvalid(errors)

    stored = disclosure.model_dump(mode="json") if disclosure is not None else None
    version = SCHEMA_VERSION if disclosure is not None else None
    content_hash = revision_content_hash(title=title, body=body, fmt=fmt, disclosure=stored,
                                         disclosure_version=version, parser_version=PARSER_VERSION)
    with transaction.atomic():
        submission, created = _submission_locked(client=client, external_id=external_id, defaults={
            "author_external_id": author_external_id, "author_display_name": author_display_name,
            "author_standing": author_standing, "category": category})
        if submission.author_erased_at is not None:
            raise SubmissionInvalid([{"field": "external_id", "message": (
                "This post's author was erased (their personal data, the post's text included), so the post "
                "cannot be changed.")}], status_code=409)
        if not created and author_external_id != submission.author_external_id:
            raise SubmissionInvalid([{"field": "author.external_id", "message": (
                f"This post belongs to author “{submission.author_external_id}”; a post cannot change author. To "
                "record someone else's edit, send them as the editor.")}], status_code=409)
        current = submission.current_revision
        # A move to another category is a change too: the policy depends on it (public-interest holds). A
        # category spelled differently (case, spaces, invisible characters) is the same one to every rule.
        if current is not None and current.content_hash == content_hash \
                and category_key(submission.category) == category_key(category):
            # Not a new version, but what the forum says of the author now (promoted, renamed) and the category's
            # spelling are kept: the next evaluation and the moderators read them.
            unchanged = {"category": submission.category, "author_standing": submission.author_standing,
                         "author_display_name": submission.author_display_name}
            submission.category, submission.author_standing = category, author_standing
            submission.author_display_name = author_display_name or submission.author_display_name
            changed = [name for name, value in unchanged.items() if getattr(submission, name) != value]
            if changed:
                submission.save(update_fields=[*changed, "updated_at"])
            return SubmitResult(submission, current, new_revision=False, created=False)
        revision = Revision.objects.create(
            submission=submission, number=(current.number if current else 0) + 1, title=title, body=body,
            format=fmt, disclosure=stored, disclosure_version=version, parser_version=PARSER_VERSION,
            has_ai_blocks=parsed.has_ai_blocks, content_hash=content_hash,
            recorded_assistance=recorded_assistance or None,
            **_editor(editor_external_id, editor_display_name, author_external_id=submission.author_external_id),
        )
        submission.current_revision = revision
        previously_visible = None if current is None else submission.visible  # first revision: news
        submission.status = SubmissionStatus.PENDING
        # A trusted author's post is shown before evaluation, an edit only if readers saw the post already: a post
        # a moderator hid or rejected (or the policy holds) stays hidden until the new revision is evaluated.
        submission.visible = (author_standing == "trusted" and app_settings.SHOW_TRUSTED_BEFORE_EVALUATION
                              and (current is None or submission.visible))
        submission.author_display_name = author_display_name or submission.author_display_name
        submission.author_standing = author_standing
        submission.category = category
        from .labelling import submission_label_for_new_revision

        submission_label_for_new_revision(submission=submission)  # a moderator's locked label stays
        submission.save()
        signals.revision_submitted.send(sender=Submission, submission=submission, revision=revision)
        signals.visibility_changed_send(submission=submission, previous=previously_visible)
        on_commit(enqueue_evaluation, revision_id=revision.pk, content_hash=content_hash)
    with pipeline_context(submission=submission, revision=revision, client=client.name):
        logger.info("submission received: revision %s%s", revision.number, " (new post)" if created else "")
    return SubmitResult(submission, revision, new_revision=True, created=created)


def _editor(external_id: str, display_name: str, *, author_external_id: str) -> dict[str, str]:
    """The revision's editor fields: blank when the author saved it (under their own id)."""
    external_id = (external_id or "").strip()
    if not external_id or external_id == (author_external_id or "").strip():
        return {"editor_external_id": "", "editor_display_name": ""}
    return {"editor_external_id": external_id[:200], "editor_display_name": (display_name or "").strip()[:200]}


def _submission_locked(*, client: ApiClient, external_id: str, defaults: dict) -> tuple[Submission, bool]:
    """The submission row, locked for this transaction (made if new; an inserted row is locked by its transaction
    already). Its current revision is read after the lock, by its own query: joined to the locking query, a
    request that waited for another's save re-read the submission row but not the join, saw no current
    revision and inserted revision 1 again (an IntegrityError; the edit was lost)."""
    lookup = {"client": client, "external_id": external_id}
    rows = Submission.objects.select_for_update()
    submission = rows.filter(**lookup).first()
    if submission is not None:
        return submission, False
    try:
        with transaction.atomic():
            return Submission.objects.create(**lookup, **defaults), True
    except IntegrityError:  # the same post submitted twice at once: the other request made it, wait for its lock
        return rows.get(**lookup), False


def enqueue_evaluation(*, revision_id: int, content_hash: str) -> None:
    """Send the revision to the workers (evaluated here when no classifier is configured). If the broker is down
    the post stays saved and the sweep finds it."""
    from ..classifiers.registry import configured_classifiers

    if not configured_classifiers():
        from .evaluation import revision_evaluate

        revision_evaluate(revision_id=revision_id, content_hash=content_hash)
        return
    with pipeline_context(revision_id=revision_id):
        revision_enqueue(revision_id=revision_id, content_hash=content_hash)
