"""The admin gives staff who may only *view* the API's records no power over them: a moderator of the demo's
Moderators group (view_* on every moderation model, staff for the admin) can neither rotate a client's key,
which hands the rotator a working key with the client's scopes and locks the client out, nor revoke keys, nor
read a webhook's signing secret, with which anyone can forge deliveries the client forum trusts."""
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from moderation.models import ApiKey, WebhookEndpoint
from tests.api.test_admin_keys import status_with

pytestmark = [pytest.mark.security, pytest.mark.django_db]


@pytest.fixture
def viewing_staff(django_user_model):
    """Staff with what the demo's Moderators group holds: every view_* of the moderation app, and the queue's
    change permissions, but no change_apiclient, change_apikey or change_webhookendpoint."""
    from forum.management.commands.seed_demo import MODERATOR_CODENAMES

    user = django_user_model.objects.create_user("mod", password="a-long-moderator-password", is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="moderation")
    user.user_permissions.add(*perms.filter(codename__startswith="view_"),
                              *perms.filter(codename__in=MODERATOR_CODENAMES))
    client = Client()
    client.force_login(user)
    return client


def test_staff_who_may_only_view_api_clients_cannot_rotate_a_clients_key(viewing_staff, forum):
    response = viewing_staff.post("/admin/moderation/apiclient/",
                                  {"action": "rotate_key", "_selected_action": [forum.client.pk], "index": 0},
                                  follow=True)

    assert not re.search(r"adk_[0-9a-f]{8}_[A-Za-z0-9_-]+", response.content.decode())
    assert forum.client.keys.count() == 1
    assert status_with(forum.key) == 200


def test_staff_who_may_only_view_api_keys_cannot_revoke_them(viewing_staff, forum):
    key = forum.client.keys.get()

    viewing_staff.post("/admin/moderation/apikey/", {"action": "revoke", "_selected_action": [key.pk], "index": 0},
                       follow=True)

    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert status_with(forum.key) == 200


def test_the_admin_never_shows_a_webhooks_signing_secret(viewing_staff, forum, django_user_model):
    endpoint = WebhookEndpoint.objects.create(client=forum.client, url="https://hooks.forum-a.example/ai",
                                              events=["review.decided"], secret="whsec_c2VjcmV0LXNpZ25pbmcta2V5")
    root = Client()
    root.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password"))

    for http in (viewing_staff, root):
        page = http.get(f"/admin/moderation/webhookendpoint/{endpoint.pk}/change/")
        assert page.status_code == 200
        assert endpoint.secret not in page.content.decode()
        assert "whsec_" not in http.get("/admin/moderation/webhookendpoint/").content.decode()


def test_the_webhook_admin_form_reads_a_url_without_a_scheme_as_https(admin_client):
    """Django 6 will read "hooks.example.org/x" as https, Django 5.2 as http and warns on every form: the admin
    says https now, as a webhook must be sent over TLS anyway."""
    import warnings

    from django.utils.deprecation import RemovedInDjango60Warning

    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        response = admin_client.get("/admin/moderation/webhookendpoint/add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.fields["url"].assume_scheme == "https"


def test_a_webhook_added_in_the_admin_gets_a_signing_secret_shown_once(admin_client, forum):
    """The admin form leaves the secret out, so a webhook added there was saved with an empty one: every
    delivery to it raised in signing ("webhook secret may not be empty"), was never marked failed and was tried again
    every minute for ever. It gets a secret as one registered through the API does, shown once to whoever
    added it (who passes it on to the client, as with a rotated key)."""
    from moderation.services.webhooks import webhook_sign_headers

    response = admin_client.post("/admin/moderation/webhookendpoint/add/", {
        "client": forum.client.pk, "url": "https://hooks.forum-a.example/ai", "events": '["review.decided"]',
        "is_active": "on"}, follow=True)

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > len("whsec_") + 20
    assert webhook_sign_headers(secret=endpoint.secret, msg_id="m", body="{}", at=endpoint.created_at)
    shown = [str(message) for message in response.context["messages"]]
    assert any(endpoint.secret in message for message in shown), shown
    assert endpoint.secret not in admin_client.get(
        f"/admin/moderation/webhookendpoint/{endpoint.pk}/change/").content.decode()
