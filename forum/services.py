"""Writing posts: the forum's Post row and the plugin's Submission/Revision commit together or not at all."""
from django.db import transaction

from moderation.public import app_settings, local_client, submission_submit

from .models import Category, Post


def _submit(*, post_key: str, author, category: Category, title: str, body: str, fmt: str, disclosure_data,
            recorded_assistance=None):
    adapter = app_settings.adapter
    return submission_submit(
        client=local_client(), external_id=post_key, author_external_id=adapter.author_external_id(author),
        author_display_name=adapter.author_display_name(author), author_standing=adapter.author_standing(author),
        category=category.slug, title=title, body=body, fmt=fmt, disclosure_data=disclosure_data,
        recorded_assistance=recorded_assistance,
    )


def post_create(*, author, category: Category, title: str, body: str, fmt: str = "markdown",
                disclosure_data: dict, draft=None) -> Post:
    """Create a post and its first revision. Raises SubmissionInvalid (nothing written) on bad input.

    ``draft``: the author's draft on which the editor's AI tools recorded their help; it is linked to the
    post, and what it recorded is kept on the revision (compared with the disclosure by the pipeline)."""
    import uuid

    from disclosure.public import draft_mark_used

    public_id = uuid.uuid4()
    with transaction.atomic():
        recorded = draft_mark_used(draft=draft, used_for=str(public_id)) \
            if draft is not None and draft.used_at is None else None
        result = _submit(post_key=str(public_id), author=author, category=category, title=title, body=body,
                         fmt=fmt, disclosure_data=disclosure_data, recorded_assistance=recorded)
        return Post.objects.create(public_id=public_id, author=author, category=category,
                                   submission=result.submission)


def post_update(*, post: Post, category: Category, title: str, body: str, fmt: str = "markdown",
                disclosure_data: dict) -> bool:
    """Store an edit as a new revision. Returns False when nothing changed (no revision made)."""
    with transaction.atomic():
        result = _submit(post_key=str(post.public_id), author=post.author, category=category, title=title,
                         body=body, fmt=fmt, disclosure_data=disclosure_data)
        if post.category_id != category.pk:
            post.category = category
            post.save(update_fields=["category"])
    return result.new_revision
