"""``create_api_client`` prints the key alone on the last line; ``revoke_api_key`` and ``rotate_api_key``
retire keys; the key printed is the one that works."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from moderation.models import ApiClient, ApiKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


def works(key: str, path="/api/v1/webhooks") -> int:
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return http.get(path).status_code


def test_create_prints_a_working_key_alone_on_the_last_line():
    out = run("create_api_client", "Other Forum", "--scopes", "submit,moderate", "--require-disclosure-in",
              "news,science", "--policy-url", "https://other.example/ai")
    key = out.strip().splitlines()[-1]
    assert key.startswith("adk_") and " " not in key
    client = ApiClient.objects.get(name="Other Forum")
    assert client.scopes == ["submit", "moderate"]
    assert client.categories_requiring_disclosure == ["news", "science"]
    assert client.policy_url == "https://other.example/ai"
    assert works(key) == 200
    assert works(key, "/api/v1/review-items") == 200


@pytest.mark.parametrize("args", [("x", "--scopes", "admin"), ("x", "--scopes", ""), ("local", "--scopes", "submit")])
def test_create_refuses_bad_input(args):
    with pytest.raises(CommandError):
        run("create_api_client", *args)


def test_create_refuses_a_duplicate_name():
    run("create_api_client", "dup", "--scopes", "submit")
    with pytest.raises(CommandError, match="exists"):
        run("create_api_client", "dup", "--scopes", "submit")


def test_revoke_by_prefix():
    key = run("create_api_client", "f", "--scopes", "submit").strip().splitlines()[-1]
    prefix = ApiKey.objects.get().prefix
    assert prefix in key
    out = run("revoke_api_key", prefix)
    assert "Revoked" in out
    assert works(key) == 401
    with pytest.raises(CommandError):
        run("revoke_api_key", "nosuchprefix")


def test_rotate_prints_a_new_key_and_revokes_the_old():
    old = run("create_api_client", "f", "--scopes", "submit").strip().splitlines()[-1]
    new = run("rotate_api_key", "f").strip().splitlines()[-1]
    assert new != old
    assert works(new) == 200
    assert works(old) == 401
    with pytest.raises(CommandError):
        run("rotate_api_key", "nobody")


def test_the_host_forums_own_client_gets_no_key_and_an_old_one_is_refused():
    """``rotate_api_key local`` printed a key that read every host post, pending ones too."""
    from moderation.services.intake import local_client

    local = local_client()
    with pytest.raises(CommandError, match="host forum's own client"):
        run("rotate_api_key", local.name)
    assert not ApiKey.objects.filter(client=local).exists()
    # a key issued before the refusal, written as the old code wrote it, no longer authenticates
    secret = "adk_0badf00d_" + "x" * 43
    ApiKey.objects.create(client=local, prefix="0badf00d", secret_hash=ApiKey.hash_secret(secret))
    assert works(secret) == 401


def test_revoke_accepts_the_prefix_as_pasted_with_the_scheme_or_as_the_whole_key():
    key = run("create_api_client", "f", "--scopes", "submit").strip().splitlines()[-1]
    prefix = ApiKey.objects.get().prefix
    assert "Revoked" in run("revoke_api_key", f"adk_{prefix}")
    assert works(key) == 401
    other = run("create_api_client", "g", "--scopes", "submit").strip().splitlines()[-1]
    assert "Revoked" in run("revoke_api_key", other)
    assert works(other) == 401


def test_revoking_a_revoked_key_says_so_and_keeps_the_first_time():
    """It printed "Revoked key ... at <the first time>" again, as if it had just been revoked."""
    run("create_api_client", "f", "--scopes", "submit")
    key = ApiKey.objects.get()
    run("revoke_api_key", key.prefix)
    first = ApiKey.objects.get().revoked_at
    out = run("revoke_api_key", key.prefix)
    assert "already revoked" in out and "Revoked key" not in out
    assert ApiKey.objects.get().revoked_at == first
