"""Reader reports, appeals and statements of reasons over REST (scope ``submit``; a client reaches only its own
submissions: another client's id is 404).

- ``POST /api/v1/submissions/{id}/reports`` ``{"reporter_external_id", "reason", "note"}`` → 201; 409 for a
  second report by the same reporter on the same revision; 429 (``Retry-After``) past the per-reporter limit.
- ``POST /api/v1/submissions/{id}/appeal`` ``{"message"}`` → 201 with the new appeal item; 409 when the post
  is not rejected or was appealed already (once, as in the host forum).
- ``GET /api/v1/submissions/{id}/statement-of-reasons`` → the latest decision's statement (DSA Art. 17), and
  ``?all=true`` every statement, newest first (an ``all`` that is not a boolean: 400); 404 while no decision
  was taken.
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import ReportReason
from ..selectors.reports import reporter_accuracy
from ..services.reports import ReportDuplicate, ReportInvalid, ReportNotAllowed, ReportRateLimited, report_create
from ..services.review import Actor, review_item_appeal
from ..selectors.statements import statement_as_dict
from ..selectors import api as selectors
from .errors import error, error_response
from .serializers import ErrorOut, IdField, ReportConflictOut, StrictSerializer, TextField
from .idempotency import HEADER_PARAMETER, idempotent
from .views import BODY_ERRORS, KEY_IN_FLIGHT, KEY_REUSED, ApiView

ERRORS = {400: OpenApiResponse(ErrorOut, description="Invalid input, with field-level errors."),
          401: OpenApiResponse(ErrorOut, description="Missing, unknown or revoked API key."),
          403: OpenApiResponse(ErrorOut, description="The key lacks the submit scope."),
          404: OpenApiResponse(ErrorOut, description="Not found, or not yours."),
          415: OpenApiResponse(ErrorOut, description="Send `Content-Type: application/json`."),
          429: OpenApiResponse(ErrorOut, description="Too many requests; see `Retry-After`.")}


class ReportIn(StrictSerializer):
    reporter_external_id = IdField(max_length=200, help_text="Your forum's id of the reader.")
    reason = serializers.ChoiceField(choices=ReportReason.choices, default=ReportReason.UNDISCLOSED_AI)
    note = TextField(max_length=2000, required=False, allow_blank=True, default="",
                                 help_text="What made the reader think so (optional).")


class ReporterOut(serializers.Serializer):
    external_id = serializers.CharField()
    upheld = serializers.IntegerField(help_text="Reports of this reader a moderator upheld.")
    decided = serializers.IntegerField(help_text="Reports of this reader a moderator decided.")
    accuracy = serializers.FloatField(help_text="(upheld + prior) / (decided + prior): weights the priority their "
                                                "reports add.")


class ReportItemOut(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField()
    version = serializers.IntegerField()


class ReportOut(serializers.Serializer):
    id = serializers.UUIDField()
    submission = serializers.UUIDField()
    revision = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    weight = serializers.IntegerField(help_text="The priority this report added to the review item.")
    outcome = serializers.CharField(allow_blank=True, help_text='"" until decided, then upheld or not_upheld.')
    reporter = ReporterOut()
    review_item = ReportItemOut()
    created_at = serializers.DateTimeField()


def report_as_dict(report) -> dict:
    accuracy = reporter_accuracy(client=report.client, reporter_external_id=report.reporter_external_id)
    item = report.item
    return {"id": str(report.public_id), "submission": str(report.submission.public_id),
            "revision": report.revision.number, "reason": report.reason, "note": report.note,
            "weight": report.weight, "outcome": report.outcome,
            "reporter": {"external_id": report.reporter_external_id, **accuracy.as_dict()},
            "review_item": {"id": str(item.public_id), "status": item.status, "reasons": item.reasons,
                            "priority": item.priority, "version": item.version} if item else None,
            "created_at": report.created_at.isoformat()}


class SubmissionReportsView(ApiView):
    required_scope = "submit"

    @extend_schema(
        request=ReportIn,
        responses={201: OpenApiResponse(ReportOut, description="Filed; the post is in the review queue."),
                   **ERRORS, **BODY_ERRORS,
                   409: OpenApiResponse(ReportConflictOut, description="This reader reported this revision "
                                        f"already, or readers do not see the post; or {KEY_IN_FLIGHT}."),
                   422: KEY_REUSED,
                   429: OpenApiResponse(ErrorOut, description="Too many reports from this reader (or requests from "
                                        "your forum); see `Retry-After`.")},
        summary="Report a post as undisclosed AI",
        description="A reader of your forum thinks this post is AI-written without saying so. The post goes to "
                    "the review queue with reason `reader_report`; the priority the report adds grows with the "
                    "reader's accuracy (how many of their decided reports were upheld).",
        examples=[OpenApiExample("A reader's report", request_only=True, value={
            "reporter_external_id": "u-42", "reason": "undisclosed_ai",
            "note": "The second half reads like a chatbot answer."})],
        parameters=[HEADER_PARAMETER],
    )
    @idempotent
    def post(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            report = report_create(submission_id=submission.pk, client=self.client,
                                   reporter_external_id=v["reporter_external_id"], reason=v["reason"],
                                   note=v["note"])
        except ReportInvalid as exc:
            return error_response([error(exc.field, exc.message)], status.HTTP_400_BAD_REQUEST)
        except ReportRateLimited as exc:
            return error_response([error("reporter_external_id", exc.message)], status.HTTP_429_TOO_MANY_REQUESTS,
                                  headers={"Retry-After": str(exc.retry_after)})
        except ReportDuplicate as exc:
            return error_response([error("reporter_external_id", exc.message)], status.HTTP_409_CONFLICT,
                                  extra={"report": str(exc.report.public_id)})
        except ReportNotAllowed as exc:
            return error_response([error("", exc.message)], status.HTTP_409_CONFLICT)
        return Response(report_as_dict(report), status=status.HTTP_201_CREATED)


class AppealIn(StrictSerializer):
    message = TextField(max_length=5000, help_text="Why the decision should change (10+ characters).")


class AppealOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="The appeal's review item.")
    kind = serializers.CharField()
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField()
    version = serializers.IntegerField()
    submission_status = serializers.CharField()


class SubmissionAppealView(ApiView):
    required_scope = "submit"

    @extend_schema(
        request=AppealIn,
        responses={201: OpenApiResponse(AppealOut, description="The appeal is in the review queue."), **ERRORS,
                   **BODY_ERRORS,
                   409: OpenApiResponse(ErrorOut, description="Not rejected, already waiting for a moderator, or "
                                        f"appealed already (once per post); or {KEY_IN_FLIGHT}."),
                   422: KEY_REUSED},
        summary="Appeal a rejection (once)",
        description="The author contests a rejection (a moderator's or the policy's automatic one), once, as in "
                    "the host forum: a new review item of kind `appeal` goes to the queue with the message.",
        examples=[OpenApiExample("An appeal", request_only=True, value={
            "message": "I wrote this myself; the marked part is a quotation from the manual."})],
        parameters=[HEADER_PARAMETER],
    )
    @idempotent
    def post(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        data = AppealIn(data=request.data)
        data.is_valid(raise_exception=True)
        item = review_item_appeal(submission_id=submission.pk, actor=Actor.for_client(self.client),
                                  message=data.validated_data["message"])
        return Response({"id": str(item.public_id), "kind": item.kind, "status": item.status,
                         "reasons": item.reasons, "priority": item.priority, "version": item.version,
                         "submission_status": item.submission.status}, status=status.HTTP_201_CREATED)


class StatementQueryIn(serializers.Serializer):
    """``?all``: a boolean, or a 400 naming it (``all=maybe`` was read as false)."""

    all = serializers.BooleanField(required=False, default=False)


#: one statement: the keys every statement has, and the parts of DSA Art. 17 (whose fields may grow)
STATEMENT_SCHEMA = {
    "type": "object", "required": ["id", "submission", "external_id", "created_at"],
    "properties": {"id": {"type": "string", "format": "uuid"}, "submission": {"type": "string", "format": "uuid"},
                   "external_id": {"type": "string"}, "client": {"type": "string"},
                   "created_at": {"type": "string", "format": "date-time"},
                   **{part: {"type": "object"} for part in ("decision", "facts_and_circumstances",
                                                            "automated_means", "ground", "redress")}}}
#: ``?all=true``: every statement (the two shapes' required keys keep ``oneOf`` unambiguous)
STATEMENTS_SCHEMA = {"type": "object", "required": ["results"],
                     "properties": {"results": {"type": "array", "items": STATEMENT_SCHEMA}}}


class SubmissionStatementView(ApiView):
    required_scope = "submit"

    @extend_schema(
        parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
                                     description="Every statement on this submission, newest first, as "
                                                 "`{\"results\": […]}` (200 even when there are none).")],
        responses={200: OpenApiResponse({"oneOf": [STATEMENT_SCHEMA, STATEMENTS_SCHEMA]},
                                        description="The statement of reasons: `decision`, "
                                        "`facts_and_circumstances`, `automated_means`, `ground`, `redress`; with "
                                        "`all=true`, `{\"results\": […]}` of them."),
                   **{code: answer for code, answer in ERRORS.items() if code != 415}},  # a GET reads no body
        summary="The statement of reasons for the latest decision (DSA Art. 17)",
    )
    def get(self, request, public_id):
        submission = selectors.submission_get_for_client(client=self.client, public_id=public_id)
        query = StatementQueryIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        statements = list(submission.statements.select_related("submission__client").order_by("-created_at", "-id"))
        if query.validated_data["all"]:
            return Response({"results": [statement_as_dict(s) for s in statements]})
        if not statements:
            return error_response([error("", "No decision was taken on this submission yet.")],
                                  status.HTTP_404_NOT_FOUND)
        return Response(statement_as_dict(statements[0]))
