"""The staff export of statements of reasons: ``/moderation/statements.jsonl?since=YYYY-MM-DD&until=…``.

The same JSON Lines as ``manage.py export_statements``, streamed, for moderators who file transparency
reports from the browser.
"""
from __future__ import annotations

from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from .management.dates import option_moment
from .selectors.statements import statements_jsonl
from .views import moderator_required


@require_GET
@moderator_required
def statements_export(request):
    from django.core.management.base import CommandError

    try:
        since = option_moment(request.GET.get("since"), option="since")
        until = option_moment(request.GET.get("until"), option="until")
    except CommandError as exc:
        return JsonResponse({"errors": [{"field": str(exc).split(" ")[0], "message": str(exc)}]}, status=400)
    response = StreamingHttpResponse(statements_jsonl(since=since, until=until),
                                     content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="statements-of-reasons.jsonl"'
    return response
