from django.apps import AppConfig


class SpiritIntegrationConfig(AppConfig):
    name = "integrations.spirit"
    label = "ai_spirit"
    verbose_name = "AI disclosure for Spirit"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
