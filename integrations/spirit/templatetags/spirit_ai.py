"""Template tags for the Spirit templates we override: the disclosure fields under Spirit's editor, and per
comment the plugin's label, EU mark and body (with collapsible AI-written sections)."""
from django import template
from django.template.loader import render_to_string

from disclosure.public import DisclosureForm
from disclosure.templatetags.disclosure_tags import disclosure_form_fields, render_post_body
from moderation.public import revision_outcome, submission_can_appeal

from ..services import moderated_comment_ids, submissions_for_comments
from ..views import FORM_ATTRIBUTE

register = template.Library()


def _request(context):
    return getattr(context, "request", None) or context.get("request")


@register.simple_tag(takes_context=True)
def spirit_ai_disclosure_fields(context):
    """The disclosure form: the one the wrapped view bound (with its errors), else a fresh one (the reply box
    under a topic, which Spirit renders with its own inclusion tag)."""
    request = _request(context)
    form = getattr(request, FORM_ATTRIBUTE, None) if request is not None else None
    if form is False or (form is None and not _topic_moderated(context)):
        return ""  # a private conversation: the plugin does not see it
    return render_to_string("disclosure/form_fields.html", disclosure_form_fields(form or DisclosureForm()))


def _topic_moderated(context) -> bool:
    from spirit.topic.models import Topic

    from ..services import topic_is_moderated

    topic = context.get("topic")
    if topic is None and context.get("topic_id"):
        topic = Topic.objects.filter(pk=context["topic_id"]).select_related("category").first()
    return topic is None or topic_is_moderated(topic)


class PageSubmissions(dict):
    """``{comment pk: Submission}`` for a page of comments, and ``moderated``: the pks of those the plugin
    moderates (a comment without a submission among them is from before the plugin)."""

    moderated: frozenset = frozenset()


def _page_submissions(comments) -> PageSubmissions:
    page = PageSubmissions(submissions_for_comments(comments))
    page.moderated = frozenset(moderated_comment_ids([c for c in comments if c.pk not in page]))
    return page


@register.simple_tag
def spirit_ai_submissions(comments):
    """:class:`PageSubmissions` for the comments on this page (two or three queries, whatever their number)."""
    return _page_submissions(list(comments))


@register.simple_tag
def spirit_ai_submissions_of(comment):
    """:class:`PageSubmissions` for one comment (empty for none)."""
    return _page_submissions([comment]) if comment is not None else PageSubmissions()


@register.inclusion_tag("ai_spirit/comment_header.html")
def spirit_ai_comment_header(comment, submissions, viewer=None):
    submission = submissions.get(comment.pk)
    if submission is None or submission.current_revision is None:
        # a comment from before the plugin was installed: readers are told so, not left to guess (found by review)
        return {"submission": None, "before_plugin": comment.pk in getattr(submissions, "moderated", ())}
    is_author = viewer is not None and viewer.is_authenticated and viewer.pk == comment.user_id
    # Only a decision on the revision shown: after the author's fix, the message asking for it no longer applies.
    held = is_author and submission.status in ("rejected", "hidden")
    return {"submission": submission, "comment": comment, "show_status": is_author,
            "decision": revision_outcome(submission).decision if is_author else None,
            "can_appeal": held and submission_can_appeal(submission)}


@register.simple_tag
def spirit_ai_comment_body(comment, submissions, expand=None):
    """The comment as the plugin renders it (sanitised; AI-written sections collapsible), from the revision
    the plugin evaluated; Spirit's own rendering for a comment the plugin has not seen."""
    submission = submissions.get(comment.pk)
    revision = submission.current_revision if submission else None
    if revision is None:
        from django.utils.safestring import mark_safe

        return mark_safe(comment.comment_html)  # Spirit's own, sanitised by Spirit
    return render_post_body(revision.body, revision.format, expand)


@register.simple_tag
def spirit_ai_is_moderator(user) -> bool:
    """Whether the plugin counts this user as a moderator (the adapter decides: Spirit's moderators do)."""
    from moderation.public import app_settings

    return bool(user is not None and app_settings.adapter.is_moderator(user))
