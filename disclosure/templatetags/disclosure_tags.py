"""Template tags a host forum uses to show disclosures: the badge, the "How AI was used" panel, the
machine-readable JSON-LD, the rendered body and the disclosure form fields. Each renders a small
overridable template under ``disclosure/``."""

from django import template
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe

from ..conf import app_settings
from ..render import render_body
from ..schema import ASSISTANCE_KINDS, EXTENTS

register = template.Library()


@register.simple_tag
def render_post_body(body: str, fmt: str = "markdown", expand: bool | None = None):
    collapsed = app_settings.AI_BLOCKS_COLLAPSED_BY_DEFAULT if expand is None else not expand
    return mark_safe(render_body(body, fmt, collapsed=collapsed))  # sanitised by nh3 in render_body


@register.inclusion_tag("disclosure/badge.html")
def ai_badge(label, compact=False):
    return {"label": label, "compact": compact}


@register.inclusion_tag("disclosure/panel.html")
def disclosure_panel(disclosure, label=None):
    items = []
    if disclosure is not None:
        items = [{"kind": ASSISTANCE_KINDS[a.kind], "extent": EXTENTS[a.extent], "details": a.details}
                 for a in disclosure.assistance]
    return {"disclosure": disclosure, "items": items, "label": label}


@register.inclusion_tag("disclosure/form_fields.html")
def disclosure_form_fields(form):
    from ..grades import GENERATED_SHARE_PERCENT, GRADE_ORDER, _tables

    table, grades = _tables()
    # The editor's script derives the grade as the server does, to show the human-review fields only
    # when the post will need an AI label.
    grade_table = {"order": list(GRADE_ORDER), "table": table, "generated_share": GENERATED_SHARE_PERCENT,
                   "label_required": [g for g, info in grades.items() if info["label_required"]]}
    return {"form": form, "grade_table": grade_table}


@register.simple_tag
def ai_label_jsonld(label, headline: str = "", url: str = ""):
    """JSON-LD (schema.org + IPTC digital source type) and a <meta> tag carrying the label for machines."""
    data = {"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": headline}
    if url:
        data["url"] = url
    if label.iptc_uri:
        data["digitalSourceType"] = label.iptc_uri
    data["additionalProperty"] = {"@type": "PropertyValue", "name": "aiDisclosure", "value": label.value}
    meta = format_html('<meta name="ai-disclosure" content="{}" data-source="{}">', label.value, label.source)
    if label.iptc_uri:
        meta += format_html('<meta name="digital-source-type" content="{}">', label.iptc_uri)
    # json_script escapes <, > and & so the JSON cannot close the script element.
    return mark_safe(meta + json_script(data, "ai-disclosure-jsonld").replace(
        'type="application/json"', 'type="application/ld+json"', 1))
