"""The API's views: parse typed input, call one service or selector, answer. Errors: :mod:`.errors`."""
from __future__ import annotations

from csp.decorators import csp_update
from django.http import JsonResponse
from django.http.request import MediaType
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure.schema import ASSISTANCE_KINDS, EXTENTS, json_schema

from ..conf import app_settings
from ..models import ReviewItem, ReviewItemKind, ReviewStatus, WebhookDelivery
from ..services.intake import SubmissionInvalid
from ..services.drafts import submission_submit_from_draft
from ..services.erasure import author_erase
from ..services.host_removal import submission_host_removal_clear, submission_host_removal_record
from ..services.review import Actor, review_item_claim, review_item_decide, review_item_note
from ..services.webhooks import WebhookInvalid, webhook_endpoint_create, webhook_endpoint_delete
from ..selectors import api as selectors
from ..selectors.author_data import author_data
from ..selectors.queue import moderator_notes
from ..selectors.labels import submission_label
from . import serializers as s
from .auth import BearerKeyAuthentication, ClientRateThrottle, HasScope, request_client
from .errors import PayloadTooLarge, api_exception_handler, error, error_response
from .health import system_health
from .paging import StrictCursorPagination, StrictOrderingFilter
from .idempotency import HEADER_PARAMETER, idempotent

ERR = OpenApiResponse(s.ErrorOut, description="Error")
AUTH_ERRORS = {401: OpenApiResponse(s.ErrorOut, description="Missing, unknown or revoked API key."),
               403: OpenApiResponse(s.ErrorOut, description="The key lacks the scope this endpoint needs."),
               429: OpenApiResponse(s.ErrorOut, description="Too many requests; see `Retry-After`.")}
NOT_FOUND = {404: OpenApiResponse(s.ErrorOut, description="Not found, or not yours.")}
#: what every operation that reads a JSON body may answer about it (POST /submissions has its own, lower, 413)
BODY_ERRORS = {400: OpenApiResponse(s.ErrorOut, description="Invalid input, with field-level errors."),
               413: OpenApiResponse(s.ErrorOut, description="The body is over Django's upload limit "
                                    "(`DATA_UPLOAD_MAX_MEMORY_SIZE`, default 2.5 MB)."),
               415: OpenApiResponse(s.ErrorOut, description="Send `Content-Type: application/json`.")}
ERASED_AUTHOR = OpenApiResponse(s.ErrorOut, description="The post's author was erased: it stays removed with the "
                                "erasure's reason.")
#: what an ``Idempotency-Key`` adds to an operation's answers (claims and decisions have their own 409)
KEY_IN_FLIGHT = "a request with this Idempotency-Key is still being answered"
KEY_REUSED = OpenApiResponse(s.ErrorOut, description="The Idempotency-Key was used with another request.")
IDEMPOTENCY_ERRORS = {409: OpenApiResponse(s.ErrorOut, description=KEY_IN_FLIGHT[0].upper() + KEY_IN_FLIGHT[1:] + "."),
                      422: KEY_REUSED}


class SafeJSONParser(JSONParser):
    """JSON whose nesting blows Python's recursion limit is a parse error (400), not a crash."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None


class QualityContentNegotiation(DefaultContentNegotiation):
    """DRF reads ``Accept`` by precedence only, so ``application/json;q=0`` ("not JSON", RFC 9110 12.5.1) was
    answered in JSON. A renderer whose most specific matching range has ``q=0`` is refused here (406)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        accepted = [MediaType(item) for item in self.get_accept_list(request)]

        def refused(renderer) -> bool:
            ranges = [media for media in accepted if MediaType(renderer.media_type).match(media)]
            return bool(ranges) and max(ranges, key=lambda media: media.specificity).quality == 0

        acceptable = [renderer for renderer in renderers if not refused(renderer)]
        if not acceptable:
            raise NotAcceptable(available_renderers=renderers)
        return super().select_renderer(request, acceptable, format_suffix)


class ApiView(APIView):
    authentication_classes = [BearerKeyAuthentication]
    content_negotiation_class = QualityContentNegotiation
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    parser_classes = [SafeJSONParser]
    renderer_classes = [JSONRenderer]
    #: The scope a key needs here ("submit", "moderate"), or None for any valid key.
    required_scope: str | None = None

    def get_exception_handler(self):
        return api_exception_handler

    @property
    def client(self):
        return request_client(self.request)


