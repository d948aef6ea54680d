"""The recorder over REST: AI tools in another forum's editor record their help on a draft, and that forum
reads back a pre-filled disclosure for its form (the author still confirms it).

``POST /api/v1/drafts`` → 201 ``{"id", …}``; ``GET /api/v1/drafts/{id}``;
``POST /api/v1/drafts/{id}/assistance`` ``{"kind", "extent", "tool", "details"}`` → 201. Scope ``submit``;
a client sees only its own drafts (another client's id → 404).
"""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from disclosure.models import Draft
from disclosure.recorder import KINDS, RecorderError, draft_create, draft_prefill, record_assistance
from disclosure.schema import EXTENTS

from .errors import error, error_response
from .serializers import AsIs, ErrorOut, StrictSerializer, Text, TextField, Timestamp, Uuid
from .idempotency import HEADER_PARAMETER, idempotent
from .views import BODY_ERRORS as VIEW_BODY_ERRORS, IDEMPOTENCY_ERRORS, ApiView

ERRORS = {400: OpenApiResponse(ErrorOut, description="Invalid input, with field-level errors."),
          401: OpenApiResponse(ErrorOut, description="Missing, unknown or revoked API key."),
          403: OpenApiResponse(ErrorOut, description="The key lacks the submit scope."),
          404: OpenApiResponse(ErrorOut, description="Not found, or not yours."),
          429: OpenApiResponse(ErrorOut, description="Too many requests; see `Retry-After`.")}
#: the answers of an endpoint that reads a JSON body
BODY_ERRORS = {**ERRORS, **VIEW_BODY_ERRORS}


class DraftCreateIn(StrictSerializer):
    author_external_id = TextField(max_length=200, required=False, allow_blank=True, default="",
                                   help_text="Your forum's id of the author writing the draft; a post made "
                                             "with the draft must be this author's.")


class AssistanceIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    extent = serializers.ChoiceField(choices=list(EXTENTS))
    tool = TextField(max_length=100, required=False, allow_null=True, default=None)
    details = TextField(max_length=500, required=False, allow_null=True, allow_blank=True, default=None)


class AssistanceEventOut(serializers.Serializer):
    kind = Text()
    extent = Text()
    tool = Text(allow_null=True)
    details = Text(allow_null=True)
    at = Text()


class AssistanceEvents(serializers.ListField):
    child = AssistanceEventOut()

    def to_representation(self, data):
        return data  # the events as the recorder stored them


class DraftAuthor(AsIs, serializers.CharField):
    def get_attribute(self, draft):
        return draft.owner_key.removeprefix(self.context["client"].draft_owner_prefix)


class DisclosurePrefill(AsIs, serializers.JSONField):
    def get_attribute(self, draft):
        return draft_prefill(draft)


# Written from a Draft, with the calling client in the context (``{"client": …}``).
class DraftOut(serializers.Serializer):
    id = Uuid(source="public_id")
    author_external_id = DraftAuthor(allow_blank=True)
    events = AssistanceEvents()
    disclosure_prefill = DisclosurePrefill(help_text="A disclosure suggestion for your form: the kinds of help "
                                                     "at the largest extent recorded and the tools. The author "
                                                     "completes and confirms it.")
    created_at = Timestamp()


def _draft_out(draft: Draft, client) -> dict:
    return DraftOut(draft, context={"client": client}).data


class DraftApiView(ApiView):
    required_scope = "submit"

    def get_draft(self, public_id) -> Draft:
        draft = Draft.objects.filter(public_id=public_id, owner_key__startswith=self.client.draft_owner_prefix).first()
        if draft is None:
            raise Http404("No such draft.")
        return draft


class DraftCreateView(DraftApiView):
    @extend_schema(request=DraftCreateIn, parameters=[HEADER_PARAMETER],
                   responses={201: DraftOut, **BODY_ERRORS, **IDEMPOTENCY_ERRORS}, summary="Start a draft",
                   description="A draft on which your editor's AI tools record the help they give.")
    @idempotent
    def post(self, request):
        data = DraftCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        draft = draft_create(owner_key=self.client.draft_owner_prefix + data.validated_data["author_external_id"])
        return Response(_draft_out(draft, self.client), status=status.HTTP_201_CREATED)


class DraftDetailView(DraftApiView):
    @extend_schema(responses={200: DraftOut, **ERRORS}, summary="A draft and its pre-filled disclosure")
    def get(self, request, public_id):
        return Response(_draft_out(self.get_draft(public_id), self.client))


class DraftAssistanceView(DraftApiView):
    @extend_schema(request=AssistanceIn, parameters=[HEADER_PARAMETER],
                   responses={201: DraftOut, **BODY_ERRORS, **IDEMPOTENCY_ERRORS}, summary="Record AI assistance",
                   description="Call this from an AI tool in your editor (a rewrite button, a translator) each "
                               "time it changes the draft. Send an `Idempotency-Key` if you retry: without one, "
                               "a retry records the help twice.")
    @idempotent
    def post(self, request, public_id):
        draft = self.get_draft(public_id)
        data = AssistanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            draft = record_assistance(draft, **data.validated_data)
        except RecorderError as exc:
            return error_response([error(exc.field, exc.message)], status.HTTP_400_BAD_REQUEST)
        return Response(_draft_out(draft, self.client), status=status.HTTP_201_CREATED)
