"""Every request carries ``Authorization: Bearer <key>``: a wrong, missing or revoked key is 401 (with
``WWW-Authenticate: Bearer``), a key without the endpoint's scope is 403, and keys are stored hashed."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from moderation.models import ApiKey
from moderation.services.apikeys import api_key_revoke, api_key_rotate

from .conftest import error_fields, post_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("header", [None, "Bearer adk_nope_nope", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b",
                                    "Bearer not-our-format"])
def test_missing_or_wrong_key_is_401_with_bearer_challenge(forum, header):
    http = APIClient()
    if header:
        http.credentials(HTTP_AUTHORIZATION=header)
    response = http.get("/api/v1/review-items")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error_fields(response) == [""]


def test_revoked_key_is_refused(forum):
    api_key_revoke(key=forum.client.keys.get())
    response = forum.http.get("/api/v1/review-items")
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


def test_disabled_client_is_refused(forum):
    forum.client.is_active = False
    forum.client.save()
    assert forum.http.get("/api/v1/review-items").status_code == 401


def test_key_without_the_scope_is_403(make_forum):
    submit_only = make_forum("submit-only", scopes=["submit"])
    moderate_only = make_forum("moderate-only", scopes=["moderate"])
    response = submit_only.http.get("/api/v1/review-items")
    assert response.status_code == 403
    assert "moderate" in response.json()["errors"][0]["message"]
    response = moderate_only.http.post("/api/v1/submissions", post_payload(), format="json")
    assert response.status_code == 403
    assert error_fields(response) == [""]


def test_key_is_stored_as_sha256_only(forum):
    key = forum.client.keys.get()
    assert key.secret_hash == ApiKey.hash_secret(forum.key)
    assert forum.key not in {key.prefix, key.secret_hash}
    assert forum.key.startswith(f"adk_{key.prefix}_")


def test_last_used_is_recorded_without_a_write_per_request(forum):
    forum.http.get("/api/v1/webhooks")
    key = forum.client.keys.get()
    assert key.last_used_at is not None
    first = key.last_used_at
    forum.http.get("/api/v1/webhooks")
    assert forum.client.keys.get().last_used_at == first  # within a minute: not rewritten
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    forum.http.get("/api/v1/webhooks")
    assert forum.client.keys.get().last_used_at > first


def test_rotation_issues_a_working_key_and_retires_the_old(forum):
    issued = api_key_rotate(client=forum.client)
    assert forum.http.get("/api/v1/webhooks").status_code == 401
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert fresh.get("/api/v1/webhooks").status_code == 200


def test_rotation_with_grace_keeps_both_keys(forum):
    issued = api_key_rotate(client=forum.client, revoke_old=False)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert forum.http.get("/api/v1/webhooks").status_code == 200
    assert fresh.get("/api/v1/webhooks").status_code == 200
