"""The frame the plugin's pages (queue, audit, stats, compliance, public log) are drawn in.

Their templates extend ``moderation_base_template``: the template named in ``MODERATION["BASE_TEMPLATE"]``
(default ``"base.html"``), which must define the blocks ``title``, ``head``, ``content`` and ``scripts``.
A host whose own base has other blocks names a small adapter template here instead of shadowing ``base.html``.
"""
from __future__ import annotations

from django import shortcuts

from .conf import app_settings


def render(request, template_name, context=None, *args, **kwargs):
    """``django.shortcuts.render`` with the configured frame in the context."""
    context = {"moderation_base_template": app_settings.BASE_TEMPLATE, **(context or {})}
    return shortcuts.render(request, template_name, context, *args, **kwargs)
