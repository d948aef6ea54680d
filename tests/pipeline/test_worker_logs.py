"""A real worker's log lines, in the production JSON format: the evaluation task's lines carry its Celery task
id together with the submission and revision they belong to."""
from __future__ import annotations

import json

import pytest

from moderation.models import Revision
from tests.pipeline.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def json_worker(celery_worker_process):
    """The folder's worker restarted with LOG_FORMAT=json at INFO; put back as it was afterwards."""
    worker = celery_worker_process
    saved = {key: worker.env.get(key) for key in ("LOG_FORMAT", "LOG_LEVEL")}
    worker.stop()
    worker.start(LOG_FORMAT="json", LOG_LEVEL="INFO")
    yield worker
    worker.stop()
    for key, value in saved.items():
        if value is None:
            worker.env.pop(key, None)
        else:
            worker.env[key] = value


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_evaluation_task_logs_its_task_id_with_the_submission_and_revision(json_worker, pipeline_settings,
                                                                               make_post):
    post = make_post(title="Logs", body="I wrote this paragraph about the allotment by hand, one evening.")
    revision = Revision.objects.get(pk=post.submission.current_revision_id)

    def evaluated_line():
        return next((line for line in json_lines(json_worker.log())
                     if line["event"].startswith("evaluated:") and line.get("revision_id") == revision.pk), None)

    line = wait_for(evaluated_line, timeout=30, message="the worker's 'evaluated' line")
    assert line["submission_id"] == str(post.submission.public_id)
    assert line["task"] == "moderation.evaluate_revision" and len(line["task_id"]) == 36
    # Celery's own line for the same task names the same id: the two can be joined in a log store.
    assert any(line["task_id"] in other["event"] for other in json_lines(json_worker.log())
               if other.get("logger", "").startswith("celery"))
