"""Remote detectors against a real local HTTP server (pytest-httpserver), not a mock of httpx.

What must hold: each service's answer lands on the right passages of the post body; 429s, 5xx and timeouts
are retried with backoff and Retry-After; malformed answers and exhausted retries are ``error`` results with a
readable message (never a clean score); a failing service trips the circuit breaker.
"""
from __future__ import annotations

import json
import time

import pytest
from werkzeug import Response

from disclosure.blocks import parse_body
from moderation.classifiers.remote import (
    GenericRemoteClassifier,
    LLMJudgeClassifier,
    PangramClassifier,
    SaplingClassifier,
)

FIRST = "I spent the weekend rebuilding the fence with my neighbour, who knows far more about posts than I do."
SECOND = "Overall, rebuilding a fence is a rewarding project that combines practical skills with careful planning."
QUOTE = "> Good fences make good neighbours."
BODY = f"{FIRST}\n\n{QUOTE}\n\n{SECOND}\n"


class Sleeps(list):
    """Records the backoff the client asks for instead of waiting it out."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def make(httpserver):
    def build(cls, path="/detect", **options):
        options = {"url": httpserver.url_for(path), "api_key": "k-123", "backoff": 0.01, "sleep": Sleeps(),
                   "timeout": 2.0, **options}
        classifier = cls(**options)
        classifier.breaker.reset()
        return classifier

    return build


def passages(body=BODY):
    return parse_body(body).passages


def sent_text(httpserver) -> str:
    return json.loads(httpserver.log[-1][0].get_data())["text"]


def test_pangram_windows_land_on_the_passages_they_scored(httpserver, make):
    def answer(request):
        text = request.get_json()["text"]
        first, second = text.index(FIRST), text.index(SECOND)
        return Response(json.dumps({
            "text": text, "version": "3.0", "headline": "Mixed", "prediction_short": "Mixed",
            "fraction_ai": 0.5, "fraction_ai_assisted": 0.1, "fraction_human": 0.4,
            "windows": [
                {"text": FIRST, "label": "Human Written", "ai_assistance_score": 0.04, "confidence": "High",
                 "start_index": first, "end_index": first + len(FIRST)},
                {"text": SECOND, "label": "AI-Generated", "ai_assistance_score": 0.93, "confidence": "High",
                 "start_index": second, "end_index": second + len(SECOND)},
            ]}), content_type="application/json")

    httpserver.expect_request("/v3", method="POST", headers={"x-api-key": "k-123"}).respond_with_handler(answer)

    output = make(PangramClassifier, "/v3").run(passages(), None)

    assert output.status == "ok" and output.score == 0.5
    assert output.details["prediction"] == "Mixed" and output.details["fraction_human"] == 0.4
    assert "Good fences" not in sent_text(httpserver), "quotes are not the author's text and are not sent"
    spans = {BODY[s.start:s.end]: s.probability for p in output.passages for s in p.spans}
    assert spans == {FIRST: 0.04, SECOND: 0.93}


def test_sapling_sentences_are_found_in_the_text_and_scored(httpserver, make):
    httpserver.expect_request("/aidetect", method="POST").respond_with_json({
        "score": 0.71, "sentence_scores": [{"sentence": FIRST, "score": 0.1},
                                           {"sentence": f"  {SECOND} ", "score": 0.97},
                                           {"sentence": "Never written.", "score": 0.99}]})

    output = make(SaplingClassifier, "/aidetect").run(passages(), None)

    assert output.status == "ok" and output.score == 0.71
    assert json.loads(httpserver.log[0][0].get_data())["key"] == "k-123"
    spans = {BODY[s.start:s.end]: s.probability for p in output.passages for s in p.spans}
    assert spans == {FIRST: 0.1, SECOND: 0.97}
    assert output.details["sentences_not_located"] == 1


def test_the_generic_adapter_follows_the_configured_field_mapping(httpserver, make):
    httpserver.expect_request("/score", headers={"X-Key": "k-123"}).respond_with_json(
        {"result": {"ai": 64, "segments": [{"snippet": SECOND, "pct": 90}]}})

    output = make(GenericRemoteClassifier, "/score", name="acme", auth_header="X-Key", auth_scheme="",
                  text_field="content", extra_body={"lang": "en"}, score_field="result.ai", score_scale=100,
                  spans_field="result.segments", span_text_field="snippet",
                  span_score_field="pct").run(passages(), None)

    assert (output.classifier, output.status, output.score) == ("acme", "ok", 0.64)
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent["lang"] == "en" and FIRST in sent["content"]
    assert [(BODY[s.start:s.end], s.probability) for p in output.passages for s in p.spans] == [(SECOND, 0.9)]


def judge_answer(content: str) -> dict:
    return {"id": "x", "model": "smollm",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


def test_the_llm_judge_verdict_is_parsed_from_a_chatty_answer(httpserver, make):
    verdict = {"ai_probability": 0.8, "reasons": ["stock phrasing"],
               "suspicious_passages": [{"index": 1, "probability": 0.9, "reason": "generic summary"}, 7]}
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_json(
        judge_answer(f"Sure! Here is my verdict:\n```json\n{json.dumps(verdict)}\n```"))
    body = f"{FIRST}\n\n{QUOTE}\n\n:::ai-written model=\"X\"\n{SECOND}\n:::\n"

    output = make(LLMJudgeClassifier, "", model="smollm").run(passages(body), None)

    assert output.status == "ok" and output.score == 0.8 and output.details["reasons"] == ["stock phrasing"]
    request = httpserver.log[0][0].get_json()
    assert request["model"] == "smollm" and request["response_format"] == {"type": "json_object"}
    assert SECOND not in request["messages"][1]["content"], "declared AI blocks are not sent to the judge"
    assert [(body[p.start:p.end], p.probability) for p in output.passages] == [(FIRST, 0.9)]


def test_an_llm_judge_answer_without_a_verdict_is_an_error(httpserver, make):
    httpserver.expect_request("/v1/chat/completions").respond_with_json(judge_answer("I think it is human."))

    output = make(LLMJudgeClassifier, "").run(passages(), None)

    assert output.status == "error" and output.score is None
    assert "did not answer with the JSON verdict" in output.error


def test_a_timeout_is_retried_then_reported_as_an_error(httpserver, make):
    def slow(request):
        time.sleep(0.6)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/detect").respond_with_handler(slow)

    output = make(SaplingClassifier, timeout=0.2, attempts=2).run(passages(), None)

    assert output.status == "error" and output.score is None
    assert "timed out" in output.error and "gave up after 2 attempts" in output.error
    deadline = time.monotonic() + 5  # let the server finish the abandoned requests before the next test
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(httpserver.log) == 2


def test_a_429_is_retried_after_the_time_the_service_asks_for(httpserver, make):
    httpserver.expect_oneshot_request("/detect").respond_with_data("slow down", status=429,
                                                                   headers={"Retry-After": "3"})
    httpserver.expect_request("/detect").respond_with_json({"score": 0.2, "sentence_scores": []})
    classifier = make(SaplingClassifier)

    output = classifier.run(passages(), None)

    assert output.status == "ok" and output.score == 0.2
    assert classifier.sleep == [3.0] and len(httpserver.log) == 2


def test_a_retry_after_beyond_the_bound_fails_now_instead_of_holding_the_worker(httpserver, make):
    httpserver.expect_request("/detect").respond_with_data("quota", status=429, headers={"Retry-After": "3600"})
    classifier = make(SaplingClassifier, max_retry_after=30)

    output = classifier.run(passages(), None)

    assert output.status == "error" and "HTTP 429" in output.error and "3600s" in output.error
    assert classifier.sleep == [] and len(httpserver.log) == 1


def test_a_5xx_is_retried_with_exponential_backoff(httpserver, make):
    for _ in range(2):
        httpserver.expect_oneshot_request("/detect").respond_with_data("upstream down", status=503)
    httpserver.expect_request("/detect").respond_with_json({"score": 0.3, "sentence_scores": []})
    classifier = make(SaplingClassifier, attempts=3, backoff=1.0)

    output = classifier.run(passages(), None)

    assert output.status == "ok" and len(httpserver.log) == 3
    first, second = classifier.sleep
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


def test_a_client_error_is_not_retried(httpserver, make):
    httpserver.expect_request("/detect").respond_with_data('{"msg": "bad key"}', status=401)

    output = make(SaplingClassifier).run(passages(), None)

    assert output.status == "error" and "HTTP 401" in output.error and "bad key" in output.error
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("payload", ["<html>oops</html>", '{"score": "high"}', '{"score": 1.7}', "[1, 2]"])
def test_a_malformed_answer_is_an_error_not_a_score(httpserver, make, payload):
    httpserver.expect_request("/detect").respond_with_data(payload, content_type="application/json")

    output = make(SaplingClassifier).run(passages(), None)

    assert output.status == "error" and output.score is None and output.passages == []
    assert output.error.startswith("sapling: ")


def test_the_circuit_opens_after_consecutive_failures_and_half_opens_after_the_cool_down(httpserver, make):
    import time_machine

    httpserver.expect_request("/detect").respond_with_data("down", status=500)
    classifier = make(SaplingClassifier, attempts=1, breaker_threshold=2, breaker_reset_seconds=60)

    assert [classifier.run(passages(), None).status for _ in range(2)] == ["error", "error"]
    blocked = classifier.run(passages(), None)

    assert blocked.status == "error" and "circuit is open" in blocked.error
    assert len(httpserver.log) == 2, "an open circuit does not call the service"

    httpserver.clear_all_handlers()
    httpserver.expect_request("/detect").respond_with_json({"score": 0.1, "sentence_scores": []})
    with time_machine.travel(time.time() + 61, tick=True):
        assert classifier.breaker.state() == "half_open"
        assert classifier.run(passages(), None).status == "ok"
        assert classifier.breaker.state() == "closed"


def test_text_beyond_the_length_cap_is_not_sent(httpserver, make):
    httpserver.expect_request("/detect").respond_with_json({"score": 0.4, "sentence_scores": []})

    output = make(SaplingClassifier, max_chars=60).run(passages(), None)

    assert len(sent_text(httpserver)) <= 60
    assert output.details["truncated_at_chars"] == 60
    assert [p.status for p in output.passages if p.start == BODY.index(SECOND)] == ["skipped"]


def test_remote_classifiers_are_skipped_unless_the_operator_allows_sending_text(settings):
    from moderation.classifiers.registry import configured_classifiers

    path = "moderation.classifiers.remote.PangramClassifier"
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [path], "ALLOW_REMOTE_CLASSIFIERS": False}
    assert configured_classifiers() == ()
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [{"path": path, "options": {"api_key": "k"}}],
                           "ALLOW_REMOTE_CLASSIFIERS": True}
    assert [c.name for c in configured_classifiers()] == ["pangram"]


def test_the_breaker_keeps_its_state_in_process_memory_without_redis():
    import time_machine

    from moderation.http import CircuitBreaker, _MemoryStore

    breaker = CircuitBreaker("memory-test", threshold=3, reset_after=30, store=_MemoryStore())
    for _ in range(2):
        breaker.record_failure()
    assert breaker.allow(), "two failures are below the threshold"
    breaker.record_failure()
    assert breaker.state() == "open" and not breaker.allow()

    with time_machine.travel(time.time() + 31, tick=False):
        assert breaker.allow(), "after the cool-down one probe goes through"
        assert not breaker.allow(), "…and only one"
        breaker.record_failure()
        assert breaker.state() == "open", "a failed probe opens the circuit again"


@pytest.mark.django_db
def test_remote_classifiers_run_in_the_pipeline_side_by_side_and_a_failing_one_holds_the_post(
        httpserver, settings, make_post):
    """Two hosted detectors in one evaluation: the one that answers is stored, the one that fails is an
    error row with its reason, and the post waits for a person instead of being published."""
    from moderation.classifiers.registry import configured_classifiers
    from moderation.models import ClassifierResult, Submission
    from moderation.services.evaluation import revision_evaluate

    httpserver.expect_request("/v3").respond_with_json({"fraction_ai": 0.02, "fraction_human": 0.98,
                                                        "prediction_short": "Human", "windows": []})
    httpserver.expect_request("/aidetect").respond_with_data("maintenance", status=503)
    settings.MODERATION = {**settings.MODERATION, "ALLOW_REMOTE_CLASSIFIERS": True, "CLASSIFIERS": [
        {"path": "moderation.classifiers.remote.PangramClassifier",
         "options": {"url": httpserver.url_for("/v3"), "api_key": "k"}},
        {"path": "moderation.classifiers.remote.SaplingClassifier",
         "options": {"url": httpserver.url_for("/aidetect"), "api_key": "k", "attempts": 2, "backoff": 0.01}},
    ]}
    for classifier in configured_classifiers():
        classifier.breaker.reset()
    post = make_post(body=f"{FIRST}\n\n{SECOND}")
    revision = post.submission.current_revision

    evaluation = revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)

    results = {r.classifier: r for r in ClassifierResult.objects.filter(revision=revision)}
    assert results["pangram"].status == "ok" and results["pangram"].details["prediction"] == "Human"
    assert results["sapling"].status == "error" and "HTTP 503" in results["sapling"].error
    assert "classifier_failed" in evaluation.reasons
    assert Submission.objects.get(pk=post.submission_id).status == "queued"
