"""Settings for the Celery worker the pipeline tests start: the test settings plus the test classifiers.

``PIPELINE_TEST_SWEEP_AFTER`` sets ``SWEEP_AFTER_SECONDS`` (the sweep test wants 0).
"""
import os

from config.settings.test import *  # noqa: F401,F403
from config.settings.test import MODERATION

from tests.pipeline.classifiers import STACK

MODERATION = {**MODERATION, "CLASSIFIERS": STACK,
              "SWEEP_AFTER_SECONDS": int(os.environ.get("PIPELINE_TEST_SWEEP_AFTER", "60"))}
