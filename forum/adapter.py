"""How the plugin sees this forum: standing, names, URLs and categories (``MODERATION["ADAPTER"]``)."""
from django.contrib.auth import get_user_model
from django.urls import reverse

from moderation.public import ModerationAdapter

from .models import Category, Post, Profile


class ForumModerationAdapter(ModerationAdapter):
    def author_standing(self, user) -> str:
        if user.is_staff:
            return Profile.Standing.TRUSTED
        profile = Profile.objects.filter(user=user).first()
        return profile.standing if profile else Profile.Standing.NEW

    def submission_url(self, submission) -> str | None:
        post = Post.objects.filter(submission=submission).only("public_id").first()
        return reverse("forum:post_detail", args=[post.public_id]) if post else None

    def user_for_author(self, author_external_id: str):
        # ASCII digits only: str.isdigit() takes "٢" too, which would name user 2
        numeric = author_external_id.isascii() and author_external_id.isdigit()
        return get_user_model().objects.filter(pk=author_external_id).first() if numeric else None

    def category_name(self, slug: str) -> str:
        category = Category.objects.filter(slug=slug).first()
        return category.name if category else slug

    def category_names(self, slugs) -> dict[str, str]:
        wanted = set(slugs)
        names = dict(Category.objects.filter(slug__in=wanted).values_list("slug", "name"))
        return {slug: names.get(slug, slug) for slug in wanted}

    def public_interest_categories(self) -> list[str]:
        return list(Category.objects.filter(public_interest=True).values_list("slug", flat=True))

    def categories_requiring_disclosure(self) -> list[str]:
        return list(Category.objects.filter(requires_disclosure=True).values_list("slug", flat=True))
