"""Render a post body to safe HTML, with each AI-written block shown as a labelled, collapsible section.

Every path ends in :func:`sanitize`: nh3 removes scripts, event handlers and ``javascript:`` URLs, but
keeps the block markup this module produces. The model name in a label is user input: it is escaped.
Markdown is rendered with raw HTML disabled; HTML bodies are sanitised first, then their AI blocks
(either syntax) are rewritten into the same markup Markdown produces, so readers see one thing.
"""
from __future__ import annotations

import hashlib
import html
import logging
from functools import lru_cache

import nh3
from django.utils.module_loading import import_string
from markdown_it import MarkdownIt

from .blocks import _VOID, MAX_HTML_DEPTH, PARSER_VERSION, _HTMLScanner, html_ai_block_attrs, markdown_env, markdown_parser, markdown_source, parse_model_attr
from .conf import app_settings

logger = logging.getLogger(__name__)

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


def _markdown(plugins: tuple[str, ...] = ()) -> MarkdownIt:
    """The parser's block grammar (:func:`disclosure.blocks.markdown_parser`) with render rules: a section
    starts and ends where the parser says it does. ``plugins``: the host's markdown-it plugins
    (``DISCLOSURE["MARKDOWN_PLUGINS"]``), added last; their output is sanitised like the rest."""
    md = markdown_parser()

    def render_ai(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            params = tokens[idx].info.strip()
            return ai_block_open(parse_model_attr(params), collapsed=env.get("collapsed", True)) + "\n"
        return AI_BLOCK_CLOSE + "\n"

    def render_collapsible(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            title = tokens[idx].info.strip() or "Details"
            return (f'<details class="collapsible"><summary class="collapsible__title">{html.escape(title)}'
                    '</summary><div class="collapsible__body">\n')
        return "</div></details>\n"

    for name in ("ai-written", "llm-output"):
        md.add_render_rule(f"container_{name}_open", render_ai)
        md.add_render_rule(f"container_{name}_close", render_ai)
    md.add_render_rule("container_collapsible_open", render_collapsible)
    md.add_render_rule("container_collapsible_close", render_collapsible)
    for path in plugins:
        md.use(import_string(path))
    return md


@lru_cache(maxsize=8)
def _markdown_with(plugins: tuple[str, ...]) -> MarkdownIt:
    return _markdown(plugins)


def render_markdown(body: str, *, collapsed: bool = True) -> str:
    source = markdown_source(body)
    md = _markdown_with(tuple(app_settings.MARKDOWN_PLUGINS))
    return sanitize(md.render(source, {**markdown_env(source), "collapsed": collapsed}))


def render_html(body: str, *, collapsed: bool = True) -> str:
    """Sanitise user HTML, then rewrite its AI blocks into the labelled, collapsible markup."""
    depth = _HTMLScanner(body)
    depth.run()
    if depth.max_depth > MAX_HTML_DEPTH:
        # The sanitiser's tree building slows with depth; intake refuses such bodies, so this is an old one.
        return sanitize(f"<pre>{html.escape(body)}</pre>")
    clean = sanitize(body)
    rewriter = _AIBlockRewriter(clean, collapsed=collapsed)
    rewriter.run()
    return sanitize(rewriter.result())


class _AIBlockRewriter(_HTMLScanner):
    """Finds AI-block start tags and their matching end tags in sanitised HTML and replaces them, in the
    parser's one linear scan."""

    stop_when_too_deep = False  # sanitised markup: its depth was checked on the body it came from

    def __init__(self, body: str, *, collapsed: bool):
        super().__init__(body)
        self.collapsed = collapsed
        self.edits: list[tuple[int, int, str]] = []

    def on_start_tag(self, tag, attrs, start, end):
        if tag in _VOID:
            return
        is_ai, model, _ = html_ai_block_attrs(tag, attrs)
        if is_ai:
            self.edits.append((start, end, ai_block_open(model, collapsed=self.collapsed)))
        self.push((tag, "ai" if is_ai else None, None, 0, start, ""))

    def on_end_tag(self, tag, start, end):
        for name, marker, *_ in self.pop_until(tag):
            if name == tag and marker == "ai":
                self.edits.append((start, end, AI_BLOCK_CLOSE))

    def on_text(self, text, start, end):
        pass

    def result(self) -> str:
        out, cursor = [], 0
        for start, end, replacement in sorted(self.edits):
            out.append(self.body[cursor:start])
            out.append(replacement)
            cursor = end
        out.append(self.body[cursor:])
        return "".join(out)


#: Bodies at least this long are looked up in the cache before rendering. Rendering is linear, but Markdown's
#: inline rules cost ~15 µs a character on some bodies (a run of '['), so 200 KB can take seconds: a body's
#: HTML never changes for one version of this module, so it is rendered once and kept.
CACHE_FROM_CHARS = 20_000
CACHE_SECONDS = 7 * 24 * 3600
#: Part of the cache key: change it whenever the HTML this module makes for a body changes.
RENDER_VERSION = 1


def _render(body: str, fmt: str, collapsed: bool) -> str:
    if fmt == "html":
        return render_html(body, collapsed=collapsed)
    return render_markdown(body, collapsed=collapsed)


def render_body(body: str, fmt: str = "markdown", *, collapsed: bool = True) -> str:
    """The one entry point: sanitised HTML for readers, AI blocks labelled and collapsible."""
    if len(body) < CACHE_FROM_CHARS:
        return _render(body, fmt, collapsed)
    from django.core.cache import cache

    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    if fmt != "html" and app_settings.MARKDOWN_PLUGINS:  # the host's plugins change the HTML too
        digest += ":" + hashlib.sha256("|".join(app_settings.MARKDOWN_PLUGINS).encode()).hexdigest()[:16]
    key = f"disclosure:html:{RENDER_VERSION}:{PARSER_VERSION}:{getattr(nh3, '__version__', '')}:{fmt}:{collapsed}:{digest}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache is an optimisation: an outage renders, never fails
        logger.warning("render cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    rendered = _render(body, fmt, collapsed)
    try:
        cache.set(key, rendered, CACHE_SECONDS)
    except Exception:
        logger.warning("render cache unavailable", exc_info=True)
    return rendered
