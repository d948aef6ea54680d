"""The one way the plugin talks to the network (remote classifiers, webhooks): an httpx client factory,
retries, a circuit breaker.

- :func:`http_client` builds every outbound client with explicit timeouts (never httpx's defaults) and lets
  a caller (a test, an operator with a proxy) inject a transport.
- :func:`post_json` retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter,
  honours ``Retry-After`` up to a bound, and turns everything else into a :class:`RemoteError` whose message a
  moderator can read ("HTTP 401 from api.sapling.ai: …"), never an exception trace.
- :class:`CircuitBreaker` stops calling a service after N consecutive failures and lets one probe through
  after a cool-down (half-open). Its state lives in **Redis** when ``REDIS_URL`` is configured, so every
  worker process shares one view of a failing service; otherwise (the embedded default, one machine) in
  **process memory**. A Redis hiccup never blocks classification: the breaker then lets calls through.
"""
from __future__ import annotations

import email.utils
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

USER_AGENT = "django-ai-disclosure/0.1 (+classifier)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RemoteError(Exception):
    """A remote service could not give a usable answer; the message is shown to moderators as is."""


def http_client(*, timeout: float = 20.0, connect_timeout: float = 5.0, headers: dict[str, str] | None = None,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client with explicit connect/read/write/pool timeouts; ``transport`` is for tests and proxies."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        transport=transport,
        follow_redirects=False,
    )


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    #: First backoff in seconds; doubles on each attempt, with jitter, up to ``max_backoff``.
    backoff: float = 0.5
    max_backoff: float = 8.0
    #: The longest ``Retry-After`` we honour; a service asking for more fails now (the post goes to a person,
    #: and a later evaluation retries) rather than holding a worker for minutes.
    max_retry_after: float = 30.0

    def delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return base * (0.5 + random.random() / 2)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(response: httpx.Response) -> str:
    snippet = " ".join(response.text[:200].split())
    return f"HTTP {response.status_code} from {response.request.url.host}" + (f": {snippet}" if snippet else "")


def post_json(client: httpx.Client, url: str, *, payload: Any, headers: dict[str, str] | None = None,
              retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep) -> Any:
    """POST ``payload`` as JSON and return the decoded JSON answer, retrying what is worth retrying.

    Raises :class:`RemoteError` for anything that is not a 2xx JSON answer after the retries.
    """
    host = httpx.URL(url).host
    last_error = ""
    for attempt in range(1, retry.attempts + 1):
        wait = retry.delay(attempt)
        try:
            response = client.post(url, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            last_error = f"{host} timed out ({type(exc).__name__})"
        except httpx.TransportError as exc:
            last_error = f"could not reach {host}: {exc or type(exc).__name__}"
        else:
            if response.status_code in RETRY_STATUSES:
                last_error = _describe(response)
                asked = _retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None:
                    if asked > retry.max_retry_after:
                        raise RemoteError(f"{last_error} (asked to retry after {asked:.0f}s, more than the "
                                          f"{retry.max_retry_after:.0f}s we wait)")
                    wait = asked
            elif response.is_error:
                raise RemoteError(_describe(response))
            else:
                try:
                    return response.json()
                except ValueError:
                    raise RemoteError(f"malformed JSON from {host}: {' '.join(response.text[:120].split())!r}")
        if attempt == retry.attempts:
            break
        logger.info("retrying %s in %.2fs after: %s", host, wait, last_error)
        sleep(wait)
    raise RemoteError(f"{last_error} (gave up after {retry.attempts} attempt{'s' if retry.attempts > 1 else ''})")


# --- Circuit breaker ------------------------------------------------------------------------------

class _MemoryStore:
    """Process-local state (one worker process, or the embedded default)."""

    def __init__(self):
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()

    def _live(self, key):
        value = self._data.get(key)
        if value is None:
            return None
        if value[1] is not None and value[1] < time.time():
            self._data.pop(key, None)
            return None
        return value[0]

    def get(self, key: str) -> Any:
        with self._lock:
            return self._live(key)

    def incr(self, key: str) -> int:
        with self._lock:
            value = int(self._live(key) or 0) + 1
            self._data[key] = (value, None)
            return value

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, time.time() + ttl if ttl else None)

    def add(self, key: str, value: Any, ttl: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, time.time() + ttl)
            return True

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)


class _RedisStore:
    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def get(self, key):
        value = self._redis.get(key)
        return value.decode() if isinstance(value, bytes) else value

    def incr(self, key):
        return int(self._redis.incr(key))

    def set(self, key, value, ttl=None):
        self._redis.set(key, value, px=int(ttl * 1000) if ttl else None)

    def add(self, key, value, ttl):
        return bool(self._redis.set(key, value, nx=True, px=max(1, int(ttl * 1000))))

    def delete(self, *keys):
        self._redis.delete(*keys)


_memory = _MemoryStore()
_redis_stores: dict[str, _RedisStore] = {}


def breaker_store():
    """Redis when the project has one (shared by all worker processes), else this process's memory."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return _memory
    if url not in _redis_stores:
        _redis_stores[url] = _RedisStore(url)
    return _redis_stores[url]


class CircuitBreaker:
    """Closed → (``threshold`` consecutive failures) → open → (``reset_after`` seconds) → half-open: one
    probe call; its success closes the circuit, its failure opens it for another ``reset_after``."""

    def __init__(self, key: str, *, threshold: int = 5, reset_after: float = 60.0, store=None):
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        self.key = f"aidisclosure:circuit:{digest}"
        self.threshold = max(1, int(threshold))
        self.reset_after = float(reset_after)
        self.store = store if store is not None else breaker_store()

    def _safe(self, fn, default):
        try:
            return fn()
        except Exception:  # the breaker's own store failing must not stop classification
            logger.warning("circuit breaker store unavailable", exc_info=True)
            return default

    def state(self) -> str:
        opened_until = self._safe(lambda: self.store.get(f"{self.key}:open_until"), None)
        if opened_until is None:
            return "closed"
        return "open" if time.time() < float(opened_until) else "half_open"

    def allow(self) -> bool:
        state = self.state()
        if state == "closed":
            return True
        if state == "open":
            return False
        return self._safe(lambda: self.store.add(f"{self.key}:probe", "1", self.reset_after), True)

    def retry_in(self) -> float:
        opened_until = self._safe(lambda: self.store.get(f"{self.key}:open_until"), None)
        return max(0.0, float(opened_until) - time.time()) if opened_until else 0.0

    def record_success(self) -> None:
        self._safe(lambda: self.store.delete(f"{self.key}:failures", f"{self.key}:open_until",
                                             f"{self.key}:probe"), None)

    def record_failure(self) -> None:
        def fail():
            failures = self.store.incr(f"{self.key}:failures")
            if failures >= self.threshold or self.state() == "half_open":
                self.store.set(f"{self.key}:open_until", str(time.time() + self.reset_after))
                self.store.delete(f"{self.key}:probe")

        self._safe(fail, None)

    def reset(self) -> None:
        self.record_success()
