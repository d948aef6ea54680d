"""Spirit comments ↔ the plugin's submissions.

Every Spirit comment (``action == COMMENT``) is one Submission of the local client, ``external_id``
``spirit-comment:<pk>``; each save of its text is a ``submission_submit`` call (a new Revision when the text or
disclosure changed). Whether Spirit shows the comment follows the plugin's ``Submission.visible``, mirrored into
Spirit's own ``Comment.is_removed`` so that every Spirit page (topic, search, history) hides it the same way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from moderation.public import (
    Actor, HostRemovalReason, Submission, app_settings, current_disclosure, local_client, pending_disclosure,
    submission_submit, submissions_by_external_id, submissions_host_removal_clear, submissions_host_removal_record,
)

from .models import DeferredPosting, HeldTopic, SpiritRemoval

if TYPE_CHECKING:
    from moderation.services.intake import SubmitResult

EXTERNAL_PREFIX = "spirit-comment:"


def comment_external_id(comment_id: int) -> str:
    return f"{EXTERNAL_PREFIX}{comment_id}"


def comment_for_submission(submission: Submission):
    """The Spirit comment behind a submission, or None (another client's post, or a deleted comment)."""
    return comments_for_submissions([submission]).get(submission.pk)


def comments_for_submissions(submissions) -> dict[int, object]:
    """``{submission pk: Spirit comment}`` for those of a page that are Spirit comments, in one query (their
    topics with them)."""
    from spirit.comment.models import Comment

    ours = [s for s in submissions if s.external_id.startswith(EXTERNAL_PREFIX)
            and is_comment_pk(s.external_id.removeprefix(EXTERNAL_PREFIX))]
    if not ours:  # another client's page: no query (local_client() may create its row)
        return {}
    client_pk = local_client().pk
    wanted = {s.pk: int(s.external_id.removeprefix(EXTERNAL_PREFIX)) for s in ours if s.client_id == client_pk}
    found = Comment.objects.select_related("topic").in_bulk(wanted.values())
    return {s_pk: found[c_pk] for s_pk, c_pk in wanted.items() if c_pk in found}


def is_comment_pk(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` accepts "²", which ``int`` refuses), and few enough for a 64-bit key
    (SQLite raised OverflowError on a longer one)."""
    return text.isascii() and text.isdecimal() and len(text) <= 18


def submission_for_comment(comment) -> Submission | None:
    return submissions_for_comments([comment]).get(comment.pk)


def submissions_for_comments(comments) -> dict[int, Submission]:
    """``{comment pk: Submission}`` for a page of comments, in one query."""
    return submissions_for_comment_ids([c.pk for c in comments])


def submissions_for_comment_ids(comment_ids) -> dict[int, Submission]:
    """``{comment pk: Submission}`` for those of the comments that have one; a thousand per query (SQLite limits
    a query's parameters, and ``spirit_backfill`` asks for a whole forum's)."""
    ids = {comment_external_id(pk): pk for pk in comment_ids}
    names, client, found = list(ids), local_client(), {}
    for start in range(0, len(names), 1000):
        found.update(submissions_by_external_id(client=client, external_ids=names[start:start + 1000]))
    return {ids[external_id]: submission for external_id, submission in found.items()}


def comment_current_disclosure(comment) -> dict | None:
    """The disclosure the comment's current revision carries (None before its first revision)."""
    return current_disclosure(external_id=comment_external_id(comment.pk))


def comment_is_moderated(comment) -> bool:
    """Comments (not Spirit's "topic moved/closed" notes), outside private topics unless the operator says so."""
    from spirit.comment.models import Comment

    return comment.action == Comment.COMMENT and topic_is_moderated(comment.topic)


def moderated_comment_ids(comments) -> set[int]:
    """The pks of ``comments`` the plugin moderates (:func:`comment_is_moderated`), their topics read in one
    query: a page of comments from before the plugin cost two queries each."""
    from spirit.comment.models import Comment
    from spirit.topic.models import Topic

    comments = [c for c in comments if c.action == Comment.COMMENT]
    topics = Topic.objects.select_related("category").in_bulk({c.topic_id for c in comments})
    return {c.pk for c in comments if c.topic_id in topics and topic_is_moderated(topics[c.topic_id])}


def topic_is_moderated(topic) -> bool:
    from .adapter import integration_settings

    return integration_settings()["MODERATE_PRIVATE_TOPICS"] or not topic.category.is_private


def comment_title(comment) -> str:
    """Spirit comments have no title: the topic's, with "Re: " for replies, so the queue tells them apart."""
    from spirit.comment.models import Comment

    first = Comment.objects.filter(topic_id=comment.topic_id).order_by("date", "pk").values_list("pk", flat=True)[:1]
    return comment.topic.title if list(first) in ([], [comment.pk]) else f"Re: {comment.topic.title}"


def comment_submit(*, instance, disclosure_data: dict | None) -> SubmitResult:
    """Store the comment's text and disclosure as the submission's next revision and queue its evaluation.

    Spirit keeps the text as the browser sent it (CRLF line ends); the plugin gets it with LF, as the author
    sees it. Raises ``SubmissionInvalid`` (nothing written by the plugin) on a bad body or disclosure; the caller's
    transaction must then be rolled back so that Spirit's comment is not kept either.
    """
    comment, adapter = instance, app_settings.adapter
    user, topic = comment.user, comment.topic
    pending = pending_disclosure()
    editor_id, editor_name = (pending.editor if pending is not None and pending.editor else ("", ""))
    return submission_submit(
        client=local_client(), external_id=comment_external_id(comment.pk),
        author_external_id=adapter.author_external_id(user), author_display_name=adapter.author_display_name(user),
        author_standing=adapter.author_standing(user), category=topic.category.slug, title=comment_title(comment),
        body=comment.comment.replace("\r\n", "\n"), fmt="markdown", disclosure_data=disclosure_data,
        editor_external_id=editor_id, editor_display_name=editor_name,
    )


def comment_sync_visibility(*, submission: Submission, visible: bool) -> int:
    """Hide or show the Spirit comment as the plugin decided. Returns the number of comments changed."""
    from spirit.comment.models import Comment

    if not submission.external_id.startswith(EXTERNAL_PREFIX) or submission.client.name != local_client().name:
        return 0
    pk = submission.external_id.removeprefix(EXTERNAL_PREFIX)
    if not is_comment_pk(pk):
        return 0
    hidden = not visible
    if visible and SpiritRemoval.objects.filter(comment_id=int(pk)).exists():
        return 0  # Spirit's moderator deleted it: only Spirit's "undelete" shows it again
    changed = Comment.objects.filter(Q(pk=pk) & ~Q(is_removed=hidden)).update(is_removed=hidden)
    topic_sync_visibility(comment_id=int(pk), visible=visible)
    if visible:
        deferred_posting_release(comment_id=int(pk))
    return changed


def opening_comment_id(topic_id: int) -> int | None:
    from spirit.comment.models import Comment

    return Comment.objects.filter(topic_id=topic_id).order_by("date", "pk").values_list("pk", flat=True).first()


def topic_sync_visibility(*, comment_id: int, visible: bool) -> None:
    """A new public topic is shown or hidden with its opening comment (:class:`HeldTopic`). Only a topic
    readers have not seen is held: no other comment yet, and Spirit never announced the opening one (its
    ``comment_count`` is 0: the announcement waits for the plugin, :func:`comment_posted_when_visible`). Hiding
    an established topic would take every reply with it (and lose the replies being written), or make a
    long-standing topic a 404, whenever its author's edit of the opening comment is held: that hides the
    comment only. Replies, private conversations (no public title) and a topic a Spirit moderator deleted are
    left alone."""
    from django.utils import timezone
    from spirit.comment.models import Comment
    from spirit.topic.models import Topic

    topic_id = Comment.objects.filter(pk=comment_id).values_list("topic_id", flat=True).first()
    if topic_id is None or opening_comment_id(topic_id) != comment_id:
        return
    # reindex_at: Spirit's search index follows, as after Spirit's own moderation of a topic
    if visible:
        if HeldTopic.objects.filter(topic_id=topic_id).delete()[0]:
            Topic.objects.filter(pk=topic_id).update(is_removed=False, reindex_at=timezone.now())
        return
    # a reply makes a topic established; Spirit's own notes (closed, pinned, moved) do not
    if Comment.objects.filter(topic_id=topic_id, action=Comment.COMMENT).exclude(pk=comment_id).exists():
        return
    if Topic.objects.filter(pk=topic_id, is_removed=False, category__is_private=False, comment_count=0).update(
            is_removed=True, reindex_at=timezone.now()):
        HeldTopic.objects.get_or_create(topic_id=topic_id)


def topic_held_for(*, topic_id: int, user) -> bool:
    """Whether the plugin holds this topic and ``user`` wrote it (its author still reads it, with the status)."""
    from spirit.topic.models import Topic

    return (user.is_authenticated and HeldTopic.objects.filter(topic_id=topic_id).exists()
            and Topic.objects.filter(pk=topic_id, user_id=user.pk).exists())


def spirit_topic_removal_take_over(*, topic_id: int) -> None:
    """A Spirit moderator deleted (or undeleted) the topic: from now on Spirit's choice stands, not the hold."""
    HeldTopic.objects.filter(topic_id=topic_id).delete()


def comment_posted_when_visible(comment, mentions) -> None:
    """Spirit's ``comment_posted``, put in its place (:func:`install_posting_deferral`): run now for a comment
    readers can see, else recorded (:class:`DeferredPosting`) and run by :func:`deferred_posting_release` when
    the plugin shows it."""
    from spirit.comment.utils import comment_posted

    if comment_is_moderated(comment):
        submission = submission_for_comment(comment)
        if submission is not None and not submission.visible:
            DeferredPosting.objects.update_or_create(comment_id=comment.pk, defaults={
                "mention_ids": sorted(user.pk for user in (mentions or {}).values())})
            return
    comment_posted(comment=comment, mentions=mentions)


def deferred_posting_release(*, comment_id: int) -> bool:
    """The comment is shown to readers now: run the posting Spirit announced while it was held. Once: the row
    goes in this transaction, and Spirit's announcement (which sends its e-mails inline) runs after the commit,
    so a decision rolled back neither announces nor loses the row, and no row lock is held while mail goes."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from spirit.comment.models import Comment
    from spirit.comment.utils import comment_posted

    deferred = DeferredPosting.objects.filter(comment_id=comment_id).first()
    if deferred is None or not DeferredPosting.objects.filter(pk=deferred.pk).delete()[0]:
        return False
    mention_ids = list(deferred.mention_ids)

    def announce():
        comment = Comment.objects.select_related("topic", "user").filter(pk=comment_id).first()
        if comment is None:
            return
        mentioned = get_user_model().objects.filter(pk__in=mention_ids)
        comment_posted(comment=comment, mentions={user.username: user for user in mentioned} or None)

    transaction.on_commit(announce)
    return True


def deferred_posting_pending(comment_ids) -> bool:
    """Whether any of these comments was never announced (Spirit's move would take a count it never added)."""
    return DeferredPosting.objects.filter(comment_id__in=list(comment_ids)).exists()


def install_posting_deferral() -> None:
    """Spirit has no hook between saving a comment and announcing it: its three views that post a comment
    call ``comment_posted`` by the name they imported, which is replaced here, once, at start-up."""
    import spirit.comment.views
    import spirit.topic.private.views
    import spirit.topic.views

    for module in (spirit.comment.views, spirit.topic.views, spirit.topic.private.views):
        module.comment_posted = comment_posted_when_visible


def spirit_removal_record(*, comment_id: int, actor: Actor | None = None) -> None:
    """Spirit's own "delete" removed the comment: the plugin's decisions must not show it again, and the review
    queue stores it as removed in the forum (its filter reads what is stored)."""
    SpiritRemoval.objects.get_or_create(comment_id=comment_id)
    _host_removal_store(comment_ids=[comment_id], removed=True, actor=actor)


def spirit_removal_forget(*, comment_id: int, actor: Actor | None = None) -> None:
    """A Spirit moderator asked to show the comment again: from now on the plugin's decisions say whether it is.
    Still removed in the forum while Spirit's delete of its topic stands."""
    SpiritRemoval.objects.filter(comment_id=comment_id).delete()
    from spirit.comment.models import Comment

    if not Comment.objects.filter(pk=comment_id, topic__is_removed=True).exists():
        _host_removal_store(comment_ids=[comment_id], removed=False, actor=actor)


def spirit_topic_removal_store(*, topic_id: int, removed: bool, actor: Actor | None = None) -> None:
    """A Spirit moderator deleted (``removed``) or undeleted the topic: store it for its comments, as the
    adapter answers it (a comment Spirit deleted on its own stays removed when its topic comes back)."""
    from spirit.comment.models import Comment

    comments = Comment.objects.filter(topic_id=topic_id, action=Comment.COMMENT)
    if not removed:
        comments = comments.exclude(pk__in=SpiritRemoval.objects.values("comment_id"))
    _host_removal_store(comment_ids=list(comments.values_list("pk", flat=True)), removed=removed, actor=actor)


def _host_removal_store(*, comment_ids: list[int], removed: bool, actor: Actor | None) -> None:
    """The stored side of Spirit's deletes (no note: the adapter says which delete, in the reader's language),
    for every comment in one transaction; erased authors' posts stay as the erasure stored them."""
    ids = {comment_external_id(pk): pk for pk in comment_ids}
    found = submissions_by_external_id(client=local_client(), external_ids=ids) if ids else {}
    submission_ids = [submission.pk for submission in found.values()]
    if removed:
        submissions_host_removal_record(submission_ids=submission_ids, actor=actor or Actor.system(),
                                        reason=HostRemovalReason.REMOVED_BY_MODERATORS)
    else:
        submissions_host_removal_clear(submission_ids=submission_ids, actor=actor or Actor.system())


def spirit_state_backfill(*, dry_run: bool = False) -> dict[str, int]:
    """Store what Spirit shows but earlier versions of the integration did not record (``manage.py
    spirit_backfill``, once after an upgrade; running it again changes nothing). Returns how many posts or
    topics each part changed (``dry_run``: would change):

    - ``comment_deletes``: comments a Spirit moderator deleted, stored as removed in the forum. Before API
      1.4.0 only the :class:`SpiritRemoval` row was kept, so the queue's "Removed in the forum" filter missed
      them. A removed comment whose post the plugin shows can only be a Spirit delete older than
      ``SpiritRemoval``: it gets that row too, so that an approval in the queue cannot show it again;
    - ``topic_deletes``: the comments of topics a Spirit moderator deleted (a removed topic the plugin does not
      hold), stored the same way;
    - ``held_topics``: new public topics whose opening comment readers cannot see, held with it
      (:class:`HeldTopic`; before it, Spirit listed such a topic's title and author to everyone)."""
    from spirit.comment.models import Comment
    from spirit.topic.models import Topic

    recorded = set(SpiritRemoval.objects.values_list("comment_id", flat=True))
    removed = submissions_for_comment_ids(Comment.objects.filter(action=Comment.COMMENT, is_removed=True)
                                          .values_list("pk", flat=True))
    deleted = {pk: post for pk, post in removed.items() if pk in recorded or post.visible}
    held = HeldTopic.objects.values("topic_id")
    in_deleted_topics = submissions_for_comment_ids(Comment.objects.filter(
        action=Comment.COMMENT, topic__is_removed=True).exclude(topic_id__in=held).values_list("pk", flat=True))
    to_store = [post for post in {**deleted, **in_deleted_topics}.values()
                if post.host_removed_at is None and post.author_erased_at is None]
    to_hold = _openings_to_hold()
    comment_deletes = {post.pk for post in deleted.values()}
    counts = {"comment_deletes": sum(1 for post in to_store if post.pk in comment_deletes),
              "topic_deletes": sum(1 for post in to_store if post.pk not in comment_deletes),
              "held_topics": len(to_hold)}
    if not dry_run:
        SpiritRemoval.objects.bulk_create([SpiritRemoval(comment_id=pk) for pk in deleted.keys() - recorded],
                                          ignore_conflicts=True)
        for start in range(0, len(to_store), 1000):
            submissions_host_removal_record(submission_ids=[post.pk for post in to_store[start:start + 1000]],
                                            actor=Actor.system(), reason=HostRemovalReason.REMOVED_BY_MODERATORS)
        for comment_id in to_hold:
            topic_sync_visibility(comment_id=comment_id, visible=False)
    return counts


def _openings_to_hold() -> list[int]:
    """The opening comments of shown public topics with no other comment yet, never announced, whose post
    readers cannot see (:func:`topic_sync_visibility` holds exactly these)."""
    from django.db.models import Count, Q
    from spirit.comment.models import Comment
    from spirit.topic.models import Topic

    lone = (Topic.objects.filter(is_removed=False, category__is_private=False, comment_count=0)
            .annotate(comments=Count("comment", filter=Q(comment__action=Comment.COMMENT)))
            .filter(comments=1).values("pk"))
    openings = submissions_for_comment_ids(Comment.objects.filter(topic_id__in=lone, action=Comment.COMMENT)
                                           .values_list("pk", flat=True))
    return sorted(pk for pk, post in openings.items() if not post.visible)
