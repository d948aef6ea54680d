"""The queue fixtures (a post that reaches the queue through the real pipeline) are shared with
tests/moderation; the worker and private-Redis fixtures with tests/pipeline."""
from tests.api.conftest import forum, make_forum, other_forum, queued, submit  # noqa: F401
from tests.moderation.conftest import classifiers, evaluate, item_of, queued_post, templates  # noqa: F401
from tests.pipeline.conftest import (  # noqa: F401,E402
    celery_worker_process,
    pipeline_dir,
    pipeline_settings,
    private_redis,
    started_log,
    worker,
)
