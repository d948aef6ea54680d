"""``GET /api/v1/submissions/{id}``: status, reasons, priority, each classifier's passage scores with offsets,
the decision, the reader label with its source and IPTC URI, and the sanitised HTML to display."""
import pytest

from moderation.models import Revision
from moderation.services.evaluation import revision_evaluate
from moderation.services.review import Actor, review_item_decide

from .conftest import QUEUED_DISCLOSURE, post_payload

pytestmark = pytest.mark.django_db

FLAGGED_BODY = "A first paragraph I wrote myself.\n\nLet us delve into the rich tapestry of this topic."


def test_published_post(forum, submit):
    created = submit(forum, post_payload("p-1", body="Plain words, mine.")).json()
    detail = forum.http.get(f"/api/v1/submissions/{created['id']}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "published" and body["visible"] is True
    assert body["reasons"] == [] and body["decision"] is None and body["review_item"] is None
    assert body["rendered_html"] == "<p>Plain words, mine.</p>\n"
    assert body["label"]["value"] == "human_only" and body["label"]["source"] == "author"
    assert body["label"]["iptc_digital_source_type"].endswith("/digitalCreation")


def test_classifier_passages_with_offsets_reasons_and_priority(forum, submit, with_classifier):
    created = submit(forum, post_payload("p-1", body=FLAGGED_BODY, standing="regular")).json()
    revision = Revision.objects.get()
    assert forum.http.get(created["url"]).json()["status"] == "pending"  # no worker ran yet
    revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)  # what the worker runs
    body = forum.http.get(created["url"]).json()
    assert body["status"] == "queued"
    assert body["reasons"] == ["undisclosed_ai_suspected"] and body["priority"] > 0
    assert body["review_item"]["status"] == "open"
    [result] = body["classifier_results"]
    assert result["classifier"] == "delve" and result["status"] == "ok" and result["score"] == 0.97
    flagged = [p for p in result["passages"] if p["probability"] == 0.97]
    assert len(flagged) == 1
    assert "delve" in FLAGGED_BODY[flagged[0]["start"]:flagged[0]["end"]]
    assert flagged[0]["kind"] == "author" and flagged[0]["features"] == {"delve": 1.0}


def test_rendered_html_labels_ai_blocks_and_is_sanitised(forum, submit):
    body = ('Mine.\n\n:::ai-written model="<script>x</script>"\nThe model wrote <b onclick="evil()">this</b>.\n:::\n')
    disclosure = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}], "ai_share_percent": 20,
                  "process": "The model drafted the one marked paragraph; I wrote the rest by hand."}
    created = submit(forum, post_payload("p-1", body=body, disclosure=disclosure)).json()
    html = forum.http.get(created["url"]).json()["rendered_html"]
    assert "<script" not in html and "<b onclick" not in html
    assert "ai-written" in html or "ai-block" in html


def test_decision_and_moderator_label(forum, submit, queued):
    created, item = queued
    review_item_decide(item_id=item.pk, actor=Actor.for_client(forum.client), action="request_changes",
                       reason="undisclosed", message="Please mark the AI paragraph.", label="ai_generated")
    body = forum.http.get(created["url"]).json()
    assert body["status"] == "needs_changes"
    assert body["decision"]["action"] == "request_changes"
    assert body["decision"]["reason"] == "undisclosed" and body["decision"]["message"] == "Please mark the AI paragraph."
    assert body["decision"]["decided_at"]
    assert body["label"] == {**body["label"], "value": "ai_generated", "source": "moderator", "locked": True}
    assert body["label"]["iptc_digital_source_type"].startswith("http://cv.iptc.org/newscodes/digitalsourcetype/")


def test_the_decision_names_the_revision_it_was_about(forum, queued, submit):
    """After the author's edit, GET still showed the old revision's decision with nothing to say so."""
    from moderation.services.review import Actor, review_item_approve

    data, item = queued
    review_item_approve(item_id=item.pk, actor=Actor.for_client(forum.client))
    assert forum.http.get(f"/api/v1/submissions/{data['id']}").json()["decision"]["revision"] == 1
    edited = post_payload("queued-1", standing="new", disclosure=QUEUED_DISCLOSURE,
                          body="My outline, then a section the model drafted and I edited twice.")
    assert submit(forum, edited).status_code == 202
    body = forum.http.get(f"/api/v1/submissions/{data['id']}").json()
    assert body["revision"] == 2 and body["decision"]["revision"] == 1
