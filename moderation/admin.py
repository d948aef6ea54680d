from django.contrib import admin

from . import models

admin.site.register(models.ApiClient, list_display=("name", "scopes", "is_active", "created_at"))
admin.site.register(models.ApiKey, list_display=("client", "prefix", "created_at", "revoked_at"))
admin.site.register(models.Submission, list_display=("public_id", "client", "external_id", "status", "visible"),
                    list_filter=("status", "client"))
admin.site.register(models.Revision, list_display=("submission", "number", "title", "created_at", "evaluated_at"))
admin.site.register(models.ClassifierResult, list_display=("revision", "classifier", "version", "status", "score"))
admin.site.register(models.Evaluation, list_display=("revision", "outcome", "priority", "created_at"))
admin.site.register(models.ReviewItem, list_display=("public_id", "submission", "kind", "status", "priority"),
                    list_filter=("status", "kind"))
admin.site.register(models.Action, list_display=("at", "actor_label", "verb", "from_status", "to_status"))
admin.site.register(models.RejectionTemplate, list_display=("code", "title", "is_active"))
admin.site.register(models.PolicyRule, list_display=("name", "order", "is_active"))
admin.site.register(models.WebhookEndpoint, list_display=("client", "url", "is_active"))
