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


@pytest.mark.parametrize("field, value", [
    ("scopes", '["submitt", "admin"]'), ("scopes", '[]'), ("scopes", '"submit"'),
    ("categories_requiring_disclosure", '"news"'), ("public_interest_categories", '{"a": 1}'),
    ("categories_requiring_disclosure", '[1, 2]'),
])
def test_the_admin_refuses_a_client_list_that_is_not_one_and_changes_nothing(admin_http, forum, field, value):
    """A typo in the scopes locked the client out of every endpoint, and a string where a list belongs was
    matched letter by letter: "news" required a disclosure in category "n"."""
    from moderation.models import ApiClient

    client = forum.client
    form = {"name": client.name, "scopes": '["submit", "moderate"]', "categories_requiring_disclosure": '[]',
            "public_interest_categories": '[]', "policy_url": "", "is_active": "on", field: value}
    before = ApiClient.objects.values().get(pk=client.pk)

    response = admin_http.post(f"/admin/moderation/apiclient/{client.pk}/change/", form)

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert ApiClient.objects.values().get(pk=client.pk) == before


def test_the_admin_saves_a_client_whose_lists_are_lists(admin_http, forum):
    from moderation.models import ApiClient

    client = forum.client
    response = admin_http.post(f"/admin/moderation/apiclient/{client.pk}/change/", {
        "name": client.name, "scopes": '["submit", "submit"]', "categories_requiring_disclosure": '[" news "]',
        "public_interest_categories": '[]', "policy_url": "", "is_active": "on"})

    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.scopes, client.categories_requiring_disclosure) == (["submit"], ["news"])
