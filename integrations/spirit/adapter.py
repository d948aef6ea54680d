"""How the plugin sees Spirit (``MODERATION["ADAPTER"]``): standing, names, URLs, categories, moderators."""
from django.conf import settings

from moderation.public import ModerationAdapter


def integration_settings() -> dict:
    return {"CATEGORIES_REQUIRING_DISCLOSURE": [], "PUBLIC_INTEREST_CATEGORIES": [],
            "MODERATE_PRIVATE_TOPICS": False, **getattr(settings, "SPIRIT_AI_DISCLOSURE", {})}


class SpiritModerationAdapter(ModerationAdapter):
    """Spirit has no notion of standing, so it is derived from what Spirit does know: its moderators and
    administrators are ``trusted``, users with a verified e-mail address ``regular``, everyone else ``new``."""

    def author_standing(self, user) -> str:
        profile = getattr(user, "st", None)
        if user.is_staff or (profile and (profile.is_moderator or profile.is_administrator)):
            return "trusted"
        return "regular" if profile and profile.is_verified else "new"

    def author_display_name(self, user) -> str:
        profile = getattr(user, "st", None)
        return profile.nickname if profile and profile.nickname else user.get_username()

    def is_moderator(self, user) -> bool:
        if not user.is_authenticated:
            return False
        profile = getattr(user, "st", None)
        return bool(super().is_moderator(user) or (profile and (profile.is_moderator or profile.is_administrator)))

    def submission_url(self, submission) -> str | None:
        from .services import comment_for_submission

        comment = comment_for_submission(submission)
        return comment.get_absolute_url() if comment else None

    def user_for_author(self, author_external_id: str):
        from django.contrib.auth import get_user_model

        # ASCII digits only: str.isdigit() takes "٢" too, which would name user 2
        numeric = author_external_id.isascii() and author_external_id.isdigit()
        return get_user_model().objects.filter(pk=author_external_id).first() if numeric else None

    def category_name(self, slug: str) -> str:
        from spirit.category.models import Category

        category = Category.objects.filter(slug=slug).first()
        return category.title if category else slug

    def category_names(self, slugs) -> dict[str, str]:
        from spirit.category.models import Category

        wanted, names = set(slugs), {}
        # the first by Spirit's own order (title, pk), as category_name's .first() picks one of a shared slug
        for slug, title in Category.objects.filter(slug__in=wanted).values_list("slug", "title"):
            names.setdefault(slug, title)
        return {slug: names.get(slug, slug) for slug in wanted}

    def public_interest_categories(self) -> list[str]:
        return list(integration_settings()["PUBLIC_INTEREST_CATEGORIES"])

    def categories_requiring_disclosure(self) -> list[str]:
        return list(integration_settings()["CATEGORIES_REQUIRING_DISCLOSURE"])

    def removed_by_host(self, submission) -> str:
        return self.removed_by_host_many([submission]).get(submission.pk, "")

    def removed_by_host_many(self, submissions) -> dict[int, str]:
        """Spirit's own delete of the comment (``SpiritRemoval``) or of its topic (a topic the plugin hides while
        its opening comment is held, ``HeldTopic``, is not Spirit's delete), for a page in four queries."""
        from django.utils.translation import gettext

        from .models import HeldTopic, SpiritRemoval
        from .services import comments_for_submissions

        comments = comments_for_submissions(submissions)
        if not comments:
            return {}
        deleted = set(SpiritRemoval.objects.filter(comment_id__in=[c.pk for c in comments.values()])
                      .values_list("comment_id", flat=True))
        held = set(HeldTopic.objects.filter(topic_id__in={c.topic_id for c in comments.values()})
                   .values_list("topic_id", flat=True))
        out = {}
        for submission_pk, comment in comments.items():
            if comment.pk in deleted:
                out[submission_pk] = gettext("A Spirit moderator deleted this comment.")
            elif comment.topic.is_removed and comment.topic_id not in held:
                out[submission_pk] = gettext("A Spirit moderator deleted this comment's topic.")
        return out
