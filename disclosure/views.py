"""The editor's live preview (the same renderer readers get, so what the author sees is what is published),
and the recorder's endpoints that the editor's JavaScript hook calls (``disclosure/recorder.js``)."""
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .blocks import BlockSyntaxError, parse_body
from .render import render_body


@login_required
@require_POST
def preview(request):
    body = request.POST.get("body", "")[:100_000]
    fmt = request.POST.get("format", "markdown")
    if fmt not in ("markdown", "html"):
        return JsonResponse({"errors": [{"field": "format", "message": gettext("Use markdown or html.")}]}, status=400)
    try:
        # syntax only: a section the author just inserted is empty while they type into it (check_body's
        # refusals are for the submit)
        parsed = parse_body(body, fmt)
    except BlockSyntaxError as exc:
        return JsonResponse({"errors": [{"field": "body", "message": exc.message, "line": exc.line}]}, status=400)
    response = HttpResponse(render_body(body, fmt, collapsed=False))
    response["X-AI-Blocks"] = str(len(parsed.authored_blocks))
    return response


def _draft_json(draft) -> dict:
    from .recorder import draft_prefill

    return {"id": str(draft.public_id), "events": draft.events, "disclosure_prefill": draft_prefill(draft)}


@login_required
@require_POST
def draft_create_view(request):
    """Start a draft for the signed-in author (the hook calls this before its first recording)."""
    from .recorder import draft_create

    return JsonResponse(_draft_json(draft_create(owner_key=f"user:{request.user.pk}")), status=201)


@login_required
@require_POST
def draft_record_view(request, public_id):
    """Record one use of an AI tool on the author's own draft: JSON ``{"kind", "extent", "tool", "details"}``."""
    from .models import Draft
    from .recorder import RecorderError, record_assistance

    try:
        draft = Draft.objects.filter(public_id=public_id, owner_key=f"user:{request.user.pk}").first()
    except ValidationError:
        draft = None
    if draft is None:
        return JsonResponse({"errors": [{"field": "", "message": "No such draft."}]}, status=404)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: a body nested deeper than the parser goes
        return JsonResponse({"errors": [{"field": "", "message": "Send a JSON object."}]}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": [{"field": "", "message": "Send a JSON object."}]}, status=400)
    fields = {}
    for name in ("kind", "extent", "tool", "details"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            return JsonResponse({"errors": [{"field": name, "message": "Must be a string."}]}, status=400)
        fields[name] = value
    try:
        draft = record_assistance(draft, kind=fields["kind"] or "", extent=fields["extent"] or "",
                                  tool=fields["tool"], details=fields["details"])
    except RecorderError as exc:
        return JsonResponse({"errors": [{"field": exc.field, "message": exc.message}]}, status=400)
    return JsonResponse(_draft_json(draft), status=201)
