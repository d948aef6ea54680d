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
from .serializers import ErrorOut
from .views import ApiView

ERRORS = {400: OpenApiResponse(ErrorOut, description="Invalid input, with field-level errors."),
          401: OpenApiResponse(ErrorOut, description="Missing, unknown or revoked API key."),
          403: OpenApiResponse(ErrorOut, description="The key lacks the submit scope."),
          404: OpenApiResponse(ErrorOut, description="Not found, or not yours.")}


def _owner_prefix(client) -> str:
    return f"client:{client.public_id}:"


class DraftCreateIn(serializers.Serializer):
    author_external_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                               help_text="Your forum's id of the author writing the draft.")


class AssistanceIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    extent = serializers.ChoiceField(choices=list(EXTENTS))
    tool = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)
    details = serializers.CharField(max_length=500, required=False, allow_null=True, allow_blank=True, default=None)


class AssistanceEventOut(serializers.Serializer):
    kind = serializers.CharField()
    extent = serializers.CharField()
    tool = serializers.CharField(allow_null=True)
    details = serializers.CharField(allow_null=True)
    at = serializers.CharField()


class DraftOut(serializers.Serializer):
    id = serializers.UUIDField()
    author_external_id = serializers.CharField(allow_blank=True)
    events = AssistanceEventOut(many=True)
    disclosure_prefill = serializers.JSONField(help_text="A disclosure suggestion for your form: the kinds of help "
                                                         "at the largest extent recorded and the tools. The author "
                                                         "completes and confirms it.")
    created_at = serializers.DateTimeField()


def _draft_out(draft: Draft, client) -> dict:
    return {"id": str(draft.public_id), "author_external_id": draft.owner_key.removeprefix(_owner_prefix(client)),
            "events": draft.events, "disclosure_prefill": draft_prefill(draft),
            "created_at": draft.created_at.isoformat()}


class DraftApiView(ApiView):
    required_scope = "submit"

    def get_draft(self, public_id) -> Draft:
        draft = Draft.objects.filter(public_id=public_id, owner_key__startswith=_owner_prefix(self.client)).first()
        if draft is None:
            raise Http404("No such draft.")
        return draft


class DraftCreateView(DraftApiView):
    @extend_schema(request=DraftCreateIn, responses={201: DraftOut, **ERRORS}, summary="Start a draft",
                   description="A draft on which your editor's AI tools record the help they give.")
    def post(self, request):
        data = DraftCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        draft = draft_create(owner_key=_owner_prefix(self.client) + data.validated_data["author_external_id"])
        return Response(_draft_out(draft, self.client), status=status.HTTP_201_CREATED)


class DraftDetailView(DraftApiView):
    @extend_schema(responses={200: DraftOut, **ERRORS}, summary="A draft and its pre-filled disclosure")
    def get(self, request, public_id):
        return Response(_draft_out(self.get_draft(public_id), self.client))


class DraftAssistanceView(DraftApiView):
    @extend_schema(request=AssistanceIn, responses={201: DraftOut, **ERRORS}, summary="Record AI assistance",
                   description="Call this from an AI tool in your editor (a rewrite button, a translator) each "
                               "time it changes the draft.")
    def post(self, request, public_id):
        draft = self.get_draft(public_id)
        data = AssistanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            draft = record_assistance(draft, **data.validated_data)
        except RecorderError as exc:
            return error_response([error(exc.field, exc.message)], status.HTTP_400_BAD_REQUEST)
        return Response(_draft_out(draft, self.client), status=status.HTTP_201_CREATED)


def draft_for_submission(*, client, draft_id, external_id: str) -> dict | None:
    """Link the client's draft ``draft_id`` to the post ``external_id`` and return what its tools recorded;
    None without a draft. An unknown or foreign draft is a field error (``draft_id``), nothing written."""
    from disclosure.recorder import draft_mark_used

    from ..services.intake import SubmissionInvalid

    if draft_id is None:
        return None
    draft = Draft.objects.filter(public_id=draft_id, owner_key__startswith=_owner_prefix(client)).first()
    if draft is None:
        raise SubmissionInvalid([{"field": "draft_id", "message": "No such draft."}])
    if draft.used_at is not None and draft.used_for != external_id:
        raise SubmissionInvalid([{"field": "draft_id", "message": "This draft became another post already."}])
    return draft_mark_used(draft=draft, used_for=external_id)
