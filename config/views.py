"""Error pages for the whole site (the host's choice, not the plugin apps')."""
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.defaults import bad_request as default_bad_request


def bad_request(request, exception=None):
    """A request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets a 413 page that
    says what happened (Django's default is a bare "400 Bad Request")."""
    if isinstance(exception, RequestDataTooBig):
        from django.conf import settings

        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_048_576
        return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
    return default_bad_request(request, exception)


def favicon(request):
    """Pages without our ``<link rel="icon">`` (admin, API docs) still ask for /favicon.ico. A temporary
    redirect, resolved per request, so hashed static names (manifest storage) and a new icon both work."""
    return redirect(static("forum/favicon.svg"))
