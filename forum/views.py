"""The demo forum's pages. Thin: parse the form, call one service, answer."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from disclosure.public import DisclosureForm, ReaderPreference, ReaderPreferenceForm, draft_prefill, load_stored
from moderation.public import (
    Actor,
    Notification,
    ReportDuplicate,
    ReportInvalid,
    ReportNotAllowed,
    ReportRateLimited,
    ReviewActionInvalid,
    ReviewConflict,
    SubmissionInvalid,
    app_settings,
    notification_text,
    report_by_member,
    review_item_appeal,
    revision_outcome,
    submission_can_appeal,
    submission_label,
)

from .forms import PostForm
from .models import Category, Post
from .selectors import listing_rows, post_visible_to, posts_for_listing, reader_preference
from .services import post_create, post_update


def _category_slug(request) -> str | None:
    """``?category=``, or None when it is not a slug at all (a NUL in it answered 500 on PostgreSQL)."""
    value = request.GET.get("category") or ""
    return value if slug_re.fullmatch(value) else None


def post_list(request):
    category_slug = _category_slug(request)
    page = Paginator(posts_for_listing(request.user, category_slug=category_slug), 20).get_page(
        request.GET.get("page"))
    return render(request, "forum/post_list.html", {
        "rows": listing_rows(page.object_list, request.user), "page": page,
        "categories": Category.objects.all(), "category_slug": category_slug,
        "reader_preference": reader_preference(request.user),
    })


def post_detail(request, public_id):
    post = get_object_or_404(Post.objects.select_related("submission__current_revision", "category", "author"),
                             public_id=public_id)
    if not post_visible_to(post, request.user):
        raise Http404(gettext("No such post."))
    return _render_post(request, post)


def _render_post(request, post, *, appeal_message: str = "", appeal_error: str = "", report_note: str = "",
                 report_error: str = "", status: int = 200):
    submission, revision = post.submission, post.submission.current_revision
    preference = reader_preference(request.user)
    is_author = request.user.is_authenticated and request.user.pk == post.author_id
    outcome = revision_outcome(submission, revision)  # an earlier revision's decision no longer applies
    can_appeal = is_author and submission_can_appeal(submission)
    return render(request, "forum/post_detail.html", {
        "post": post, "submission": submission, "revision": revision, "label": submission_label(submission),
        "disclosure": load_stored(revision.disclosure), "is_author": is_author,
        "expand_ai_blocks": bool(preference and preference.expand_ai_blocks) or None,
        "last_decision": outcome.decision, "can_appeal": can_appeal,
        "appeal_message": appeal_message, "appeal_error": appeal_error,
        "report_note": report_note, "report_error": report_error,
        "is_moderator": app_settings.adapter.is_moderator(request.user),
        "can_report": request.user.is_authenticated and not is_author and submission.visible,
        "my_report": _my_report(request.user, submission) if request.user.is_authenticated else None,
        "statement": outcome.statement if is_author else None,
    }, status=status)


def _my_report(user, submission):
    return submission.reports.filter(revision=submission.current_revision_id, client__name="local",
                                     reporter_external_id=app_settings.adapter.author_external_id(user)).first()


def _apply_service_errors(exc: SubmissionInvalid, post_form, disclosure_form):
    for error in exc.errors:
        field = error["field"]
        if field.startswith("disclosure."):
            disclosure_form.add_disclosure_error(field.removeprefix("disclosure."), error["message"])
        elif field in post_form.fields:
            post_form.add_error(field, error["message"])
        else:
            post_form.add_error(None, error["message"])


def _editor(request, *, post=None):
    editing = post is not None
    revision = post.revision if editing else None
    if request.method == "POST":
        post_form = PostForm(request.POST)
        disclosure_form = DisclosureForm(request.POST, body=request.POST.get("body", ""),
                                         fmt=request.POST.get("format", "markdown"), require_confirm=editing,
                                         previous=revision.disclosure if editing else None)
        post_ok, disclosure_ok = post_form.is_valid(), disclosure_form.is_valid()  # both: every error at once
        if post_ok and disclosure_ok:
            data = post_form.cleaned_data
            try:
                if editing:
                    changed = post_update(post=post, category=data["category"], title=data["title"],
                                          body=data["body"], fmt=data["format"],
                                          disclosure_data=disclosure_form.to_data())
                    messages.success(request, gettext("Your edit was saved as a new revision.") if changed
                                     else gettext("Nothing changed, so no new revision was made."))
                else:
                    post = post_create(author=request.user, category=data["category"], title=data["title"],
                                       body=data["body"], fmt=data["format"],
                                       disclosure_data=disclosure_form.to_data(), draft=_recorded_draft(request))
                    messages.success(request, gettext("Your post was saved and is being checked."))
                return redirect("forum:post_detail", public_id=post.public_id)
            except SubmissionInvalid as exc:
                _apply_service_errors(exc, post_form, disclosure_form)
    elif editing:
        post_form = PostForm(initial={"title": revision.title, "category": post.category, "body": revision.body,
                                      "format": revision.format})
        disclosure_form = DisclosureForm(initial=DisclosureForm.initial_from(revision.disclosure),
                                         require_confirm=True)
    else:
        slug = _category_slug(request)
        post_form = PostForm(initial={"category": slug and Category.objects.filter(slug=slug).first(),
                                      "format": "html" if request.GET.get("format") == "html" else "markdown"})
        recorded = _recorded_draft(request)
        disclosure_form = DisclosureForm(initial=DisclosureForm.initial_from(draft_prefill(recorded))
                                         if recorded else None)
        if recorded and recorded.events:
            messages.info(request, gettext(
                "Your editor's AI tools recorded how they helped; the disclosure below is pre-filled from that. "
                "Check it and say in your own words how AI was used."))
    status = 400 if request.method == "POST" else 200
    # what the moderator asked for stays in view while the author fixes it
    decision = revision_outcome(post.submission).decision if editing else None
    return render(request, "forum/post_form.html", {"form": post_form, "disclosure_form": disclosure_form,
                                                    "post": post, "editing": editing,
                                                    "moderator_decision": decision if decision is not None
                                                    and decision.decision_message else None}, status=status)


def _recorded_draft(request):
    """The author's own draft named by ``?draft=<uuid>``, on which editor AI tools recorded their help."""
    from disclosure.public import Draft

    try:
        return Draft.objects.filter(public_id=request.GET.get("draft") or None,
                                    owner_key=f"user:{request.user.pk}").first()
    except ValidationError:  # not a UUID
        return None


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request):
    return _editor(request)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, public_id):
    post = get_object_or_404(Post.objects.select_related("submission__current_revision"), public_id=public_id)
    if post.author_id != request.user.pk:
        raise Http404(gettext("No such post."))
    return _editor(request, post=post)


