"""The pipeline's commands: ``score_texts`` from the command line, ``reevaluate`` through the queue."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.pipeline.classifiers import AI_MARK, STACK

ROOT = Path(__file__).resolve().parents[2]
HUMAN = "A plain paragraph I wrote about my allotment, the slugs, the rain and the last courgette standing."


def test_score_texts_scores_each_line_and_reports_bad_lines_by_number(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": 1, "text": f"{HUMAN}\n\n{AI_MARK} It is important to note the many benefits."}),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "unclosed", "text": ":::ai-written\nnever closed"}),
        json.dumps({"id": "two", "text": HUMAN}),
    ]) + "\n")
    target = tmp_path / "out.jsonl"

    run = subprocess.run([sys.executable, "manage.py", "score_texts", str(source), "--output", str(target)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.pipeline.worker_settings"})

    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "line 2: not valid JSON" in run.stderr
    assert "line 3: \"text\" is missing" in run.stderr
    assert "line 4: the text does not parse" in run.stderr
    assert "5/5" in run.stderr, "a progress bar on stderr"
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, "two"]
    marked = [p for p in rows[0]["passages"] if p["classifier"] == "scripted" and p["probability"] > 0.5]
    assert [p["text"][:len(AI_MARK)] for p in marked] == [AI_MARK]
    assert rows[0]["ai_probability"] > rows[1]["ai_probability"]
    assert rows[0]["classifiers"]["scripted"]["status"] == "ok"


@pytest.mark.django_db(transaction=True)  # outside a transaction, as from the shell: the pool really forks
def test_score_texts_in_several_processes_has_stopped_its_pool_when_it_returns(settings, tmp_path):
    """A pool left stopping races Python's exit (CPython 3.11: "Bad file descriptor" in ``_python_exit``)."""
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": i, "text": HUMAN}) for i in range(6)) + "\n")

    call_command("score_texts", str(source), "--output", str(tmp_path / "out.jsonl"), "--jobs", "3",
                 "--no-progress", stderr=StringIO())

    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 6
    assert not [t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"]


def test_score_texts_refuses_to_run_without_classifiers(settings, tmp_path):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": 1, "text": HUMAN}) + "\n")

    with pytest.raises(CommandError, match="No classifier is configured"):
        call_command("score_texts", str(tmp_path / "in.jsonl"))


@pytest.fixture
def purge_queue():
    """reevaluate really enqueues: count this run's fast-queue messages, drop them afterwards."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"{os.environ['CELERY_QUEUE_PREFIX']}.fast"
    yield lambda: client.llen(key)
    client.delete(key)


@pytest.mark.django_db
def test_reevaluate_sends_revisions_missing_the_upgraded_classifier_through_the_queue(settings, make_post,
                                                                                       purge_queue):
    from moderation.services.evaluation import revision_evaluate

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    posts = [make_post(body=f"{HUMAN} {n}") for n in range(3)]
    for post in posts[:2]:
        revision = post.submission.current_revision
        revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)

    out = StringIO()
    call_command("reevaluate", "--dry-run", stdout=out)
    assert "3 current revision(s) considered; 1 would be re-scored" in out.getvalue()

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.pipeline.classifiers.ScriptedV2", STACK[1]]}
    out = StringIO()
    waiting = purge_queue()
    call_command("reevaluate", "--classifier", "scripted", "--no-progress", stdout=out)
    assert "3 to re-score; 3 enqueued" in out.getvalue()
    assert purge_queue() - waiting == 3


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [(["--classifier", "nope"], "No configured classifier is called 'nope'"),
                                           (["--since", "last tuesday"], "is not a date")])
def test_reevaluate_explains_bad_arguments(settings, args, message):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    with pytest.raises(CommandError, match=message):
        call_command("reevaluate", *args)


@pytest.mark.django_db  # it reads the site's calibrated thresholds
def test_score_texts_can_run_part_of_the_stack(settings, tmp_path):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": 1, "text": HUMAN}) + "\n")
    out = StringIO()

    call_command("score_texts", str(tmp_path / "in.jsonl"), "--classifier", "scripted", "--no-progress", stdout=out,
                 stderr=StringIO())

    assert list(json.loads(out.getvalue())["classifiers"]) == ["scripted"]
    with pytest.raises(CommandError, match="Not configured: nope"):
        call_command("score_texts", str(tmp_path / "in.jsonl"), "--classifier", "nope")


def test_score_texts_in_several_processes_gives_the_same_lines_in_the_same_order(tmp_path):
    """``--jobs`` is for the language-model stage (one core per process); it must not change the output."""
    source = tmp_path / "in.jsonl"
    texts = [HUMAN, f"{HUMAN}\n\n{AI_MARK} It is important to note the many benefits.", "{not json"] * 4
    source.write_text("\n".join(t if t.startswith("{") else json.dumps({"id": i, "text": t})
                                for i, t in enumerate(texts)) + "\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.pipeline.worker_settings"}

    def run(*extra):
        target = tmp_path / f"out{len(extra)}.jsonl"
        done = subprocess.run([sys.executable, "manage.py", "score_texts", str(source), "--output", str(target),
                               *extra], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
        return done, target.read_text()

    one, serial = run()
    three, parallel = run("--jobs", "3")

    assert one.returncode == three.returncode == 1 and "Traceback" not in three.stderr
    assert parallel == serial and len(serial.splitlines()) == 8
    assert [line for line in three.stderr.splitlines() if line.startswith("line ")] == \
        [f"line {n}: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
         for n in (3, 6, 9, 12)]


def test_score_texts_refuses_zero_jobs(settings, tmp_path):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        call_command("score_texts", str(tmp_path / "missing.jsonl"), "--jobs", "0")


@pytest.mark.django_db  # it reads the site's calibrated thresholds
def test_score_texts_reports_a_scoring_process_that_died_instead_of_hanging(settings, tmp_path):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": ["tests.pipeline.classifiers.DyingClassifier"]}
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": i, "text": "DIE now" if i == 3 else HUMAN}) for i in range(6)))

    with pytest.raises(CommandError, match="A scoring process died"):
        call_command("score_texts", str(source), "--jobs", "2", "--no-progress", stdout=StringIO())


@pytest.mark.django_db
def test_reevaluate_with_the_broker_down_changes_nothing_and_says_so_in_one_line(settings, make_post, capsys):
    """It reset every revision's attempt count first, then failed on the first send with kombu's traceback."""
    from moderation.models import Revision
    from tests.pipeline.conftest import celery_broker

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    post = make_post(body=HUMAN)
    Revision.objects.filter(pk=post.submission.current_revision_id).update(evaluation_attempts=5)
    down = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_URL = down
    with celery_broker(down), pytest.raises(CommandError, match="broker is unreachable: 0 of 1 .*nothing changed"):
        call_command("reevaluate", "--no-progress")
    assert Revision.objects.get(pk=post.submission.current_revision_id).evaluation_attempts == 5
    assert "Traceback" not in capsys.readouterr().err
