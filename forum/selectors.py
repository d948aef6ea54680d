"""What the forum lists and shows, and to whom."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from disclosure.public import AI_LABELS, LABELS, ListingMode, ReaderPreference
from moderation.public import app_settings, submission_label

from .models import Post


def post_visible_to(post: Post, user) -> bool:
    if post.submission.visible:
        return True
    return user.is_authenticated and (post.author_id == user.pk or app_settings.adapter.is_moderator(user))


def ai_labelled() -> Q:
    """Posts whose reader-facing label is AI (see ``disclosure.labels.derive_label``), as a query, so a
    reader's "hide" filter applies before pagination. A moderator's or the policy's label wins; otherwise the
    author's disclosure decides (AI-written sections force a non-human-only disclosure at intake)."""
    override = Q(submission__label_value__in=list(LABELS))
    return Q(submission__label_value__in=list(AI_LABELS)) | (
        ~override & Q(submission__current_revision__disclosure__human_only=False))


def posts_for_listing(user, *, category_slug: str | None = None) -> QuerySet[Post]:
    # The listing shows titles and labels; a label reads the revision's stored has_ai_blocks, not its body.
    posts = Post.objects.select_related("submission__current_revision", "category", "author").defer(
        "submission__current_revision__body")
    if category_slug:
        posts = posts.filter(category__slug=category_slug)
    visible = Q(submission__visible=True)
    if user.is_authenticated:
        visible |= Q(author=user)
    posts = posts.filter(visible)
    preference = reader_preference(user)
    if preference and preference.ai_assisted_in_listings == ListingMode.HIDE:
        posts = posts.exclude(ai_labelled() & ~Q(author=user))
    return posts


def reader_preference(user) -> ReaderPreference | None:
    if not user.is_authenticated:
        return None
    return ReaderPreference.objects.filter(user=user).first()


def listing_rows(posts, user) -> list[dict]:
    """Each post with its label and how the reader wants AI-assisted posts shown (show/collapse/hide)."""
    preference = reader_preference(user)
    mode = preference.ai_assisted_in_listings if preference else ListingMode.SHOW
    rows = []
    for post in posts:
        label = submission_label(post.submission)
        display = mode if label.is_ai and post.author_id != getattr(user, "pk", None) else ListingMode.SHOW
        if display == ListingMode.HIDE:
            continue
        rows.append({"post": post, "label": label, "collapsed": display == ListingMode.COLLAPSE})
    return rows
