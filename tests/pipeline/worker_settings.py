"""Settings for the Celery worker the pipeline tests start: the test settings plus the test classifiers.

``PIPELINE_TEST_SWEEP_AFTER`` sets ``SWEEP_AFTER_SECONDS`` (the sweep test wants 0);
``PIPELINE_TEST_STACK=builtin`` runs the project's built-in stack instead of the scripted test classifier.
"""
import os

from config.settings import base
from config.settings.test import *  # noqa: F401,F403
from config.settings.test import MODERATION

from tests.pipeline.classifiers import STACK

BUILTIN_STACK = base.MODERATION["CLASSIFIERS"]
MODERATION = {**MODERATION,
              "CLASSIFIERS": BUILTIN_STACK if os.environ.get("PIPELINE_TEST_STACK") == "builtin" else STACK,
              "SWEEP_AFTER_SECONDS": int(os.environ.get("PIPELINE_TEST_SWEEP_AFTER", "60"))}
