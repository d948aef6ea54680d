"""Spirit's three editor views, wrapped so that the disclosure form travels with the comment.

Each wrapper validates the disclosure, then runs Spirit's own view inside one transaction and the plugin's
``disclosure_pending`` block; the receiver ``submit_on_save`` connected (receivers.py) submits the comment to
the plugin. When the plugin refuses it (``SubmissionInvalid``) the transaction is rolled back, so neither
Spirit's comment nor the plugin's revision is kept, and the form comes back with the messages next to the
fields (HTTP 400). Spirit's views, forms and templates are otherwise untouched (urls.py mounts these at Spirit's
own paths). One exception: Spirit will not open a removed comment for its author, so a comment the plugin holds
for the author's disclosure fix is edited through a copy of Spirit's update steps (:func:`_update_held_comment`).
"""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.urls import reverse
from spirit.comment import views as spirit_comment_views
from spirit.comment.forms import CommentForm
from spirit.comment.models import Comment
from spirit.comment.utils import post_comment_update, pre_comment_update
from spirit.core.utils.decorators import moderator_required
from spirit.core.utils.views import is_post, post_data
from djconfig import config
from spirit.core.utils.paginator import paginate
from spirit.topic import views as spirit_topic_views
from spirit.topic.moderate import views as spirit_topic_moderate_views
from spirit.topic.forms import TopicForm
from spirit.topic.models import Topic

from disclosure.public import BlockSyntaxError, DisclosureForm, check_body
from moderation.public import (
    Actor, ReportDuplicate, ReportInvalid, ReportNotAllowed, ReportRateLimited, ReviewActionInvalid, ReviewConflict,
    SubmissionInvalid, SubmissionStatus, app_settings, disclosure_pending, report_by_member, review_item_appeal,
    submission_can_appeal,
)

from .services import (
    comment_current_disclosure, comment_sync_visibility, deferred_posting_pending, is_comment_pk, opening_comment_id,
    spirit_removal_forget, spirit_removal_record, spirit_topic_removal_store, spirit_topic_removal_take_over, submission_for_comment,
    topic_held_for, topic_is_moderated,
)

#: Where the editor templates find the disclosure form (``{% spirit_ai_disclosure_fields %}``); False: none.
FORM_ATTRIBUTE = "ai_disclosure_form"


def _body(request) -> str:
    # Browsers send textarea lines ending in CRLF; the plugin stores what the author sees, with LF.
    return request.POST.get("comment", "").replace("\r\n", "\n")


def _apply_errors(exc: SubmissionInvalid, *, disclosure_form: DisclosureForm | None, comment_form, title_form=None):
    for error in exc.errors:
        field, message = error["field"], error["message"]
        if not disclosure_form and field.startswith("disclosure"):  # no form on the page: said under the text
            comment_form.add_error(None, message)
        elif field.startswith("disclosure."):
            disclosure_form.add_disclosure_error(field.removeprefix("disclosure."), message)
        elif field == "disclosure":
            disclosure_form.add_error(None, message)
        elif field == "body":
            comment_form.add_error("comment", message)
        elif field == "title" and title_form is not None:
            title_form.add_error("title", message)
        else:
            comment_form.add_error(None, message)


