"""The queue fixtures (a post that reaches the queue through the real pipeline) are shared with
tests/moderation; the worker and private-Redis fixtures with tests/pipeline."""
from tests.api.conftest import make_forum  # noqa: F401
from tests.moderation.conftest import classifiers, evaluate, item_of, queued_post, templates  # noqa: F401
