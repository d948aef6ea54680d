"""Readers' preferences about AI-assisted content. The disclosure app owns no row that points at moderation."""
from django.conf import settings
from django.db import models


class ListingMode(models.TextChoices):
    SHOW = "show", "Show them like any other post"
    COLLAPSE = "collapse", "Show them collapsed, title and label only"
    HIDE = "hide", "Hide them from listings"


class ReaderPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="ai_reader_preference")
    ai_assisted_in_listings = models.CharField(max_length=10, choices=ListingMode.choices, default=ListingMode.SHOW)
    #: Which labels count as "AI-assisted" for the listing filter.
    filter_labels = models.JSONField(default=list, blank=True)
    expand_ai_blocks = models.BooleanField(default=False, help_text="Show AI-written sections expanded.")

    def __str__(self):
        return f"preferences of {self.user}"