@login_required
def notifications(request):
    author_id = app_settings.adapter.author_external_id(request.user)
    items = list(Notification.objects.filter(recipient_external_id=author_id, submission__client__name="local")
                 .select_related("submission__forum_post", "submission__current_revision")[:100])
    for n in items:  # in the reader's language, composed now
        n.text = notification_text(n)
    return render(request, "forum/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_mark_read(request):
    """Reading the list changes nothing (a GET is safe: prefetchers, link checkers); this POST marks all read."""
    author_id = app_settings.adapter.author_external_id(request.user)
    # this forum's notifications, as the list shows them: a client forum's author of the same id is someone else
    Notification.objects.filter(recipient_external_id=author_id, submission__client__name="local",
                                read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, gettext("Marked as read."))
    return redirect("forum:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference, _ = ReaderPreference.objects.get_or_create(user=request.user)
    form = ReaderPreferenceForm(request.POST if request.method == "POST" else None, initial={
        "ai_assisted_in_listings": preference.ai_assisted_in_listings,
        "expand_ai_blocks": preference.expand_ai_blocks})
    if request.method == "POST" and form.is_valid():
        preference.ai_assisted_in_listings = form.cleaned_data["ai_assisted_in_listings"]
        preference.expand_ai_blocks = form.cleaned_data["expand_ai_blocks"]
        preference.save()
        messages.success(request, gettext("Preferences saved."))
        return redirect("forum:preferences")
    return render(request, "forum/preferences.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["POST"])
def post_appeal(request, public_id):
    """The author contests a rejection, once; the appeal goes back into the moderators' queue."""
    post = get_object_or_404(Post.objects.select_related("submission"), public_id=public_id)
    if post.author_id != request.user.pk:
        raise Http404(gettext("No such post."))
    message = request.POST.get("message", "")[:5000]
    try:
        review_item_appeal(submission_id=post.submission_id, actor=Actor.for_user(request.user), message=message)
    except ReviewActionInvalid as exc:  # the author's text stays in the form, with the error beside it
        return _render_post(request, post, appeal_message=message, appeal_error=exc.message, status=400)
    except ReviewConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Your appeal was sent to the moderators."))
    return redirect("forum:post_detail", public_id=post.public_id)



@login_required
@require_http_methods(["POST"])
def post_report(request, public_id):
    """A reader reports a post as undisclosed AI; a moderator looks at it (the post stays visible meanwhile)."""
    post = get_object_or_404(Post.objects.select_related("submission"), public_id=public_id)
    if not post_visible_to(post, request.user):
        raise Http404(gettext("No such post."))
    if post.author_id == request.user.pk:
        messages.error(request, gettext("You cannot report your own post."))
        return redirect("forum:post_detail", public_id=post.public_id)
    note = request.POST.get("note", "")[:2000]
    try:
        report_by_member(submission_id=post.submission_id, user=request.user, note=note)
    except ReportInvalid as exc:  # the reader's note stays in the form, with the error beside it
        return _render_post(request, post, report_note=note, report_error=exc.message, status=400)
    except (ReportRateLimited, ReportDuplicate, ReportNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Thank you: a moderator will look at this post."))
    return redirect("forum:post_detail", public_id=post.public_id)
