"""Webhooks: endpoints a client registers, the outbox dispatched to them, and signed delivery attempts.

The flow is ``OutboxEvent`` (written in the transaction of the change it reports) → :func:`outbox_dispatch`
(one ``WebhookDelivery`` per matching active endpoint) → :func:`webhook_deliver` (one attempt). Retries are
driven by ``next_attempt_at``, polled on beat by :func:`webhooks_deliver_due` — never by task countdowns,
which Redis would redeliver after its visibility timeout (see docs/architecture.md, "Pitfalls").

Deliveries follow Standard Webhooks: ``webhook-id`` (the event id, the same on every attempt, so receivers
can deduplicate), ``webhook-timestamp`` (this attempt) and ``webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">``, signed with the ``standardwebhooks`` reference implementation.

SSRF: a webhook URL is resolved and every address it resolves to must be public, both when it is
registered and at each delivery; the request is then sent to the address that was checked (the original
host travels in the ``Host`` header and TLS SNI), so a DNS answer that changes between the check and the
connection cannot point the request inside the network. ``MODERATION["ALLOW_PRIVATE_WEBHOOK_URLS"]`` lifts
the address check (tests, the local demo).
"""
from __future__ import annotations

import base64
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from disclosure.errors import InputInvalid

from ..http import http_client
from ..conf import app_settings
from ..logs import pipeline_context
from ..models import ApiClient, OutboxEvent, WebhookDelivery, WebhookEndpoint
from .apikeys import api_client_lock
from .notify import EVENT_TYPES

logger = logging.getLogger(__name__)

#: Attempts before a delivery is marked failed, and the first backoff (doubles each attempt, capped): 14
#: attempts span about 26 hours, so a receiver down overnight loses nothing (8 gave up after about an hour).
MAX_ATTEMPTS = 14
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
CONNECT_TIMEOUT = 3.0
TIMEOUT = 10.0
#: The whole attempt (connect, send, the receiver's status line and headers) gets this long, however slowly
#: the receiver trickles its answer; the body is never read (only the status matters), so a huge or endless
#: body costs nothing. Past the deadline the attempt fails and is retried later.
DEADLINE = 15.0
#: The most of a receiver's answer that is ever read (its headers); the body is not read at all.
MAX_RESPONSE_BYTES = 64 * 1024
#: How long an attempt in progress keeps others off the same delivery (longer than any request can take).
ATTEMPT_LEASE = timedelta(seconds=DEADLINE * 2 + 30)
MAX_ENDPOINTS_PER_CLIENT = 10
MAX_LOG_ENTRIES = 20
USER_AGENT = "django-ai-disclosure-webhooks/1.0"


class WebhookInvalid(InputInvalid):
    """The endpoint cannot be registered; ``field`` names the culprit. Nothing was written."""

    default_field = "url"


class WebhookUrlRefused(WebhookInvalid):
    """The URL is malformed, does not resolve, or resolves to an address a webhook may not reach."""