# --- Public -----------------------------------------------------------------------------------------

class HealthView(ApiView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    @extend_schema(auth=[], responses={200: s.HealthOut, 503: s.HealthOut}, summary="Service health",
                   description="Database and broker reachability and the last worker heartbeat. 503 when the "
                               "database or the broker is unreachable. No authentication.")
    def get(self, request):
        healthy, data = system_health()
        return Response(data, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)


class DisclosureSchemaView(ApiView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    @extend_schema(auth=[], responses={200: OpenApiTypes.OBJECT}, summary="Disclosure JSON Schema",
                   description="The JSON Schema (draft 2020-12) of the current disclosure version.")
    def get(self, request):
        return Response(json_schema())


@csp_update({"style-src": ["'unsafe-inline'"]})
def docs_view(request, *args, **kwargs):
    """Swagger UI from local static files (drf-spectacular-sidecar); its init script is a separate same-origin
    request, so only its inline ``<style>`` needs a CSP relaxation, on this page alone."""
    return _swagger(request, *args, **kwargs)


_swagger = SpectacularSwaggerSplitView.as_view(url_name="api:schema")


@csrf_exempt  # an unknown path is a 404 whatever the method; CSRF only protects cookie sessions anyway
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's error shape, not Django's HTML page."""
    return JsonResponse({"errors": [error("", "Not found.")]}, status=404)


# --- Submissions ------------------------------------------------------------------------------------

def _allowed_disclosure_values() -> dict:
    return {"human_only": [True, False], "assistance.kind": list(ASSISTANCE_KINDS),
            "assistance.extent": list(EXTENTS)}


class SubmissionCreateView(ApiView):
    required_scope = "submit"

    @extend_schema(
        request=s.SubmissionIn,
        parameters=[HEADER_PARAMETER],
        responses={202: OpenApiResponse(s.SubmissionAcceptedOut, description="A new revision was accepted and "
                                        "queued for evaluation."),
                   200: OpenApiResponse(s.SubmissionAcceptedOut, description="Unchanged content: no new revision, "
                                        "nothing re-queued."),
                   **BODY_ERRORS, **AUTH_ERRORS,
                   409: OpenApiResponse(s.ErrorOut, description="A request with this Idempotency-Key is in progress."),
                   413: OpenApiResponse(s.ErrorOut, description="The body is over the size limit (default 200 KB)."),
                   422: OpenApiResponse(s.MissingDisclosureOut, description="The category requires a disclosure, "
                                        "or the Idempotency-Key was used with another request.")},
        summary="Submit a post (or a new version of it)",
        examples=[OpenApiExample("AI-assisted post", request_only=True, value={
            "external_id": "post-123", "author": {"external_id": "u-7", "display_name": "Ada", "standing": "regular"},
            "category": "general", "title": "On calibration", "format": "markdown",
            "body": "My argument…\n\n:::ai-written model=\"Claude\"\nA summary the model wrote.\n:::\n",
            "disclosure": {"human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}],
                           "tools": ["Claude"], "ai_share_percent": 15,
                           "process": "The model wrote the marked summary from my notes; the rest is mine."}})],
    )
    def post(self, request):
        limit = app_settings.MAX_SUBMISSION_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit or len(request.body) > limit:  # request.body past DATA_UPLOAD_MAX_MEMORY_SIZE → 413 too
            raise PayloadTooLarge(f"The request body is over {limit} bytes.")
        return self._submit(request)

    @idempotent
    def _submit(self, request) -> Response:
        client = self.client
        data = s.SubmissionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            result = submission_submit_from_draft(
                client=client, draft_id=v.get("draft_id"), external_id=v["external_id"],
                author_external_id=v["author"]["external_id"], author_display_name=v["author"]["display_name"],
                author_standing=v["author"]["standing"], category=v["category"], title=v["title"], body=v["body"],
                fmt=v["format"], disclosure_data=v["disclosure"],
                editor_external_id=(v["editor"] or {}).get("external_id", ""),
                editor_display_name=(v["editor"] or {}).get("display_name", ""))
        except SubmissionInvalid as exc:
            if exc.status_code == 422:
                exc.extra = {**exc.extra, "policy_url": client.policy_url,
                             "disclosure_schema": request.build_absolute_uri(reverse("api:disclosure-schema")),
                             "allowed_values": _allowed_disclosure_values()}
            raise
        submission = result.submission
        accepted = selectors.SubmissionAccepted(
            submission=submission, revision=result.revision, new_revision=result.new_revision,
            label=submission_label(submission, result.revision).as_dict(),
            url=request.build_absolute_uri(reverse("api:submission-detail", args=[submission.public_id])))
        return Response(s.SubmissionAcceptedOut(accepted).data, status=status.HTTP_202_ACCEPTED if result.new_revision else status.HTTP_200_OK)


class SubmissionDetailView(ApiView):
    required_scope = "submit"

    @extend_schema(responses={200: s.SubmissionOut, **AUTH_ERRORS, **NOT_FOUND}, summary="A submission's verdict")
    def get(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        return Response(s.SubmissionOut(selectors.submission_detail(submission=submission)).data)


class SubmissionRemovalView(ApiView):
    """Your forum's own removal of a post (its delete), so that moderators here do not judge a post gone."""

    required_scope = "submit"

    @extend_schema(request=s.HostRemovalIn, responses={200: s.SubmissionOut, **BODY_ERRORS, **AUTH_ERRORS,
                                                       **NOT_FOUND, 409: ERASED_AUTHOR},
                   summary="Say that your forum removed a post",
                   description="Not a moderation decision: the post's status, label and review items stay. The "
                               "queue and the item page say the post was removed in your forum (with the reason), "
                               "and `removed_in_forum` says so here. Sending it again changes nothing; a new "
                               "reason or note replaces the old. Audited. 409 for an erased author's post.")
    def put(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        data = s.HostRemovalIn(data=request.data)
        data.is_valid(raise_exception=True)
        submission = submission_host_removal_record(submission=submission, actor=Actor.for_client(self.client),
                                                    reason=data.validated_data["reason"],
                                                    note=data.validated_data["note"])
        return Response(s.SubmissionOut(selectors.submission_detail(submission=submission)).data)

    @extend_schema(responses={200: s.SubmissionOut, **AUTH_ERRORS, **NOT_FOUND, 409: ERASED_AUTHOR},
                   summary="Say that your forum restored a removed post",
                   description="`removed_in_forum` becomes null. Restoring a post that is not removed changes "
                               "nothing. Audited. 409 for an erased author's post (its text is gone).")
    def delete(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        submission = submission_host_removal_clear(submission=submission, actor=Actor.for_client(self.client))
        return Response(s.SubmissionOut(selectors.submission_detail(submission=submission)).data)


class ErasureView(ApiView):
    """An author's right to erasure (GDPR Art. 17): their personal data goes, the moderation record stays."""

    required_scope = "submit"

    @extend_schema(request=s.AuthorRefIn, responses={200: s.ErasureOut, **BODY_ERRORS, **AUTH_ERRORS},
                   summary="Erase an author's personal data",
                   description="Erases, for your author `author_external_id`: every revision's title and body, "
                               "the free text of their disclosures, their appeal messages, the notes of reports "
                               "they filed, the excerpts of their posts in statements of reasons, what classifiers "
                               "wrote about the text in words, their display name (also as an editor), "
                               "notifications and drafts; their id becomes `pseudonym` everywhere. Kept: each "
                               "post's status, disclosure structure, scores, evaluations, review items, decisions "
                               "and the audit log (without the author's words). An erased post is hidden for good, "
                               "marked removed in your forum, cannot be appealed or restored, and takes no new "
                               "revision (409). Cannot be undone; sending it again erases nothing more (all counts "
                               "0, `pseudonym` null). It takes no `Idempotency-Key`: a stored answer would link "
                               "the id to its pseudonym.")
    def post(self, request):
        data = s.AuthorRefIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = author_erase(client=self.client, author_external_id=data.validated_data["author_external_id"],
                              actor=Actor.for_client(self.client))
        return Response(s.ErasureOut(report.as_dict()).data)


class AuthorDataView(ApiView):
    """An author's right of access (GDPR Art. 15) and to data portability (Art. 20)."""

    required_scope = "submit"

    @extend_schema(request=s.AuthorRefIn, responses={200: OpenApiTypes.OBJECT, **BODY_ERRORS, **AUTH_ERRORS},
                   summary="Everything kept about an author",
                   description="For your author `author_external_id`: their posts (every revision as written and "
                               "declared, the classifiers' scores and flagged passages, the policy's evaluations, "
                               "decisions with their messages, statements of reasons, appeals, moderators' notes, "
                               "the number of reports each received), the reports they filed, their edits of "
                               "other people's posts (which and when), their notifications and drafts, as JSON "
                               "(`export_version` 1). Other people's data (who reported them, moderators' names, "
                               "your forum's removal note) is not included. POST, so the id stays out of URLs "
                               "and access logs; it changes nothing.")
    def post(self, request):
        data = s.AuthorRefIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(author_data(client=self.client,
                                    author_external_id=data.validated_data["author_external_id"]))


# --- Review queue -----------------------------------------------------------------------------------

class ReviewItemFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    kind = filters.ChoiceFilter(choices=ReviewItemKind.choices)
    reason = filters.CharFilter(method="filter_reason", max_length=100, help_text="Items with this reason code.")
    removed_in_forum = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_removed",
        help_text="true: only items whose post your forum removed itself (`PUT …/removal`, or an erased author's); "
                  "false: leave those out.")

    def filter_reason(self, queryset, name, value):
        return selectors.review_items_with_reason(queryset, value) if value else queryset

    def filter_removed(self, queryset, name, value):
        return queryset.filter(submission__host_removed_at__isnull=value != "true") if value else queryset


class ReviewItemCursor(StrictCursorPagination):
    ordering = ("-priority", "created_at")


class ReviewItemListView(ApiView, generics.ListAPIView):
    required_scope = "moderate"
    filter_backends = [filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = ReviewItemFilter
    ordering_fields = ["priority", "created_at"]
    ordering = ("-priority", "created_at")
    pagination_class = ReviewItemCursor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view
            return ReviewItem.objects.none()
        return selectors.review_items_for_client(client=self.client)

    @extend_schema(responses={200: s.ReviewItemOut(many=True), 400: ERR, **AUTH_ERRORS,
                              404: OpenApiResponse(s.ErrorOut, description="Invalid cursor.")},
                   summary="Your review queue",
                   description="Review items of your own submissions. Cursor-paginated: follow `next`.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ReviewItemOut(page, many=True).data)


class ReviewItemClaimView(ApiView):
    required_scope = "moderate"

    @extend_schema(request=s.ClaimIn, parameters=[HEADER_PARAMETER],
                   responses={200: s.ReviewItemOut, **BODY_ERRORS, **AUTH_ERRORS, **NOT_FOUND, 422: KEY_REUSED,
                              409: OpenApiResponse(s.ReviewConflictOut, description=(
                                  f"Claimed by someone else, decided, or changed since `version`; or {KEY_IN_FLIGHT} "
                                  "(then only `errors`)."))},
                   summary="Claim a review item")
    @idempotent
    def post(self, request, public_id):
        item = selectors.review_item_get_for_client(client=self.client, public_id=public_id)
        data = s.ClaimIn(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        item = review_item_claim(item_id=item.pk, actor=Actor.for_client(self.client),
                                 expected_version=data.validated_data.get("version"))
        return Response(s.ReviewItemOut(item).data)


class ReviewItemDecisionView(ApiView):
    required_scope = "moderate"

    @extend_schema(request=s.DecisionIn, parameters=[HEADER_PARAMETER],
                   responses={200: s.ReviewItemOut, **BODY_ERRORS, **AUTH_ERRORS, **NOT_FOUND, 422: KEY_REUSED,
                              409: OpenApiResponse(s.ReviewConflictOut, description=(
                                  "Decided already, or changed since `version`, or the author posted a newer "
                                  f"revision than `revision`; or {KEY_IN_FLIGHT} (then only `errors`). A retry with "
                                  "the same `Idempotency-Key` gets the first answer, not this 409."))},
                   summary="Decide a review item")
    @idempotent
    def post(self, request, public_id):
        item = selectors.review_item_get_for_client(client=self.client, public_id=public_id)
        data = s.DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = review_item_decide(item_id=item.pk, actor=Actor.for_client(self.client), action=v["action"],
                                  reason=v["reason"], message=v["message"], template_code=v["template"] or None,
                                  label=v["label"] or None, expected_version=v["version"],
                                  expected_revision=v.get("revision"))
        return Response(s.ReviewItemOut(item).data)


class ReviewItemNotesView(ApiView):
    """Notes for moderators on a post (across its items); never shown to the author."""

    required_scope = "moderate"

    @extend_schema(responses={200: s.NoteOut(many=True), **AUTH_ERRORS, **NOT_FOUND},
                   summary="Moderators' notes on a review item's post")
    def get(self, request, public_id):
        item = selectors.review_item_get_for_client(client=self.client, public_id=public_id)
        return Response(s.NoteOut(moderator_notes(item.submission), many=True).data)

    @extend_schema(request=s.NoteIn, parameters=[HEADER_PARAMETER],
                   responses={201: s.NoteOut, **BODY_ERRORS, **AUTH_ERRORS, **NOT_FOUND, **IDEMPOTENCY_ERRORS},
                   summary="Add a note for the other moderators",
                   description="Not a decision: the item's status and `version` do not change. Audited. Send an "
                               "`Idempotency-Key` if you retry: without one, a retry writes the note twice.")
    @idempotent
    def post(self, request, public_id):
        item = selectors.review_item_get_for_client(client=self.client, public_id=public_id)
        data = s.NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = review_item_note(item_id=item.pk, actor=Actor.for_client(self.client),
                                text=data.validated_data["text"])
        return Response(s.NoteOut(note).data, status=status.HTTP_201_CREATED)


# --- Webhooks -------------------------------------------------------------------------------------

class WebhookListView(ApiView):
    @extend_schema(responses={200: s.WebhookOut(many=True), **AUTH_ERRORS}, summary="Your webhooks")
    def get(self, request):
        return Response(s.WebhookOut(selectors.webhooks_for_client(client=self.client), many=True).data)

    @extend_schema(request=s.WebhookIn, parameters=[HEADER_PARAMETER],
                   responses={201: s.WebhookCreatedOut, **BODY_ERRORS, **AUTH_ERRORS, **IDEMPOTENCY_ERRORS},
                   summary="Register a webhook",
                   description="The response carries the signing secret, shown only this once. Deliveries are "
                               "signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, "
                               "`webhook-signature`). URLs resolving to loopback, private, link-local or metadata "
                               "addresses are refused. A retry with the same `Idempotency-Key` gets the same "
                               "webhook and secret, not a second webhook.")
    @idempotent
    def post(self, request):
        data = s.WebhookIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            endpoint = webhook_endpoint_create(client=self.client, **data.validated_data)
        except WebhookInvalid as exc:
            return error_response([error(exc.field, exc.message)], status.HTTP_400_BAD_REQUEST)
        return Response(s.WebhookCreatedOut(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(ApiView):
    @extend_schema(responses={200: s.WebhookOut, **AUTH_ERRORS, **NOT_FOUND}, summary="A webhook")
    def get(self, request, public_id):
        return Response(s.WebhookOut(selectors.webhook_get_for_client(client=self.client, public_id=public_id)).data)

    @extend_schema(responses={204: None, **AUTH_ERRORS, **NOT_FOUND}, summary="Delete a webhook")
    def delete(self, request, public_id):
        webhook_endpoint_delete(endpoint=selectors.webhook_get_for_client(client=self.client, public_id=public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryCursor(StrictCursorPagination):
    ordering = ("-created_at", "-id")


class WebhookDeliveriesView(ApiView, generics.ListAPIView):
    pagination_class = DeliveryCursor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        endpoint = selectors.webhook_get_for_client(client=self.client, public_id=self.kwargs["public_id"])
        return selectors.webhook_deliveries(endpoint=endpoint)

    @extend_schema(responses={200: s.DeliveryOut(many=True), 400: ERR, **AUTH_ERRORS,
                              404: OpenApiResponse(s.ErrorOut, description="Not found, not yours, or invalid cursor.")},
                   summary="A webhook's deliveries and their attempts")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.DeliveryOut(page, many=True).data)
