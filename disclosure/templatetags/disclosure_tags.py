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


#: The post's grade in the vocabulary of the W3C AI Content Disclosure explainer's ``<meta name="ai-disclosure">``.
EXPLAINER_BY_GRADE = {
    "human_only": "none",
    "ai_supported": "ai-assisted",
    "ai_edited_minor": "ai-assisted",
    "ai_modified": "ai-assisted",
    "ai_assisted": "ai-assisted",
    "ai_generated": "ai-generated",
}


def explainer_value(label) -> str | None:
    """``none`` / ``ai-assisted`` / ``ai-generated`` from the label's grade; None when nothing was disclosed
    (the page then makes no machine-readable claim either way)."""
    return EXPLAINER_BY_GRADE.get(label.grade.grade) if label.grade is not None else None


@register.simple_tag
def ai_label_jsonld(label, headline: str = "", url: str = ""):
    """JSON-LD (schema.org + IPTC digital source type) and <meta> tags for machines: ``ai-disclosure`` with the
    post's grade in the W3C explainer's vocabulary (``data-grade`` the grade itself, ``data-label`` the
    label), and ``digital-source-type`` with the IPTC URI. All follow the one label value."""
    data = {"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": headline}
    if url:
        data["url"] = url
    if label.iptc_uri:
        data["digitalSourceType"] = label.iptc_uri
    data["additionalProperty"] = {"@type": "PropertyValue", "name": "aiDisclosure", "value": label.value}
    meta = mark_safe("")
    explainer = explainer_value(label)
    if explainer is not None:
        meta += format_html('<meta name="ai-disclosure" content="{}" data-grade="{}" data-label="{}" data-source="{}">',
                            explainer, label.grade.grade if label.grade else "", label.value, label.source)
    if label.iptc_uri:
        meta += format_html('<meta name="digital-source-type" content="{}">', label.iptc_uri)
    # json_script escapes <, > and & so the JSON cannot close the script element.
    return mark_safe(meta + json_script(data, "ai-disclosure-jsonld").replace(
        'type="application/json"', 'type="application/ld+json"', 1))
