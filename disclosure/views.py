"""The editor's live preview: the same renderer readers get, so what the author sees is what is published."""
from django.contrib.auth.decorators import login_required
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
        parsed = parse_body(body, fmt)
    except BlockSyntaxError as exc:
        return JsonResponse({"errors": [{"field": "body", "message": exc.message, "line": exc.line}]}, status=400)
    response = HttpResponse(render_body(body, fmt, collapsed=False))
    response["X-AI-Blocks"] = str(len(parsed.blocks))
    return response
