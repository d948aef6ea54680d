"""The small host forum. It keeps no revisions of its own: a Post points at the plugin's Submission,
whose current Revision holds the title, body and disclosure."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    requires_disclosure = models.BooleanField(default=True)
    #: Posts here inform the public on matters of public interest (EU AI Act Art. 50).
    public_interest = models.BooleanField(default=False)
    position = models.IntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Profile(models.Model):
    class Standing(models.TextChoices):
        NEW = "new", _("New")
        REGULAR = "regular", _("Regular")
        TRUSTED = "trusted", _("Trusted")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_profile")
    standing = models.CharField(max_length=10, choices=Standing.choices, default=Standing.NEW)

    def __str__(self):
        return f"{self.user} ({self.standing})"


class Post(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="posts")
    submission = models.OneToOneField("moderation.Submission", on_delete=models.PROTECT, related_name="forum_post")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        revision = self.submission.current_revision
        return revision.title if revision else str(self.public_id)

    @property
    def revision(self):
        return self.submission.current_revision
