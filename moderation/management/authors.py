"""What ``erase_author`` and ``export_author_data`` share: naming one author of one forum on the command line."""
from __future__ import annotations

from django.core.management.base import CommandError

from moderation.conf import app_settings
from moderation.models import ApiClient
from moderation.services.intake import local_client


def add_author_arguments(parser) -> None:
    parser.add_argument("author_external_id", help="The author's id in their forum.")
    parser.add_argument("--client", default=ApiClient.LOCAL_NAME,
                        help="The API client (forum) the author belongs to (default: the host forum).")


def resolve_author(*, client: str, author_external_id: str) -> tuple[ApiClient, object | None]:
    """The forum, and for the host forum's own member their account (drafts and reader actions are keyed by
    it); a clear error for a blank id or an unknown forum. The host forum is always there, also before its
    first post made its client row (a member may have drafts by then)."""
    if not author_external_id.strip():
        raise CommandError("Give the author's id (whitespace alone is not an id).")
    forum = local_client() if client == ApiClient.LOCAL_NAME else ApiClient.objects.filter(name=client).first()
    if forum is None:
        names = ", ".join(ApiClient.objects.order_by("name").values_list("name", flat=True)) or "none"
        raise CommandError(f"No API client is called “{client}” (clients: {names}).")
    user = app_settings.adapter.user_for_author(author_external_id) if forum.name == ApiClient.LOCAL_NAME else None
    return forum, user