def _with_disclosure(request, *, spirit_view: Callable, view_kwargs: dict, editing: bool, initial: dict | None,
                     previous: dict | None = None, render_refused: Callable[[SubmissionInvalid | None], object]):
    if request.method != "POST":
        setattr(request, FORM_ATTRIBUTE, DisclosureForm(initial=initial, require_confirm=editing))
        return spirit_view(request, **view_kwargs)
    disclosure_form = DisclosureForm(request.POST, body=_body(request), fmt="markdown", require_confirm=editing,
                                     previous=previous)
    setattr(request, FORM_ATTRIBUTE, disclosure_form)
    if not disclosure_form.is_valid():  # the body's own mistakes too, so that one answer lists every error
        try:
            check_body(_body(request), "markdown")
        except BlockSyntaxError as exc:
            return render_refused(SubmissionInvalid([{"field": "body", "message": exc.message}]))
        return render_refused(None)
    try:
        with transaction.atomic(), disclosure_pending(disclosure_form.to_data()) as pending:
            response = spirit_view(request, **view_kwargs)
    except SubmissionInvalid as exc:
        return render_refused(exc)
    if response.status_code == 200:  # Spirit answered its own form's errors (or its rate limit) with the form
        response.status_code = 400
    elif editing and pending.results and not any(result.new_revision for result in pending.results):
        # the same text and disclosure again: say so (a "fix" that changed nothing went by silently, and its
        # author believed the comment was back with the moderators)
        messages.info(request, gettext("Nothing changed, so no new revision was made."))
    return response


@login_required
def comment_publish(request, topic_id, pk=None):
    topic = Topic.objects.filter(pk=topic_id).select_related("category").first()
    if topic is not None and not topic_is_moderated(topic):
        setattr(request, FORM_ATTRIBUTE, False)  # a private conversation: no disclosure form, no plugin
        return spirit_comment_views.publish(request, topic_id=topic_id, pk=pk)

    if pk is not None and request.method == "POST" and not Comment.objects.for_access(request.user).filter(
            pk=pk).exists():
        # The quoted comment was hidden since the form opened: Spirit answered a bare 404 and the reply was lost.
        # The quote is only the form's starting text, so the reply posts as typed (and is checked as any other).
        pk = None

    def refused(exc):
        topic = get_object_or_404(Topic.objects.opened().for_access(request.user), pk=topic_id)
        form = CommentForm(user=request.user, topic=topic, data=request.POST)
        form.is_valid()
        if exc is not None:
            _apply_errors(exc, disclosure_form=getattr(request, FORM_ATTRIBUTE), comment_form=form)
        return render(request, "spirit/comment/publish.html", {"form": form, "topic": topic}, status=400)

    return _with_disclosure(request, spirit_view=spirit_comment_views.publish,
                            view_kwargs={"topic_id": topic_id, "pk": pk}, editing=False, initial=None,
                            render_refused=refused)


#: the plugin's decisions that hide a comment and leave its author a way back by editing it
HELD_FOR_THE_AUTHOR = (SubmissionStatus.NEEDS_CHANGES, SubmissionStatus.REJECTED, SubmissionStatus.HIDDEN)


def _held_for_fix(request, pk) -> Comment | None:
    """The author's own comment that a moderator hid (asked for a disclosure fix, rejected or hid), or None.

    Spirit lets nobody but its moderators edit a removed comment, and the plugin hides a post while it waits for
    the author's fix: without this, the author could never make it, nor rewrite a rejected comment (the rewrite
    is a new revision, which the policy sends to a moderator as "edited after rejection")."""
    comment = Comment.objects.filter(pk=pk, user=request.user, is_removed=True, action=Comment.COMMENT).first()
    submission = submission_for_comment(comment) if comment is not None else None
    return comment if submission is not None and submission.status in HELD_FOR_THE_AUTHOR else None


def _update_held_comment(request, pk):
    """Spirit's ``comment.views.update`` (0.14) for a comment it would not let its author open: same form,
    same history and counters, same template."""
    comment = Comment.objects.get(pk=pk)
    form = CommentForm(data=post_data(request), instance=comment)
    if is_post(request) and form.is_valid():
        pre_comment_update(comment=Comment.objects.get(pk=comment.pk))
        comment = form.save()
        post_comment_update(comment=comment)
        return redirect(comment.get_absolute_url())
    return render(request, "spirit/comment/update.html", {"form": form})


