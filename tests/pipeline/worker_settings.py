"""Settings for the Celery worker the pipeline tests start: the test settings plus the test classifiers.

``PIPELINE_TEST_SWEEP_AFTER`` sets ``SWEEP_AFTER_SECONDS`` (the sweep test wants 0);
``PIPELINE_TEST_TIME_LIMIT`` sets the task time limits (hard; the soft one a second earlier);
``PIPELINE_TEST_MAX_ATTEMPTS`` sets ``MAX_EVALUATION_ATTEMPTS``;
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
              "SWEEP_AFTER_SECONDS": int(os.environ.get("PIPELINE_TEST_SWEEP_AFTER", "60")),
              "MAX_EVALUATION_ATTEMPTS": int(os.environ.get("PIPELINE_TEST_MAX_ATTEMPTS", "5"))}
if os.environ.get("PIPELINE_TEST_TIME_LIMIT"):
    CELERY_TASK_TIME_LIMIT = int(os.environ["PIPELINE_TEST_TIME_LIMIT"])
    CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 1
