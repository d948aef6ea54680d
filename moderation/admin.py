from django import forms
from django.contrib import admin, messages
from django.db import models as django_models

from . import models


class ApiClientForm(forms.ModelForm):
    """The client's lists are JSON here: a typo in ``scopes`` locked the client out of everything, and a string
    where a list belongs was matched letter by letter ("news" required a disclosure in category "n")."""

    policy_url = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = models.ApiClient
        fields = "__all__"

    def clean_scopes(self):
        from .services.apikeys import SCOPES

        value = self.cleaned_data["scopes"]
        if not isinstance(value, list) or not value or any(scope not in SCOPES for scope in value):
            raise forms.ValidationError("A list of one or more of %(scopes)s, e.g. [\"submit\"].",
                                        params={"scopes": ", ".join(f'"{s}"' for s in SCOPES)})
        return list(dict.fromkeys(value))

    def _category_slugs(self, name):
        value = self.cleaned_data[name]
        if not isinstance(value, list) or not all(isinstance(slug, str) and slug.strip() for slug in value):
            raise forms.ValidationError('A list of category slugs, e.g. ["news", "science"], or [] for none.')
        return [slug.strip() for slug in value]

    def clean_categories_requiring_disclosure(self):
        return self._category_slugs("categories_requiring_disclosure")

    def clean_public_interest_categories(self):
        return self._category_slugs("public_interest_categories")


@admin.register(models.ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "scopes", "is_active", "created_at")
    actions = ["rotate_key"]

    # allowed_permissions: an action without it runs for anyone who may view the list, and a rotation hands
    # the rotator a working key with the client's scopes (staff who may only view clients must not get one)
    @admin.action(description="Rotate the API key (issue a new one, revoke the old ones)", permissions=["change"])
    def rotate_key(self, request, queryset):
        from .services.apikeys import ApiClientInvalid, api_key_rotate

        for client in queryset:
            try:
                issued = api_key_rotate(client=client)
            except ApiClientInvalid as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            # Shown once, like the command's output; only its SHA-256 is stored.
            self.message_user(request, f"New key for “{client.name}” (shown once, store it now): {issued.secret}",
                              messages.WARNING)


@admin.register(models.ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("client", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("client",)
    readonly_fields = ("client", "prefix", "secret_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):  # keys are issued by rotation or create_api_client, never typed in
        return False

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        from .services.apikeys import api_key_revoke

        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


class AuditAdmin(admin.ModelAdmin):
    """Read-only: submissions, revisions, results, evaluations, review items and actions are the record of what
    happened. They change only through the services (which write an Action for each change), never by hand,
    and are never deleted from the admin (the foreign keys PROTECT them too)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Submission)
class SubmissionAdmin(AuditAdmin):
    list_display = ("public_id", "client", "external_id", "status", "visible")
    list_filter = ("status", "client")


@admin.register(models.Revision)
class RevisionAdmin(AuditAdmin):
    list_display = ("submission", "number", "title", "created_at", "evaluated_at", "evaluation_attempts")


@admin.register(models.ClassifierResult)
class ClassifierResultAdmin(AuditAdmin):
    list_display = ("revision", "classifier", "version", "status", "score")


@admin.register(models.Evaluation)
class EvaluationAdmin(AuditAdmin):
    list_display = ("revision", "outcome", "priority", "created_at")


@admin.register(models.ReviewItem)
class ReviewItemAdmin(AuditAdmin):
    list_display = ("public_id", "submission", "kind", "status", "priority")
    list_filter = ("status", "kind")


@admin.register(models.Action)
class ActionAdmin(AuditAdmin):
    list_display = ("at", "actor_label", "verb", "from_status", "to_status")


admin.site.register(models.RejectionTemplate, list_display=("code", "title", "is_active"))
admin.site.register(models.PolicyRule, list_display=("name", "order", "is_active"))


@admin.register(models.WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """The signing secret is never shown: whoever reads it can forge deliveries the client forum trusts (the
    client saw it once, when it registered the endpoint)."""
    list_display = ("client", "url", "is_active")
    exclude = ("secret",)
    #: a URL typed without a scheme is https, as Django 6 reads it (5.2 read http, warning on every form)
    formfield_overrides = {django_models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        """A webhook added here gets its secret as one registered through the API does (the form has no field for
        it: saved empty, every delivery raised in signing and was retried for ever), shown this once."""
        new_secret = not change and not obj.secret
        if new_secret:
            from .services.webhooks import webhook_secret_generate

            obj.secret = webhook_secret_generate()
        super().save_model(request, obj, form, change)
        if new_secret:
            self.message_user(request, f"Signing secret of the webhook to {obj.url} (shown once, give it to the "
                                       f"client now): {obj.secret}", messages.WARNING)


@admin.register(models.SiteThreshold)
class SiteThresholdAdmin(admin.ModelAdmin):
    """Written by ``manage.py calibrate_detector``; deleting a row returns the classifier to its shipped threshold."""
    list_display = ("classifier", "version", "threshold", "shipped_threshold", "false_flag_rate", "posts_scored",
                    "posts_before", "created_at")
    readonly_fields = [f.name for f in models.SiteThreshold._meta.fields]

    def has_add_permission(self, request):
        return False