@login_required
def comment_update(request, pk):
    held = _held_for_fix(request, pk)
    comment = held or Comment.objects.for_update_or_404(pk, request.user)
    if not topic_is_moderated(comment.topic):
        setattr(request, FORM_ATTRIBUTE, False)
        return spirit_comment_views.update(request, pk=pk)

    def refused(exc):
        form = CommentForm(data=request.POST, instance=Comment.objects.get(pk=comment.pk))
        form.is_valid()
        if exc is not None:
            _apply_errors(exc, disclosure_form=getattr(request, FORM_ATTRIBUTE), comment_form=form)
        return render(request, "spirit/comment/update.html", {"form": form}, status=400)

    current = comment_current_disclosure(comment)
    if comment.user_id != request.user.pk:
        # A Spirit moderator's edit of someone else's comment: the disclosure is the author's word about their
        # text, so the moderator is not asked to confirm it on the author's behalf (they were), and the new
        # revision keeps it. The body is still checked (a broken AI-written section is refused, nothing kept).
        setattr(request, FORM_ATTRIBUTE, False)
        if request.method != "POST":
            return spirit_comment_views.update(request, pk=pk)
        adapter = app_settings.adapter
        editor = (adapter.author_external_id(request.user), adapter.author_display_name(request.user))
        try:  # the revision names the moderator as its editor: a flag on it is not the author's doing alone
            with transaction.atomic(), disclosure_pending(current, editor=editor):
                return spirit_comment_views.update(request, pk=pk)
        except SubmissionInvalid as exc:
            return refused(exc)
    # a comment from before the plugin has no disclosure to confirm: its first one is written as for a new comment
    return _with_disclosure(request, spirit_view=_update_held_comment if held else spirit_comment_views.update,
                            view_kwargs={"pk": pk},
                            editing=current is not None, initial=DisclosureForm.initial_from(current),
                            previous=current, render_refused=refused)


@login_required
def comment_appeal(request, pk):
    """The author contests a rejection or a hide of their comment, once, as the plugin promises every author;
    Spirit has no such page. A refused appeal comes back with the author's text and the error beside it."""
    comment = get_object_or_404(Comment, pk=pk, user=request.user)
    submission = submission_for_comment(comment)
    if submission is None:
        raise Http404(gettext("No such comment."))
    message, error, status = "", None, 200
    if request.method == "POST":
        message = request.POST.get("message", "")[:5000]
        try:
            review_item_appeal(submission_id=submission.pk, actor=Actor.for_user(request.user), message=message)
        except ReviewActionInvalid as exc:
            error, status = exc.message, 400
        except ReviewConflict as exc:
            messages.error(request, exc.message)
            return redirect(comment.get_absolute_url())
        else:
            messages.success(request, gettext("Your appeal was sent to the moderators."))
            return redirect(comment.get_absolute_url())
    elif not submission_can_appeal(submission):
        messages.error(request, gettext("This decision cannot be appealed (again)."))
        return redirect(comment.get_absolute_url())
    return render(request, "ai_spirit/appeal.html", {"comment": comment, "submission": submission,
                                                     "message": message, "error": error}, status=status)


