"""The classifier log is append-only: every attempt is a row (errors kept beside their retries), moderators'
marks are rows of their own, and each attempt records what was sent: the passages for a local classifier,
the SHA-256 and size of the request body for a remote one."""
from __future__ import annotations

import hashlib

import pytest

from disclosure.blocks import parse_body
from moderation.classifiers.remote import GenericRemoteClassifier
from moderation.models import ClassifierResult, ResultMark
from moderation.services.review import Actor, classifier_result_mark
from tests.pipeline.classifiers import FlakyClassifier

from .test_evaluation import BODY, evaluate, use

pytestmark = pytest.mark.django_db


def test_a_retry_is_a_new_row_and_the_error_stays(settings, make_post):
    use(settings, "tests.pipeline.classifiers.FlakyClassifier")
    post = make_post(body=BODY)
    FlakyClassifier.failing = True
    try:
        evaluate(post)
        evaluate(post)  # still failing: a second error row
        FlakyClassifier.failing = False
        evaluate(post)
        evaluate(post)  # ok now: nothing more is run or stored
    finally:
        FlakyClassifier.failing = True

    rows = list(ClassifierResult.objects.order_by("id").values_list("attempt", "status", "error"))
    assert [(a, s) for a, s, _ in rows] == [(1, "error"), (2, "error"), (3, "ok")]
    assert rows[0][2] == "ConnectionError: service unavailable"


def test_a_local_classifier_attempt_records_the_passages_it_was_given(settings, make_post):
    use(settings, "tests.pipeline.classifiers.ScriptedClassifier")
    body = f"{BODY}\n\n> A quotation from the manual.\n"
    post = make_post(body=body)
    evaluate(post)

    sent = ClassifierResult.objects.get().request
    expected = [{"start": p.start, "end": p.end, "kind": p.kind, "model": p.model} for p in parse_body(body).passages]
    assert sent["remote"] is False and sent["payload"]["passages"] == expected
    assert sent["bytes"] > 0 and len(sent["sha256"]) == 64


def test_a_remote_attempt_records_the_hash_and_size_of_the_body_that_left_the_server(httpserver):
    httpserver.expect_request("/detect").respond_with_data("down", status=500)
    classifier = GenericRemoteClassifier(url=httpserver.url_for("/detect"), attempts=1, backoff=0.01,
                                         sleep=lambda s: None, timeout=2.0)
    classifier.breaker.reset()

    output = classifier.run(parse_body(BODY).passages, None)

    assert output.status == "error"
    body = httpserver.log[-1][0].get_data()
    assert output.details["request"] == {"remote": True, "sha256": hashlib.sha256(body).hexdigest(),
                                         "bytes": len(body)}
    assert "payload" not in output.details["request"]  # the text itself is not kept a second time


def test_a_moderators_mark_is_its_own_row_and_leaves_the_result_as_it_was(settings, make_post, moderator):
    use(settings, "tests.pipeline.classifiers.ScriptedClassifier")
    post = make_post(body=BODY)
    evaluate(post)
    result = ClassifierResult.objects.get()
    before = ClassifierResult.objects.filter(pk=result.pk).values().get()

    classifier_result_mark(result_id=result.pk, actor=Actor.for_user(moderator), verdict="confirmed")
    classifier_result_mark(result_id=result.pk, actor=Actor.for_user(moderator), verdict="false_positive")

    assert ClassifierResult.objects.filter(pk=result.pk).values().get() == before
    marks = list(ResultMark.objects.order_by("id").values_list("verdict", "actor_user"))
    assert marks == [("confirmed", moderator.pk), ("false_positive", moderator.pk)]
    assert ClassifierResult.objects.get(pk=result.pk).moderator_verdict == "false_positive"
