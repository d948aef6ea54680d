"""Spirit with the plugin, as ``make run-spirit`` serves it, with the pipeline tests' classifier stack: a
paragraph containing ``AIPROSE`` reads as AI-written (tests/pipeline/classifiers.py), so the test decides
which paragraph the detector flags. Spirit's one-post-per-10-seconds limit is off: the test posts twice."""
from integrations.spirit.settings import *  # noqa: F401,F403
from integrations.spirit.settings import MODERATION

from tests.pipeline.classifiers import STACK

MODERATION = {**MODERATION, "CLASSIFIERS": STACK}
ST_RATELIMIT_ENABLE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
