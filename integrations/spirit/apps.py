from django.apps import AppConfig


class SpiritIntegrationConfig(AppConfig):
    name = "integrations.spirit"
    label = "ai_spirit"
    verbose_name = "AI disclosure for Spirit"

    def ready(self):
        from . import checks, receivers  # noqa: F401  (registers the checks, connects the receivers)
        from .services import install_posting_deferral

        install_posting_deferral()
