"""Fixtures for the REST API: client forums with keys, an HTTP client per key, and payload builders.

Submissions are evaluated on commit (no classifier configured in the test settings, so the pipeline runs
in-process); API calls in ``db`` tests therefore go through ``django_capture_on_commit_callbacks``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests.conftest import HONEST_DISCLOSURE

#: A new author's post drafted substantially by AI: the default policy holds it for a moderator.
QUEUED_DISCLOSURE = HONEST_DISCLOSURE
HUMAN_ONLY = {"human_only": True}


@dataclass
class Forum:
    """Another forum: its ApiClient row, its key, and an HTTP client that sends the key."""

    client: object
    key: str
    http: APIClient


@pytest.fixture
def make_forum(db):
    from moderation.services.apikeys import api_client_create, api_key_issue

    def make(name="otherforum", *, scopes=("submit", "moderate"), requires=(), policy_url="") -> Forum:
        client = api_client_create(name=name, scopes=list(scopes), categories_requiring_disclosure=list(requires),
                                   policy_url=policy_url)
        issued = api_key_issue(client=client)
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        return Forum(client, issued.secret, http)

    return make


@pytest.fixture
def forum(make_forum):
    return make_forum("forum-a", policy_url="https://forum-a.example/ai-policy", requires=["news"])


@pytest.fixture
def other_forum(make_forum):
    return make_forum("forum-b")


def post_payload(external_id="p-1", *, body="I wrote every word of this post myself, slowly.", disclosure=HUMAN_ONLY,
                 standing="regular", category="general", title="A post", fmt="markdown", omit_disclosure=False):
    payload = {"external_id": external_id,
               "author": {"external_id": "u-1", "display_name": "Ada", "standing": standing},
               "category": category, "title": title, "body": body, "format": fmt,
               "disclosure": copy.deepcopy(disclosure)}
    if omit_disclosure:
        del payload["disclosure"]
    return payload


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """POST /api/v1/submissions as ``forum`` and run the on-commit evaluation, as a real request would."""

    def do(forum: Forum, payload: dict, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return forum.http.post("/api/v1/submissions", payload, format="json", **headers)

    return do


@pytest.fixture
def queued(forum, submit):
    """A submission the default policy holds for a moderator (new author, AI-drafted), and its review item."""
    from moderation.models import ReviewItem

    response = submit(forum, post_payload("queued-1", standing="new", disclosure=QUEUED_DISCLOSURE,
                                          body="My outline, then a section the model drafted and I edited."))
    assert response.status_code == 202, response.json()
    item = ReviewItem.objects.get(submission__public_id=response.json()["id"])
    return response.json(), item


def error_fields(response) -> list[str]:
    body = response.json()
    assert set(body) >= {"errors"}, body
    for entry in body["errors"]:
        assert set(entry) == {"field", "message"} and entry["message"], entry
    return [entry["field"] for entry in body["errors"]]


@pytest.fixture
def fake_dns(monkeypatch):
    """Answer the webhook resolver from a table (no DNS traffic); names not in it do not resolve."""
    import socket

    from moderation.services import webhooks

    table = {"localhost": ["127.0.0.1"]}

    def resolve(host, port):
        if host in table:
            return list(table[host])
        try:  # literal addresses resolve to themselves
            import ipaddress

            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise socket.gaierror(-2, "Name or service not known") from None

    monkeypatch.setattr(webhooks, "_resolve", resolve)
    return table


# --- An author with a history: for the erasure and the data export (GDPR Art. 17, 15) ----------------------

DELVE_BODY = "A first paragraph I wrote myself, about tides.\n\nLet us delve into the rich tapestry of the sea."
DISCLOSURE = {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor",
                                                   "details": "My secret process: grammar only"}],
              "tools": ["DeepL"], "process": "My secret process: the tool fixed commas in two sentences."}


@pytest.fixture
def with_classifier(settings):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": ["tests.api.classifiers.DelveClassifier"]}


@pytest.fixture
def history(forum, submit, with_classifier):
    """Ada's rejected and appealed post, a report she filed on Bob's post, and a draft she started."""
    from moderation.models import Revision, ReviewItem
    from moderation.services.evaluation import revision_evaluate

    payload = post_payload("ada-1", body=DELVE_BODY, disclosure=DISCLOSURE, standing="new")
    payload["author"]["display_name"] = "Ada Lovelace"
    created = submit(forum, payload).json()
    revision = Revision.objects.get(submission__public_id=created["id"])
    revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)
    item = ReviewItem.objects.get(submission__public_id=created["id"])
    assert forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                           {"action": "reject", "reason": "undisclosed-ai", "message": "Please declare it.",
                            "version": item.version}, format="json").status_code == 200
    assert forum.http.post(f"/api/v1/submissions/{created['id']}/appeal",
                           {"message": "This is my appeal in my own words, please look again."},
                           format="json").status_code == 201
    bob_payload = post_payload("bob-1")
    bob_payload["author"] = {"external_id": "u-bob", "display_name": "Bob", "standing": "regular"}
    bob = submit(forum, bob_payload).json()
    bob_revision = Revision.objects.get(submission__public_id=bob["id"])
    revision_evaluate(revision_id=bob_revision.pk, content_hash=bob_revision.content_hash)  # published
    assert forum.http.post(f"/api/v1/submissions/{bob['id']}/reports",
                           {"reporter_external_id": "u-1", "note": "A reader note of mine about Bob's post."},
                           format="json").status_code == 201
    assert forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json").status_code == 201
    return created, bob
