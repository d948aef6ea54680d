"""Readers' preferences about AI-assisted content. The disclosure app owns no row that points at moderation."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingMode(models.TextChoices):
    SHOW = "show", _("Show them like any other post")
    COLLAPSE = "collapse", _("Show them collapsed, title and label only")
    HIDE = "hide", _("Hide them from listings")


class ReaderPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="ai_reader_preference")
    ai_assisted_in_listings = models.CharField(max_length=10, choices=ListingMode.choices, default=ListingMode.SHOW)
    #: Which labels count as "AI-assisted" for the listing filter.
    filter_labels = models.JSONField(default=list, blank=True)
    expand_ai_blocks = models.BooleanField(default=False, help_text="Show AI-written sections expanded.")

    def __str__(self):
        return f"preferences of {self.user}"


class Draft(models.Model):
    """A post being written, on which AI tools built into the editor record the help they gave.

    ``owner_key`` says who may read and use it: ``user:<pk>`` for a local author, ``client:<uuid>:<author>``
    for an author of another forum (the disclosure app points at no moderation row).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_key = models.CharField(max_length=300, db_index=True)
    #: [{"kind", "extent", "tool", "details", "at"}], one entry per recorded use, in order.
    events = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    used_at = models.DateTimeField(null=True, blank=True)
    #: The key of the post this draft became (the host forum's post id, or another forum's external id).
    used_for = models.CharField(max_length=300, blank=True, default="")

    def __str__(self):
        return f"draft {self.public_id}"
