from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "AI moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from . import checks  # noqa: F401  (registers system checks)
        from .services.erasure import local_user_deleted

        pre_delete.connect(local_user_deleted, sender=settings.AUTH_USER_MODEL,
                           dispatch_uid="moderation.erase_deleted_user")