@login_required
@require_POST
def comment_report(request, pk):
    """A reader reports a comment as undisclosed AI: the plugin's reader report, which a moderator sees in the
    review queue (Spirit's own "report" goes to Spirit's flag list, which the plugin never sees)."""
    comment = get_object_or_404(Comment.objects.for_access(request.user), pk=pk)
    submission = submission_for_comment(comment)
    if submission is None:
        raise Http404(gettext("No such comment."))
    if comment.user_id == request.user.pk:
        messages.error(request, gettext("You cannot report your own post."))
        return redirect(comment.get_absolute_url())
    try:
        report_by_member(submission_id=submission.pk, user=request.user, note=request.POST.get("note", ""))
    except (ReportInvalid, ReportRateLimited, ReportDuplicate, ReportNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Thank you: a moderator will look at this post."))
    return redirect(comment.get_absolute_url())


def _to_the_queue(request, submission, fallback: str, message: str):
    """Spirit's "undelete" refused for a post the plugin keeps from readers: say so, and open its review item
    (a decision there shows it), or ``fallback`` when it has none yet."""
    messages.error(request, message)
    item = submission.review_items.order_by("-id").first()
    return redirect(reverse("moderation:item_detail", args=[item.public_id]) if item is not None else fallback)


def topic_detail(request, pk, slug=""):
    """Spirit's topic page; for the author of a topic the plugin holds with its opening comment (see
    ``HeldTopic``), the same page, so that they read the comment's status (Spirit shows a removed topic to its
    moderators only)."""
    if not topic_held_for(topic_id=pk, user=request.user):
        return spirit_topic_views.detail(request, pk=pk, slug=slug)
    topic = get_object_or_404(Topic.objects.public().select_related("category__parent"), pk=pk)
    if topic.slug != slug:
        return HttpResponsePermanentRedirect(topic.get_absolute_url())
    # Spirit's topic.views.detail (0.14) from here, the topic looked up as for a moderator
    comments = (Comment.objects.for_topic(topic=topic).with_likes(user=request.user)
                .with_polls(user=request.user).order_by("date"))
    comments = paginate(comments, per_page=config.comments_per_page, page_number=request.GET.get("page", 1))
    return render(request, "spirit/topic/detail.html", {"topic": topic, "comments": comments})


@moderator_required
def topic_delete(request, pk):
    """Spirit's topic "delete": Spirit's removal from now on, not the plugin's hold (an approval of the opening
    comment would otherwise show again a topic Spirit's moderator deleted)."""
    if request.method == "POST":
        spirit_topic_removal_take_over(topic_id=pk)
    response = spirit_topic_moderate_views.delete(request, pk=pk)
    if request.method == "POST" and Topic.objects.filter(pk=pk, is_removed=True).exists():
        spirit_topic_removal_store(topic_id=pk, removed=True, actor=Actor.for_user(request.user))
    return response


@moderator_required
def topic_undelete(request, pk):
    """Spirit's topic "undelete", except for a topic the plugin holds with its opening comment: the review queue
    shows it again, as for a comment (``comment_undelete``)."""
    opening = opening_comment_id(pk)
    comment = Comment.objects.filter(pk=opening).first() if opening is not None else None
    submission = submission_for_comment(comment) if comment is not None else None
    if request.method == "POST" and submission is not None and not submission.visible:
        return _to_the_queue(request, submission, reverse("spirit:index"), gettext(
            "The AI-disclosure review queue keeps this topic's opening comment from readers: decide it there to "
            "show the topic."))
    if request.method == "POST":
        spirit_topic_removal_take_over(topic_id=pk)
    response = spirit_topic_moderate_views.undelete(request, pk=pk)
    if request.method == "POST" and Topic.objects.filter(pk=pk, is_removed=False).exists():
        spirit_topic_removal_store(topic_id=pk, removed=False, actor=Actor.for_user(request.user))
    return response


@moderator_required
def comment_delete(request, pk):
    """Spirit's "delete", remembered (``SpiritRemoval``): Spirit and the plugin hide a comment with the same
    flag, and a later approval in the review queue showed again a comment Spirit's moderator had deleted."""
    response = spirit_comment_views.delete(request, pk=pk, remove=True)
    if request.method == "POST" and Comment.objects.filter(pk=pk, is_removed=True).exists():
        spirit_removal_record(comment_id=pk, actor=Actor.for_user(request.user))
    return response


@moderator_required
def comment_undelete(request, pk):
    """Spirit's "undelete", except for a comment the plugin keeps from readers (held, rejected, hidden, waiting
    for a fix): that one is shown again by a decision in the review queue, not past it, so the two never
    disagree about what readers see. Either way Spirit's own deletion is withdrawn."""
    comment = Comment.objects.filter(pk=pk).first()
    submission = submission_for_comment(comment) if comment is not None else None
    if request.method == "POST" and comment is not None:
        spirit_removal_forget(comment_id=pk, actor=Actor.for_user(request.user))
    if request.method == "POST" and submission is not None and not submission.visible:
        return _to_the_queue(request, submission, comment.get_absolute_url(), gettext(
            "The AI-disclosure review queue keeps this comment from readers: decide it there to show it."))
    response = spirit_comment_views.delete(request, pk=pk, remove=False)
    if request.method == "POST" and submission is not None:
        # shown again: what the plugin's approval could not do while Spirit's deletion stood (the topic held
        # with its opening comment, Spirit's announcement of the comment)
        comment_sync_visibility(submission=submission, visible=True)
    return response


@require_POST
@moderator_required
def comment_move(request, topic_id):
    """Spirit's "move comments", except for a comment Spirit never announced (the plugin kept it from readers
    since it was posted): Spirit's move takes one from the old topic's count, which never counted it (a 500
    on a new topic's count of 0), and would announce it in the new topic before the review queue decides."""
    chosen = request.POST.getlist("comments")
    refusal = None
    if not all(is_comment_pk(pk) for pk in chosen):  # Spirit's form looked up any number (a 500 on SQLite)
        refusal = gettext("Those are not comments of this forum: choose the comments to move again.")
    elif deferred_posting_pending(chosen):
        refusal = gettext("A comment the review queue has not shown yet cannot be moved: decide it there first.")
    if refusal:
        messages.error(request, refusal)
        topic = Topic.objects.filter(pk=topic_id).first()
        return redirect(topic.get_absolute_url() if topic is not None else reverse("spirit:index"))
    return spirit_comment_views.move(request, topic_id=topic_id)


@login_required
def private_topic_publish(request, user_id=None):
    """Spirit's new private conversation. Private topics are not moderated by default, so there is no disclosure
    form: it would be thrown away unseen. With ``MODERATE_PRIVATE_TOPICS`` its first comment goes to the plugin
    with the author's disclosure, as a public topic's first comment does."""
    from spirit.topic.private import views as spirit_private_views
    from spirit.topic.private.forms import TopicForPrivateForm, TopicPrivateManyForm

    from .adapter import integration_settings

    if not integration_settings()["MODERATE_PRIVATE_TOPICS"]:
        setattr(request, FORM_ATTRIBUTE, False)
        return spirit_private_views.publish(request, user_id=user_id)

    def refused(exc):
        tform = TopicForPrivateForm(user=request.user, data=request.POST)
        cform = CommentForm(user=request.user, data=request.POST)
        tpform = TopicPrivateManyForm(user=request.user, data=request.POST)
        for form in (tform, cform, tpform):
            form.is_valid()
        if exc is not None:
            _apply_errors(exc, disclosure_form=getattr(request, FORM_ATTRIBUTE), comment_form=cform,
                          title_form=tform)
        return render(request, "spirit/topic/private/publish.html",
                      {"tform": tform, "cform": cform, "tpform": tpform}, status=400)

    return _with_disclosure(request, spirit_view=spirit_private_views.publish, view_kwargs={"user_id": user_id},
                            editing=False, initial=None, render_refused=refused)


@login_required
def topic_publish(request, category_id=None):
    def refused(exc):
        form = TopicForm(user=request.user, data=request.POST, initial={"category": category_id})
        cform = CommentForm(user=request.user, data=request.POST)
        form.is_valid()
        cform.is_valid()
        if exc is not None:
            _apply_errors(exc, disclosure_form=getattr(request, FORM_ATTRIBUTE), comment_form=cform,
                          title_form=form)
        return render(request, "spirit/topic/publish.html", {"form": form, "cform": cform}, status=400)

    return _with_disclosure(request, spirit_view=spirit_topic_views.publish,
                            view_kwargs={"category_id": category_id}, editing=False, initial=None,
                            render_refused=refused)
