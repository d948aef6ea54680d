"""Bearer-key authentication, scope permissions and the per-client throttle."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from ..models import ApiClient, ApiKey
from ..services.apikeys import KeyRefused, api_key_authenticate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientPrincipal:
    """``request.user`` for API calls: the client forum, not a person."""

    client: ApiClient
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self):
        return self.client.pk

    def get_username(self) -> str:
        return f"api:{self.client.name}"


class BearerKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>``. No header → anonymous (the permission answers 401); a bad key → 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as “Authorization: Bearer <key>”.")
        try:
            presented = header[1].decode("ascii")
            key = api_key_authenticate(presented=presented)
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed API key.") from None
        except KeyRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return ClientPrincipal(key.client), key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "moderation.api.auth.BearerKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API key from "
                "`python manage.py create_api_client NAME --scopes submit,moderate`."}


def request_client(request) -> ApiClient:
    return request.user.client


class HasScope(permissions.BasePermission):
    """An authenticated client whose scopes include the view's ``required_scope`` (None: any client)."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return False  # DRF answers 401 with WWW-Authenticate, since authentication did not succeed
        scope = getattr(view, "required_scope", None)
        if scope and not request.user.client.has_scope(scope):
            self.message = f"This API key lacks the “{scope}” scope."
            return False
        return True


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests per client (all its keys together). The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    ["api_client"]`` (env ``API_THROTTLE_RATE``), read at request time so settings overrides apply."""

    scope = "api_client"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        """Fail open: with the shared cache (Redis) unreachable, serve the request and log it, rather than
        answering every API call with 500 while Redis is down."""
        try:
            if self.rate is not None and hasattr(self.cache, "_cache") and hasattr(self.cache._cache, "get_client"):
                return self._allow_atomically(request, view)
            return super().allow_request(request, view)  # a cache without Redis (the embedded default)
        except Exception:  # redis.ConnectionError, TimeoutError, …: the cache backend's own errors
            logger.warning("API throttle skipped: the cache is unreachable", exc_info=True)
            return True

    def _allow_atomically(self, request, view) -> bool:
        """DRF's throttle reads the request history, appends and writes it back: requests arriving together all
        read the same history, and 701 of 900 requests in a minute passed a 600/min limit. Here the history is
        a Redis sorted set changed in one MULTI: trim what is older than the window, add this request, count."""
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        key = self.cache.make_and_validate_key(key)
        now = self.timer()
        member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        client = self.cache._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.zremrangebyscore(key, 0, now - self.duration)
        pipe.zadd(key, {member: now})
        pipe.zcard(key)
        pipe.expire(key, int(self.duration) + 1)
        count = pipe.execute()[2]
        if count <= self.num_requests:
            return True
        client.zrem(key, member)  # a refused request does not use up the budget
        oldest = client.zrange(key, 0, 0, withscores=True)
        self._wait = max(0.0, (oldest[0][1] + self.duration - now) if oldest else self.duration)
        return False

    def wait(self):
        if hasattr(self, "_wait"):  # set by _allow_atomically
            return self._wait
        return super().wait()

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.client_id}
