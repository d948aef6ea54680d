"""Template context for the demo forum."""
from django.conf import settings


def demo(request):
    """``demo_mode``: the demo's hints (such as the demo logins) show only when DEBUG is on."""
    return {"demo_mode": settings.DEBUG}
