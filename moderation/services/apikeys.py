"""API clients and their keys: create, issue, revoke, rotate, and authenticate a presented key.

A key looks like ``adk_<prefix>_<secret>``. Only the SHA-256 of the whole key is stored (keys are long
random strings, so a slow password hash would buy nothing); the ``prefix`` is kept in clear so an operator
can name a key in the admin, a log or ``revoke_api_key PREFIX`` without ever seeing the secret again.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from disclosure.errors import InputInvalid

from ..models import ApiClient, ApiKey

KEY_SCHEME = "adk"
SCOPES = ("submit", "moderate")
#: ``last_used_at`` is written at most this often per key, so authentication stays one read most of the time.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiClientInvalid(InputInvalid):
    """Bad input for a client or key operation; ``field`` names the culprit."""


@dataclass(frozen=True)
class IssuedKey:
    """A freshly issued key. ``secret`` is the full key string: show it once, it is not stored."""

    key: ApiKey
    secret: str


def _parse_list(values: list[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip() for v in values if v and v.strip()]


def api_client_create(*, name: str, scopes: list[str] | str, categories_requiring_disclosure: list[str] | str = (),
                      policy_url: str = "", public_interest_categories: list[str] | str = ()) -> ApiClient:
    """Create a client forum. Scopes are any of ``submit`` and ``moderate``. Posts in
    ``public_interest_categories`` inform the public on matters of public interest (EU AI Act Art. 50)."""
    name = name.strip()
    scopes = _parse_list(scopes)
    if not name or len(name) > 100:
        raise ApiClientInvalid("Give the client a name of 1–100 characters.", field="name")
    if name == ApiClient.LOCAL_NAME:
        raise ApiClientInvalid(f"“{ApiClient.LOCAL_NAME}” is the host forum's own client.", field="name")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ApiClientInvalid(f"Scopes must be one or more of {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}.",
                               field="scopes")
    if ApiClient.objects.filter(name=name).exists():
        raise ApiClientInvalid(f"A client named “{name}” exists already.", field="name")
    if policy_url and not policy_url.startswith(("https://", "http://")):
        raise ApiClientInvalid("The policy URL must start with https:// or http://.", field="policy_url")
    return ApiClient.objects.create(name=name, scopes=list(dict.fromkeys(scopes)),
                                    categories_requiring_disclosure=_parse_list(categories_requiring_disclosure),
                                    public_interest_categories=_parse_list(public_interest_categories),
                                    policy_url=policy_url)


def api_client_lock(client: ApiClient) -> None:
    """Lock the client's row until the surrounding transaction ends. A per-client limit (webhooks, a reader's
    reports per hour) is counted and written under it, so requests sent at the same moment queue up instead
    of all passing the count (17 webhooks of 10 were registered so). SQLite takes its write lock at the
    transaction's start, which serialises the same way. ``FOR NO KEY UPDATE``: rows that refer to the client
    (an audit row, a report) take a key-share lock on it, which a plain ``FOR UPDATE`` would wait for, and a
    decision writing its audit row deadlocked with a report holding this lock."""
    list(ApiClient.objects.select_for_update(no_key=True).filter(pk=client.pk).values_list("pk", flat=True))


def api_key_issue(*, client: ApiClient) -> IssuedKey:
    """Make a new key for ``client``. The returned ``secret`` is the only time the key is visible. The host
    forum's own client gets none: its posts come in through the adapter, and a key for it would read every
    host post, pending ones too (``rotate_api_key local`` issued one)."""
    if client.name == ApiClient.LOCAL_NAME:
        raise ApiClientInvalid(f"“{ApiClient.LOCAL_NAME}” is the host forum's own client: it has no API keys.",
                               field="client")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(client=client, prefix=prefix, secret_hash=ApiKey.hash_secret(secret))
    return IssuedKey(key=key, secret=secret)


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Refuse the key from now on (idempotent: revoking twice keeps the first time)."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


def api_key_revoke_by_prefix(*, prefix: str) -> tuple[ApiKey, bool]:
    """``prefix`` as the admin shows it, or pasted with the scheme (``adk_PREFIX``) or as the whole key.

    Returns the key and whether it was already revoked, so the operator is not told it was revoked just now."""
    prefix = prefix.strip()
    if prefix.startswith(f"{KEY_SCHEME}_"):
        prefix = prefix.split("_")[1]
    keys = list(ApiKey.objects.filter(prefix=prefix).select_related("client"))
    if not keys:
        raise ApiClientInvalid(f"No API key with prefix {prefix!r}.", field="prefix")
    if len(keys) > 1:  # 32 random bits: practically never, but never revoke the wrong one
        raise ApiClientInvalid(f"Several keys share prefix {prefix!r}; revoke them in the admin.", field="prefix")
    already = keys[0].revoked_at is not None
    return api_key_revoke(key=keys[0]), already


def api_key_rotate(*, client: ApiClient, revoke_old: bool = True) -> IssuedKey:
    """Issue a new key and (by default) revoke the client's other keys, in one transaction.

    Pass ``revoke_old=False`` for a grace period: both keys work until the old one is revoked.
    """
    with transaction.atomic():
        issued = api_key_issue(client=client)
        if revoke_old:
            ApiKey.objects.filter(client=client, revoked_at__isnull=True).exclude(pk=issued.key.pk).update(
                revoked_at=timezone.now())
    return issued


class KeyRefused(Exception):
    """The presented key is unknown, revoked, or belongs to a disabled client."""


def api_key_authenticate(*, presented: str) -> ApiKey:
    """Find the live key for a presented secret and note its use (at most once a minute per key)."""
    presented = presented.strip()
    if not presented.startswith(f"{KEY_SCHEME}_") or len(presented) > 200:
        raise KeyRefused("Malformed API key.")
    key = ApiKey.objects.select_related("client").filter(secret_hash=ApiKey.hash_secret(presented)).first()
    if key is None:
        raise KeyRefused("Unknown API key.")
    if key.revoked_at is not None:
        raise KeyRefused("This API key was revoked.")
    if not key.client.is_active:
        raise KeyRefused("This API client is disabled.")
    if key.client.name == ApiClient.LOCAL_NAME:  # issued before such keys were refused
        raise KeyRefused("The host forum's own client takes no API keys.")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
