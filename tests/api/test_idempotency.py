"""``Idempotency-Key`` makes retries safe: same key and body → the first answer again (nothing done twice);
same key, other body → 422; a key still in flight → 409; a refused request leaves the key free."""
import pytest

from moderation.models import IdempotencyRecord, Revision, Submission

from .conftest import error_fields, post_payload

pytestmark = pytest.mark.django_db


def test_retry_with_the_same_key_replays_the_first_answer(forum, submit):
    first = submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 202
    again = submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert again.status_code == 202  # the first answer, not "unchanged" (200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Revision.objects.count() == 1


def test_same_key_with_a_different_body_is_422(forum, submit):
    submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="k")
    response = submit(forum, post_payload("p-1", body="A different body, typed by hand this time."),
                      HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert error_fields(response) == ["Idempotency-Key"]
    assert "different request" in response.json()["errors"][0]["message"]
    assert Revision.objects.count() == 1


def test_keys_belong_to_one_client(forum, other_forum, submit):
    submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="k")
    response = submit(other_forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 202
    assert Submission.objects.count() == 2


def test_key_in_flight_is_409(forum, submit):
    from moderation.services.idempotency import request_fingerprint

    payload = post_payload("p-1")
    IdempotencyRecord.objects.create(client=forum.client, key="busy", request_hash=request_fingerprint(
        method="POST", path="/api/v1/submissions", data=payload))
    response = submit(forum, payload, HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert error_fields(response) == ["Idempotency-Key"]
    assert not Submission.objects.exists()


def test_a_key_whose_request_died_on_the_way_is_free_again_after_ten_minutes(forum, submit):
    """Found by review: a process killed between reserving a key and answering left it "in flight", and every
    retry was 409 for 24 hours."""
    from datetime import timedelta

    from django.utils import timezone

    from moderation.services.idempotency import request_fingerprint

    payload = post_payload("p-1")
    IdempotencyRecord.objects.create(client=forum.client, key="died", request_hash=request_fingerprint(
        method="POST", path="/api/v1/submissions", data=payload))
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    response = submit(forum, payload, HTTP_IDEMPOTENCY_KEY="died")
    assert response.status_code == 202, response.json()
    assert Submission.objects.count() == 1


def test_refused_request_does_not_burn_the_key(forum, submit):
    bad = post_payload("p-1")
    del bad["title"]
    assert submit(forum, bad, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="k").status_code == 202


@pytest.mark.parametrize("key", ["", "x" * 201, "bad key", "naïve"])
def test_malformed_key_is_400(forum, submit, key):
    response = forum.http.post("/api/v1/submissions", post_payload("p-1"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert error_fields(response) == ["Idempotency-Key"]
    # the message says what the docs say, spaces included (it read "printable ASCII", which a space is)
    assert response.json()["errors"][0]["message"] == "Use 1–200 printable ASCII characters, without spaces."


def test_expired_records_are_pruned(forum, submit):
    from datetime import timedelta

    from django.utils import timezone

    from django.conf import settings

    from moderation.tasks import prune_idempotency_records

    submit(forum, post_payload("p-1"), HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert prune_idempotency_records() == 1
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} >= {"moderation.prune_idempotency_records"}


# --- Every POST that creates or changes something takes a key (round 21) ----------------------------------
# Before, only submissions did: a retried note was written twice, a retried webhook registered twice (two
# deliveries of every event), a retried decision answered 409 although it had been done.

def test_a_retried_note_is_written_once(forum, queued):
    from moderation.models import Action

    _data, item = queued
    url = f"/api/v1/review-items/{item.public_id}/notes"
    first = forum.http.post(url, {"text": "Asked the author by mail."}, format="json", HTTP_IDEMPOTENCY_KEY="n-1")
    again = forum.http.post(url, {"text": "Asked the author by mail."}, format="json", HTTP_IDEMPOTENCY_KEY="n-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Action.objects.filter(verb="note").count() == 1


def test_a_retried_decision_gets_its_first_answer_not_a_conflict(forum, queued):
    _data, item = queued
    url = f"/api/v1/review-items/{item.public_id}/decision"
    payload = {"action": "approve", "version": item.version}
    first = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == 200, first.json()
    again = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 200 and again.json() == first.json()
    # without the key, the same request is the conflict it always was
    assert forum.http.post(url, payload, format="json").status_code == 409


def test_a_retried_claim_is_replayed(forum, queued):
    _data, item = queued
    url = f"/api/v1/review-items/{item.public_id}/claim"
    first = forum.http.post(url, {"version": item.version}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = forum.http.post(url, {"version": item.version}, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_retried_webhook_registration_makes_one_webhook(forum, httpserver):
    from moderation.models import WebhookEndpoint

    payload = {"url": httpserver.url_for("/hook"), "events": ["review.decided"]}
    first = forum.http.post("/api/v1/webhooks", payload, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    again = forum.http.post("/api/v1/webhooks", payload, format="json", HTTP_IDEMPOTENCY_KEY="w-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["secret"] == first.json()["secret"]
    assert WebhookEndpoint.objects.count() == 1


def test_a_refusal_the_view_returns_leaves_the_key_free(forum, fake_dns, httpserver):
    """The webhook view answers a private address with a 400 it returns rather than raises; that must not be
    stored as the key's answer either."""
    refused = forum.http.post("/api/v1/webhooks", {"url": "http://no-such-host.invalid/h", "events": ["review.decided"]},
                              format="json", HTTP_IDEMPOTENCY_KEY="w-2")
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_an_erasure_stores_no_answer_that_would_link_the_id_to_its_pseudonym(forum, submit):
    """Found by review: the stored answer of an erasure sent with a key kept the pseudonym beside a hash of the
    request, from which a short id can be guessed back. An erasure is idempotent by itself."""
    submit(forum, post_payload("p-1"))
    first = forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="e-1")
    again = forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="e-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["pseudonym"] and again.json()["pseudonym"] is None  # nothing more to erase
    assert not IdempotencyRecord.objects.exists()


def test_a_retried_recording_of_ai_help_is_recorded_once(forum):
    draft = forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="draft-1").json()
    assert forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="draft-1").json()["id"] == draft["id"]
    url = f"/api/v1/drafts/{draft['id']}/assistance"
    for _ in range(2):
        assert forum.http.post(url, {"kind": "translation", "extent": "minor", "tool": "DeepL"}, format="json",
                               HTTP_IDEMPOTENCY_KEY="help-1").status_code == 201
    assert len(forum.http.get(f"/api/v1/drafts/{draft['id']}").json()["events"]) == 1


def test_a_retried_report_gets_its_first_answer_not_409(forum, history):
    """Bob's published post, from the history."""
    from moderation.models import ReaderReport

    _ada, bob = history
    url = f"/api/v1/submissions/{bob['id']}/reports"
    payload = {"reporter_external_id": "u-9", "note": "Reads like a chatbot."}
    first = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert ReaderReport.objects.filter(reporter_external_id="u-9").count() == 1


def test_a_retried_appeal_gets_its_first_answer(forum, queued):
    data, item = queued
    assert forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                           {"action": "reject", "reason": "undisclosed-ai", "version": item.version},
                           format="json").status_code == 200
    url = f"/api/v1/submissions/{data['id']}/appeal"
    payload = {"message": "I wrote this myself, please look again."}
    first = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    again = forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()


def test_the_stored_request_hash_is_keyed_with_the_secret_key(settings):
    """Found by review: a plain hash of a short body (an author's id) could be guessed back from the record."""
    import hashlib
    import json

    from moderation.services.idempotency import request_fingerprint

    body = {"author_external_id": "u-1"}
    plain = hashlib.sha256(json.dumps(["POST", "/api/v1/erasures", body], sort_keys=True, ensure_ascii=False,
                                      separators=(",", ":")).encode()).hexdigest()
    keyed = request_fingerprint(method="POST", path="/api/v1/erasures", data=body)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert keyed != plain and request_fingerprint(method="POST", path="/api/v1/erasures", data=body) != keyed
