"""How the plugin talks to the host forum without importing it.

A host forum subclasses :class:`ModerationAdapter` and names it in ``MODERATION["ADAPTER"]``. The default
works for a site that only uses the API.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Submission


class ModerationAdapter:
    def author_standing(self, user) -> str:
        """``new``, ``regular`` or ``trusted`` for a local user."""
        return "new"

    def author_external_id(self, user) -> str:
        return str(user.pk)

    def author_display_name(self, user) -> str:
        return user.get_username()

    def submission_url(self, submission: Submission) -> str | None:
        """Where a moderator can read the post in the host forum, if it is a local post."""
        return None

    def is_moderator(self, user) -> bool:
        return bool(user.is_authenticated and (user.is_staff or user.has_perm("moderation.change_reviewitem")))

    def user_for_author(self, author_external_id: str):
        """The local user behind an author id, or None (used to notify local authors)."""
        return None

    def category_name(self, slug: str) -> str:
        return slug

    def category_names(self, slugs) -> dict[str, str]:
        """:meth:`category_name` for a page of the queue: ``{slug: name}``. Override it to answer a page in one
        query; this default asks once per slug."""
        return {slug: self.category_name(slug) for slug in set(slugs)}

    def public_interest_categories(self) -> list[str]:
        """Category slugs of the host forum that inform the public on matters of public interest."""
        return []

    def categories_requiring_disclosure(self) -> list[str]:
        return []

    def removed_by_host(self, submission: Submission) -> str:
        """Why the host forum's own moderation took the post away from its readers (its own "delete", of the
        post or of its topic), for the item page to say, so that a moderator does not judge a post already gone;
        "" when it did not. The plugin's decisions do not change it."""
        return ""

    def removed_by_host_many(self, submissions: list[Submission]) -> dict[int, str]:
        """:meth:`removed_by_host` for a page of the queue: ``{submission pk: why}`` for those the host removed.
        Override it to answer a page in a few queries; this default asks once per submission."""
        return {s.pk: why for s in submissions if (why := self.removed_by_host(s))}
