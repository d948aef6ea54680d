"""Shared with tests/moderation: posts that reach the queue through the real pipeline."""
from tests.moderation.conftest import classifiers, evaluate, item_of, queued_post, templates  # noqa: F401
