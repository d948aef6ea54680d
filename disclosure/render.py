"""Render a post body to safe HTML, with each AI-written block shown as a labelled, collapsible section.

Every path ends in :func:`sanitize`: nh3 removes scripts, event handlers and ``javascript:`` URLs, but
keeps the block markup this module produces. The model name in a label is user input: it is escaped.
Markdown is rendered with raw HTML disabled; HTML bodies are sanitised first, then their AI blocks
(either syntax) are rewritten into the same markup Markdown produces, so readers see one thing.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from django.utils.module_loading import import_string
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from .conf import app_settings
from .blocks import _HTMLScanner, html_ai_block_attrs, parse_model_attr

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "section", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    # aidisclosure / aimodel: the element-level markup of the W3C AI Content Disclosure explainer.
    "section": {"data-ai-written", "data-model", "aidisclosure", "aimodel"},
    "div": {"data-model-name"},
    "details": {"open"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Classes are allowed per tag and per value only (nh3 forbids "class" in ALLOWED_ATTRIBUTES beside this).
ALLOWED_CLASSES = {
    "section": {"ai-block"},
    "div": {"ai-block__body", "llm-content-block", "llm-content-block-content", "collapsible__body"},
    "details": {"ai-block__toggle", "collapsible"},
    "summary": {"ai-block__label", "collapsible__title"},
    "span": {"ai-block__badge", "ai-block__model"},
}


def sanitize(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """An author's own markup may claim more AI involvement, never less: ``aidisclosure`` survives only as
    ``ai-generated`` (what the renderer writes on AI-written blocks), so no section can pose as human-written
    in machine-readable form."""
    if attribute == "aidisclosure" and value != AI_DISCLOSURE_VALUE:
        return None
    return value


def ai_label(model: str | None) -> str:
    return f"AI-written · {model}" if model else "AI-written"


#: The explainer's value for text an AI model produced with a person prompting and reviewing it.
AI_DISCLOSURE_VALUE = "ai-generated"


def ai_block_open(model: str | None, *, collapsed: bool) -> str:
    model_attr = f' data-model="{html.escape(model, quote=True)}" aimodel="{html.escape(model, quote=True)}"' \
        if model else ""
    model_attr = f' aidisclosure="{AI_DISCLOSURE_VALUE}"' + model_attr
    open_attr = "" if collapsed else " open"
    return (
        f'<section class="ai-block" data-ai-written{model_attr}>'
        f'<details class="ai-block__toggle"{open_attr}>'
        f'<summary class="ai-block__label"><span class="ai-block__badge">AI-written</span>'
        + (f' · <span class="ai-block__model">{html.escape(model)}</span>' if model else "")
        + '</summary><div class="ai-block__body">'
    )


AI_BLOCK_CLOSE = "</div></details></section>"


def _markdown(collapsed: bool, plugins: tuple[str, ...] = ()) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

    def render_ai(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            params = tokens[idx].info.strip()
            return ai_block_open(parse_model_attr(params), collapsed=collapsed) + "\n"
        return AI_BLOCK_CLOSE + "\n"

    def render_collapsible(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            title = tokens[idx].info.strip() or "Details"
            return (f'<details class="collapsible"><summary class="collapsible__title">{html.escape(title)}'
                    '</summary><div class="collapsible__body">\n')
        return "</div></details>\n"

    def validate_ai(params: str, *args) -> bool:
        return params.strip().split(" ", 1)[0] in ("ai-written", "llm-output")

    md.use(container_plugin, name="ai-written", marker=":", validate=validate_ai, render=render_ai)
    md.use(container_plugin, name="llm-output", marker="%", validate=validate_ai, render=render_ai)
    md.use(container_plugin, name="collapsible", marker="+", validate=lambda *a: True, render=render_collapsible)
    for path in plugins:  # the host's markdown-it plugins (DISCLOSURE["MARKDOWN_PLUGINS"]); output still sanitised
        md.use(import_string(path))
    return md


@lru_cache(maxsize=8)
def _markdown_cached(collapsed: bool, plugins: tuple[str, ...]) -> MarkdownIt:
    return _markdown(collapsed, plugins)


def _renderer(collapsed: bool) -> MarkdownIt:
    return _markdown_cached(collapsed, tuple(app_settings.MARKDOWN_PLUGINS))
_LW_CLOSE = re.compile(r"^( {0,3})%%%\s*/llm-output\s*$", re.MULTILINE)


def render_markdown(body: str, *, collapsed: bool = True) -> str:
    # LessWrong closes its blocks with '%%% /llm-output'; the container plugin wants a bare marker.
    source = _LW_CLOSE.sub(r"\1%%%", body)
    return sanitize(_renderer(collapsed).render(source))


def render_html(body: str, *, collapsed: bool = True) -> str:
    """Sanitise user HTML, then rewrite its AI blocks into the labelled, collapsible markup."""
    clean = sanitize(body)
    rewriter = _AIBlockRewriter(clean, collapsed=collapsed)
    rewriter.feed(clean)
    rewriter.close()
    return sanitize(rewriter.result())


class _AIBlockRewriter(_HTMLScanner):
    """Finds AI-block start tags and their matching end tags in sanitised HTML and replaces them."""

    def __init__(self, body: str, *, collapsed: bool):
        super().__init__(body)
        self.collapsed = collapsed
        self.edits: list[tuple[int, int, str]] = []
        self.open_tags: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "hr", "img"):
            return
        is_ai, model, _ = html_ai_block_attrs(tag, dict(attrs))
        if is_ai:
            start = self._pos()
            self.edits.append((start, start + len(self.get_starttag_text()), ai_block_open(model, collapsed=self.collapsed)))
        self.open_tags.append((tag, is_ai))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _ in self.open_tags):
            return
        while self.open_tags:
            name, is_ai = self.open_tags.pop()
            if name == tag:
                if is_ai:
                    start = self._pos()
                    self.edits.append((start, start + len(f"</{tag}>"), AI_BLOCK_CLOSE))
                break

    def handle_data(self, data):
        pass

    def handle_entityref(self, name):
        pass

    def handle_charref(self, name):
        pass

    def result(self) -> str:
        out, cursor = [], 0
        for start, end, replacement in sorted(self.edits):
            out.append(self.body[cursor:start])
            out.append(replacement)
            cursor = end
        out.append(self.body[cursor:])
        return "".join(out)


def render_body(body: str, fmt: str = "markdown", *, collapsed: bool = True) -> str:
    """The one entry point: sanitised HTML for readers, AI blocks labelled and collapsible."""
    if fmt == "html":
        return render_html(body, collapsed=collapsed)
    return render_markdown(body, collapsed=collapsed)