# --- SSRF guard -----------------------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Not public, though some Python versions call them global: IPv6 site-local (deprecated, still routed inside
#: networks that kept it) and the IETF protocol assignments of 192.0.0.0/24 (of which only .9 and .10 are global).
_NOT_PUBLIC = (ipaddress.ip_network("fec0::/10"), ipaddress.ip_network("192.0.0.0/24"))
_GLOBAL_EXCEPTIONS = (ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10"))


def ip_address_refused(ip: str) -> str | None:
    """Why a webhook may not connect to ``ip`` (loopback, private, …), or None if it is a public address.

    IPv4 addresses embedded in IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4, Teredo) are judged by the
    IPv4 address they carry.
    """
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if addr.version == 6:
        embedded = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if embedded is None and addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            reason = ip_address_refused(str(embedded))
            return f"{reason} (embedded in {addr})" if reason else None
    for attribute, reason in (("is_unspecified", "an unspecified address"), ("is_loopback", "a loopback address"),
                              ("is_link_local", "a link-local address (cloud metadata lives there)"),
                              ("is_multicast", "a multicast address"), ("is_private", "a private address"),
                              ("is_reserved", "a reserved address")):
        if getattr(addr, attribute):
            return reason
    if not addr.is_global or (addr not in _GLOBAL_EXCEPTIONS
                              and any(addr.version == net.version and addr in net for net in _NOT_PUBLIC)):
        return "a non-public address"
    return None


@dataclass(frozen=True)
class WebhookTarget:
    """A checked URL: where to connect (``address``) and what the server must see (``host_header``, SNI)."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    def pinned_url(self, address: str | None = None) -> str:
        """The URL with its host replaced by a checked address (IPv6 in brackets)."""
        parts = urlsplit(self.url)
        address = address or self.address
        address = f"[{address}]" if ":" in address else address
        return urlunsplit((parts.scheme, f"{address}:{self.port}", parts.path or "/", parts.query, ""))


def _is_address(host: str) -> bool:
    """Whether the URL's host is an IP address written out (``10.0.0.1``, ``::1``), not a name to look up."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def webhook_url_resolve(url: str) -> WebhookTarget:
    """Parse, resolve and check a webhook URL. Raises :class:`WebhookUrlRefused` with a message to show."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookUrlRefused("This is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlRefused("Webhook URLs must start with https:// or http://.")
    if not parts.hostname:
        raise WebhookUrlRefused("The URL has no host.")
    if parts.username or parts.password:
        raise WebhookUrlRefused("Do not put credentials in the URL; verify the signature instead.")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = _resolve(host, port)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise WebhookUrlRefused(f"The host {host!r} does not resolve ({exc}).") from None
    if not addresses:
        raise WebhookUrlRefused(f"The host {host!r} does not resolve.")
    if not app_settings.ALLOW_PRIVATE_WEBHOOK_URLS:
        for address in addresses:
            reason = ip_address_refused(address)
            if reason and _is_address(host):  # the address as the client wrote it
                raise WebhookUrlRefused(f"The host {host!r} resolves to {address}, {reason}; webhooks may only "
                                        "reach public addresses.")
            if reason:  # a name: where this server's DNS points it inside the network is not the client's to learn
                logger.info("webhook URL host %r refused: it resolves to %s, %s", host, address, reason)
                kind = reason.split(" (embedded in ", 1)[0]  # "a loopback address", without the address itself
                raise WebhookUrlRefused(f"The host {host!r} resolves to {kind}; webhooks may only reach public "
                                        "addresses.")
    return WebhookTarget(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0],
                         addresses=tuple(addresses))


# --- Endpoints ------------------------------------------------------------------------------------

def webhook_secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_endpoint_create(*, client: ApiClient, url: str, events: list[str]) -> WebhookEndpoint:
    """Register an endpoint after checking its URL (SSRF) and events. Its ``secret`` is shown once, by the caller."""
    unknown = [e for e in events if e not in EVENT_TYPES]
    if not events or unknown:
        raise WebhookInvalid(f"Events must be one or more of {', '.join(EVENT_TYPES)}.", field="events")
    webhook_url_resolve(url)  # a DNS look-up: before the lock, not while holding it
    with transaction.atomic():
        api_client_lock(client)
        if WebhookEndpoint.objects.filter(client=client, is_active=True).count() >= MAX_ENDPOINTS_PER_CLIENT:
            raise WebhookInvalid(f"A client may register at most {MAX_ENDPOINTS_PER_CLIENT} webhooks; delete one "
                                 "first.", field="")
        return WebhookEndpoint.objects.create(client=client, url=url, events=list(dict.fromkeys(events)),
                                              secret=webhook_secret_generate())


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its delivery log; pending deliveries to it stop."""
    endpoint.delete()


# --- Outbox → deliveries --------------------------------------------------------------------------

def outbox_dispatch(*, limit: int = 500) -> list[int]:
    """Turn undispatched outbox events into deliveries for matching active endpoints; mark them dispatched.

    Safe to run concurrently (rows are locked, skipped when another run holds them, where the database
    can) and twice (one delivery per endpoint and event). Returns the ids of deliveries created.
    """
    now = timezone.now()
    with transaction.atomic():
        pending = OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        events = list(pending[:limit])
        if not events:
            return []
        endpoints: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in WebhookEndpoint.objects.filter(client_id__in={e.client_id for e in events}, is_active=True,
                                                       client__is_active=True):  # a disabled client gets nothing
            endpoints.setdefault(endpoint.client_id, []).append(endpoint)
        deliveries = [WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
                      for event in events for endpoint in endpoints.get(event.client_id, [])
                      if event.type in (endpoint.events or [])]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
    return list(WebhookDelivery.objects.filter(event__in=events, attempts=0, status="pending")
                .values_list("pk", flat=True))


# --- One attempt ----------------------------------------------------------------------------------

def webhook_body(event: OutboxEvent) -> str:
    """The JSON body of every attempt for this event (Standard Webhooks: ``type``, ``timestamp``, ``data``)."""
    return json.dumps({"type": event.type, "timestamp": event.created_at.isoformat(),
                       "data": event.payload.get("data", event.payload)},
                      separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def webhook_sign_headers(*, secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def webhook_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling after each failed attempt, at most 6 h."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))


#: From a delivery's first attempt to its last (about 26 hours): how long a delivery is retried, and so how long one
#: waits for a failing endpoint's probe before it ends, failed, like one that was tried (:func:`_claim_attempt`).
RETRY_SPAN = sum((webhook_backoff(attempt) for attempt in range(1, MAX_ATTEMPTS)), timedelta())
GAVE_UP_WAITING = "endpoint failing: gave up waiting for another delivery's tries to succeed (retry period over)"


def _probe_retry_at(delivery: WebhookDelivery, now: datetime) -> datetime | None:
    """When another delivery tries this failing endpoint next (it waits for its backoff, or is in flight), or None.

    Once an attempt failed, one delivery at a time probes the endpoint and the others wait for its outcome: a
    receiver that stalls for the whole :data:`DEADLINE` held a worker per new event, and the workers are shared
    by every client's deliveries. The first success lets the waiting ones go (:func:`_attempt`)."""
    if not delivery.endpoint.failing:
        return None
    return (WebhookDelivery.objects.filter(endpoint_id=delivery.endpoint_id, status="pending", attempts__gte=1,
                                           next_attempt_at__gt=now).exclude(pk=delivery.pk)
            .aggregate(at=Min("next_attempt_at"))["at"])


def _claim_attempt(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the delivery for one attempt (a lease in ``next_attempt_at``), or None if it is not due."""
    with transaction.atomic():
        # FOR UPDATE with the joins locks the endpoint's row too (no ``of=``): claims on one endpoint run one after
        # another, which is what lets a single delivery probe a failing endpoint (:func:`_probe_retry_at`)
        delivery = (WebhookDelivery.objects.select_for_update().select_related("endpoint__client", "event")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status != "pending":
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        probe_retry = _probe_retry_at(delivery, now)
        if probe_retry is not None:  # waits for the probe, with its attempts untouched
            # ... but not for ever: each waiting delivery became the probe in turn, for all its attempts, so with
            # a receiver gone for good the later ones stayed pending indefinitely (and were never pruned)
            give_up_at = delivery.created_at + RETRY_SPAN
            if now >= give_up_at:
                entry = {"attempt": delivery.attempts, "at": now.isoformat(), "status_code": None,
                         "latency_ms": None, "error": GAVE_UP_WAITING}
                delivery.log = [*delivery.log, entry][-MAX_LOG_ENTRIES:]
                delivery.status, delivery.next_attempt_at = "failed", None
                delivery.save(update_fields=["log", "status", "next_attempt_at"])
                logger.warning("webhook %s to endpoint %s failed: %s", delivery.event.event_id,
                               delivery.endpoint.public_id, GAVE_UP_WAITING)
                return None
            delivery.next_attempt_at = min(probe_retry, give_up_at)
            delivery.save(update_fields=["next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + ATTEMPT_LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _send(delivery: WebhookDelivery, *, transport: httpx.BaseTransport | None) -> dict:
    endpoint, event = delivery.endpoint, delivery.event
    at = timezone.now()
    body = webhook_body(event)
    entry = {"attempt": delivery.attempts, "at": at.isoformat(), "status_code": None, "latency_ms": None,
             "error": ""}
    started = time.perf_counter()
    try:
        target = webhook_url_resolve(endpoint.url)  # checked again: DNS may have changed since registration
        headers = {"Host": target.host_header, "Content-Type": "application/json", "User-Agent": USER_AGENT,
                   **webhook_sign_headers(secret=endpoint.secret, msg_id=str(event.event_id), body=body, at=at)}
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        status_code = _post_within_deadline(target, body.encode(), headers, extensions, transport=transport)
        entry["status_code"] = status_code
        if not 200 <= status_code < 300:
            entry["error"] = f"HTTP {status_code}"
    except AttemptDeadline:
        entry["error"] = f"timeout: no answer within {DEADLINE:g} s"
    except WebhookUrlRefused as exc:
        entry["error"] = f"refused: {exc.message}"
    except httpx.HTTPError as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
    entry["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return entry


class AttemptDeadline(Exception):
    """The receiver did not answer (status line and headers) within :data:`DEADLINE` seconds."""


def _post(target: WebhookTarget, content: bytes, headers: dict, extensions: dict, *,
          transport: httpx.BaseTransport | None) -> int:
    """POST to the checked addresses in DNS order and return the status, streaming: the body is not read."""
    with http_client(timeout=TIMEOUT, connect_timeout=CONNECT_TIMEOUT, transport=transport) as client:
        for index, address in enumerate(target.addresses):  # every one was checked; try them in DNS order
            try:
                with client.stream("POST", target.pinned_url(address), content=content, headers=headers,
                                   extensions=extensions) as response:
                    return response.status_code  # leaving the block closes the connection, body unread
            except httpx.ConnectError:
                if index == len(target.addresses) - 1:
                    raise
    raise httpx.ConnectError("no address to connect to")


def _post_within_deadline(target: WebhookTarget, content: bytes, headers: dict, extensions: dict, *,
                          transport: httpx.BaseTransport | None) -> int:
    """:func:`_post` with a total deadline. httpx's timeouts are per read, so a receiver that sends one byte
    every few seconds would hold the delivery worker for as long as it likes; here the attempt runs in a
    helper thread and the worker stops waiting at the deadline (the thread ends at its next read timeout)."""
    outcome: dict = {}

    def run():
        try:
            outcome["status"] = _post(target, content, headers, extensions, transport=transport)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="webhook-attempt", daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if thread.is_alive():
        raise AttemptDeadline()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["status"]


def webhook_deliver(*, delivery_id: int, transport: httpx.BaseTransport | None = None) -> WebhookDelivery | None:
    """Make one attempt if the delivery is due; record it; schedule the next one or give up.

    A 2xx answer delivers. Anything else (another status, a timeout, a refused address) is retried after
    :func:`webhook_backoff`, up to :data:`MAX_ATTEMPTS`, then the delivery is ``failed``. Returns the
    delivery, or None when it was not due (delivered, failed, or another worker holds it).
    """
    delivery = _claim_attempt(delivery_id, timezone.now())
    if delivery is None:
        return None
    data = delivery.event.payload.get("data") or {}
    with pipeline_context(delivery_id=delivery.pk, event_id=str(delivery.event.event_id),
                          event_type=delivery.event.type, submission_id=data.get("id"),
                          review_item_id=(data.get("review_item") or {}).get("id")):
        return _attempt(delivery, transport=transport)


def _attempt(delivery: WebhookDelivery, *, transport: httpx.BaseTransport | None) -> WebhookDelivery | None:
    if not delivery.endpoint.is_active or not delivery.endpoint.client.is_active:
        entry = {"attempt": delivery.attempts, "at": timezone.now().isoformat(), "status_code": None,
                 "latency_ms": None, "error": "endpoint disabled"}
    else:
        entry = _send(delivery, transport=transport)
    delivered = entry["status_code"] is not None and 200 <= entry["status_code"] < 300
    level = logging.INFO if delivered else logging.WARNING
    logger.log(level, "webhook %s attempt %s to endpoint %s: %s in %s ms %s", delivery.event.event_id,
               delivery.attempts, delivery.endpoint.public_id, entry["status_code"], entry["latency_ms"],
               entry["error"])
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if delivery is None:  # the endpoint was deleted during the attempt
            return None
        delivery.log = [*delivery.log, entry][-MAX_LOG_ENTRIES:]
        if entry["error"] != "endpoint disabled":
            _endpoint_record_outcome(delivery.endpoint, delivered=delivered)
        if delivered:
            delivery.status, delivery.next_attempt_at = "delivered", None
        elif delivery.attempts >= MAX_ATTEMPTS or entry["error"] == "endpoint disabled":
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            delivery.next_attempt_at = timezone.now() + webhook_backoff(delivery.attempts)
        delivery.save(update_fields=["log", "status", "next_attempt_at"])
    return delivery


def _endpoint_record_outcome(endpoint: WebhookEndpoint, *, delivered: bool) -> None:
    """Mark the endpoint failing or not; when it answers again, the deliveries that waited for it (never tried
    yet, so none is in flight) are due at once rather than at the failed probe's next try."""
    # conditional on the stored flag, not the one read before the attempt: of two outcomes recorded at once,
    # each flips it only from what it is now, and only the flip to "answering" releases the waiting ones
    flipped = WebhookEndpoint.objects.filter(pk=endpoint.pk, failing=delivered).update(failing=not delivered)
    endpoint.failing = not delivered
    if flipped and delivered:
        WebhookDelivery.objects.filter(endpoint_id=endpoint.pk, status="pending", attempts=0,
                                       next_attempt_at__gt=timezone.now()).update(next_attempt_at=timezone.now())


def webhook_records_prune() -> int:
    """Forget dispatched events older than ``WEBHOOK_RETENTION_DAYS`` whose deliveries all ended, and those
    deliveries with them (the ``moderation.prune_webhook_records`` beat task). Returns how many events went.

    An event still being retried, or not yet dispatched, stays whatever its age. The audit trail is the
    moderators' actions and statements (``Action``, ``StatementOfReasons``), which are never pruned here."""
    days = app_settings.WEBHOOK_RETENTION_DAYS
    if days is None:
        return 0
    ended = OutboxEvent.objects.filter(dispatched_at__lt=timezone.now() - timedelta(days=days)).exclude(
        Exists(WebhookDelivery.objects.filter(event=OuterRef("pk"), status="pending")))
    deleted = 0
    while ids := list(ended.values_list("pk", flat=True)[:1000]):  # in batches: one huge DELETE locks too long
        OutboxEvent.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def webhooks_deliver_due(*, limit: int = 50, budget_seconds: float = 120.0,
                         transport: httpx.BaseTransport | None = None) -> int:
    """Attempt every pending delivery whose ``next_attempt_at`` has passed (run on beat). Returns how many.

    Stops starting new attempts after ``budget_seconds`` so the task stays well inside its time limit; the
    next beat picks up the rest.
    """
    started = time.monotonic()
    due = (WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=timezone.now())
           .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    count = 0
    for delivery_id in list(due):
        if time.monotonic() - started > budget_seconds:
            break
        if webhook_deliver(delivery_id=delivery_id, transport=transport) is not None:
            count += 1
    return count
