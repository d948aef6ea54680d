"""`make run`'s architecture on one laptop: SQLite (WAL) + kombu's filesystem broker + a real worker.

A post written in the web process is queued on the filesystem broker, a ``celery worker`` subprocess with
the shipped classifier stack scores it, and the policy's decision lands in the same SQLite file.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moderation.models import ClassifierResult, Revision

ROOT = Path(__file__).resolve().parents[2]
AI_LIKE = ("When it comes to improving your productivity, it's important to understand that there is no "
           "one-size-fits-all solution. Instead, it's crucial to explore a variety of strategies and find what "
           "works best for you. First and foremost, establishing a consistent routine can significantly enhance "
           "your ability to focus. By setting clear boundaries between work and rest, you create an environment "
           "that fosters deep concentration and sustained motivation. Ultimately, productivity is a journey "
           "rather than a destination.")


@pytest.fixture
def worker(tmp_path):
    log = open(tmp_path / "worker.log", "w")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.embedded_test", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
         "-Q", "aidisclosure.fast,aidisclosure.slow,aidisclosure.webhooks", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield process, tmp_path / "worker.log"
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_post_is_scored_by_a_worker_over_the_filesystem_broker(make_post, worker):
    process, log = worker
    post = make_post(title="Undisclosed?", body=AI_LIKE, disclosure={"human_only": True})
    revision_id = post.submission.current_revision_id
    deadline = time.monotonic() + 120
    while Revision.objects.get(pk=revision_id).evaluated_at is None:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "not evaluated within 120 s:\n" + log.read_text()[-3000:]
        time.sleep(0.5)
    results = dict(ClassifierResult.objects.filter(revision_id=revision_id).values_list("classifier", "status"))
    assert set(results) == {"stylometric", "statistical", "disclosure_consistency"}, results
    assert "error" not in results.values(), results
    post.submission.refresh_from_db()
    assert post.submission.status != "pending"
