"""System checks for the disclosure app's settings."""
from django.core.checks import Error, Tags, register

from .conf import app_settings
from .grades import grade_table_errors


@register(Tags.compatibility)
def check_grade_overrides(app_configs, **kwargs):
    return [Error(message, id="disclosure.E001")
            for message in grade_table_errors(app_settings.GRADE_TABLE, app_settings.GRADES)]
