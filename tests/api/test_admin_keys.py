"""Operators revoke and rotate keys from the admin; the new key is shown once in the admin's message."""
import re

import pytest
from rest_framework.test import APIClient

from moderation.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_http(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def status_with(key: str) -> int:
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return http.get("/api/v1/webhooks").status_code


def test_admin_revokes_selected_keys(admin_http, forum):
    key = forum.client.keys.get()
    response = admin_http.post("/admin/moderation/apikey/", {"action": "revoke", "_selected_action": [key.pk]},
                               follow=True)
    assert response.status_code == 200
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert status_with(forum.key) == 401


def test_admin_rotation_shows_the_new_key_once(admin_http, forum):
    response = admin_http.post("/admin/moderation/apiclient/",
                               {"action": "rotate_key", "_selected_action": [forum.client.pk]}, follow=True)
    shown = re.search(r"adk_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode())
    assert shown
    assert status_with(shown.group(0)) == 200
    assert status_with(forum.key) == 401
    assert admin_http.get("/admin/moderation/apikey/add/").status_code == 403
