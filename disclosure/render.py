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
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import nh3
from django.utils.module_loading import import_string
from django.utils.translation import get_language, gettext
from markdown_it import MarkdownIt
from markdown_it import helpers as _stock_helpers
from markdown_it.rules_inline import emphasis as _stock_emphasis

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
    # aria-label: the name the renderer gives an AI section's group ("AI-written · model", what its summary
    # shows); an author's own is removed before the renderer writes its (AUTHOR_ATTRIBUTES)
    "details": {"open", "aria-label"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
#: What an author's own HTML may carry: no aria-label, which a screen reader would read instead of what sighted
#: readers see (hidden text, or an AI section announced as something else).
AUTHOR_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "details": {"open"}}
# Classes are allowed per tag and per value only (nh3 forbids "class" in ALLOWED_ATTRIBUTES beside this).
ALLOWED_CLASSES = {
    "section": {"ai-block"},
    "div": {"ai-block__body", "llm-content-block", "llm-content-block-content", "collapsible__body"},
    "details": {"ai-block__toggle", "collapsible"},
    "summary": {"ai-block__label", "collapsible__title"},
    "span": {"ai-block__badge", "ai-block__model"},
}


def sanitize(markup: str, *, authored: bool = False) -> str:
    """``authored``: markup as the author wrote it (the HTML format's first pass), held to
    :data:`AUTHOR_ATTRIBUTES`; the renderer's own output may carry the names it gives AI sections."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=AUTHOR_ATTRIBUTES if authored else ALLOWED_ATTRIBUTES,
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


#: The explainer's value for text an AI model produced with a person prompting and reviewing it.
AI_DISCLOSURE_VALUE = "ai-generated"


def ai_block_open(model: str | None, *, collapsed: bool) -> str:
    model_attr = f' data-model="{html.escape(model, quote=True)}" aimodel="{html.escape(model, quote=True)}"' \
        if model else ""
    model_attr = f' aidisclosure="{AI_DISCLOSURE_VALUE}"' + model_attr
    open_attr = "" if collapsed else " open"
    badge = html.escape(gettext("AI-written"))
    # the summary names the section for sighted readers; a screen reader names the group it opens by this
    name = html.escape(gettext("AI-written") + (f" · {model}" if model else ""), quote=True)
    return (
        f'<section class="ai-block" data-ai-written{model_attr}>'
        f'<details class="ai-block__toggle" aria-label="{name}"{open_attr}>'
        f'<summary class="ai-block__label"><span class="ai-block__badge">{badge}</span>'
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
            name = html.escape(title, quote=True)  # the group's name for a screen reader: what its summary shows
            return (f'<details class="collapsible" aria-label="{name}"><summary class="collapsible__title">'
                    f'{html.escape(title)}</summary><div class="collapsible__body">\n')
        return "</div></details>\n"

    for name in ("ai-written", "llm-output"):
        md.add_render_rule(f"container_{name}_open", render_ai)
        md.add_render_rule(f"container_{name}_close", render_ai)
    md.add_render_rule("container_collapsible_open", render_collapsible)
    md.add_render_rule("container_collapsible_close", render_collapsible)
    md.core.ruler.before("normalize", "start_inline_budget", _start_inline_budget)
    md.inline.ruler.at("emphasis", _emphasis_within_budget)
    md.helpers = SimpleNamespace(parseLinkLabel=_link_label_within_budget,
                                 parseLinkDestination=_link_destination_within_budget,
                                 parseLinkTitle=_stock_helpers.parseLinkTitle)
    for path in plugins:
        md.use(import_string(path))
    return md


# Link budgets. markdown-it reads a link as a search for the ``]`` that closes its ``[``, token by token, each
# step running the inline rules; a step already taken is memoised, but only one token ahead, so a search that
# runs far is walked again from each nesting level (up to 20); an inline link's destination is then scanned
# up to its 32nd nested parenthesis. Linear, but ~10 µs a character: a 200 KB body built for it took 1.3–2 s
# of CPU to render (``"![" * 99_999 + "]"``, ``"[" * 19 + "*a" * 99_980 + "]"``, ``"![a](" * 40_000``). Two
# budgets per body bound that work (~0.15 s each at most, measured on the test machine); past them a ``[`` is a
# bracket, as when markdown-it finds no link. An ordinary post never reaches them and renders exactly as markdown-it renders it
# (tests/security/test_hostile_input.py times the bodies; tests/disclosure/test_link_budget.py compares).

#: Steps of all link-label searches of one body together; an ordinary link costs the tokens of its text.
MAX_LINK_LABEL_STEPS = 100_000
#: Characters of all link-destination scans of one body together; an ordinary link costs its URL.
MAX_LINK_DESTINATION_CHARS = 2_000_000
#: ``*`` and ``_`` runs read as emphasis delimiters in one body. Emphasis is linear too, but every delimiter
#: becomes a token (~10 µs each): ``"*a" * 100_000`` took 1.1-1.6 s of CPU on a slower machine of the test
#: kind. Past the budget a ``*`` or ``_`` is a literal character; an ordinary post uses a few dozen.
MAX_EMPHASIS_DELIMITERS = 10_000


@dataclass
class _InlineBudget:
    """The inline work one body may cost (links, then emphasis), spent as markdown-it reads it."""
    label_steps: int = MAX_LINK_LABEL_STEPS
    destination_chars: int = MAX_LINK_DESTINATION_CHARS
    emphasis_delimiters: int = MAX_EMPHASIS_DELIMITERS


#: The budget of the body being rendered (markdown-it's link helpers are not handed ``env``).
_INLINE_BUDGET: ContextVar[_InlineBudget | None] = ContextVar("disclosure_inline_budget", default=None)


def _start_inline_budget(state) -> None:
    """A core rule run first: a fresh budget for each body."""
    _INLINE_BUDGET.set(_InlineBudget())


def _link_label_within_budget(state, start: int, disableNested: bool = False) -> int:  # noqa: N803
    """markdown-it's ``parseLinkLabel`` (the end of the label whose ``[`` is at ``start``, or -1), each step
    counted against the body's budget: once it is spent, every search ends as "no label" and a ``[`` stays
    a bracket. (A step can start nested searches; they draw on the same budget.)"""
    budget = _INLINE_BUDGET.get()
    old_pos, level, label_end = state.pos, 1, -1
    state.pos = start + 1
    while state.pos < state.posMax:
        if budget is not None:
            if budget.label_steps <= 0:
                break
            budget.label_steps -= 1
        marker = state.src[state.pos]
        if marker == "]":
            level -= 1
            if level == 0:
                label_end = state.pos
                break
        previous = state.pos
        state.md.inline.skipToken(state)
        if marker == "[":
            if previous == state.pos - 1:
                level += 1  # a '[' that is text, not part of a token
            elif disableNested:
                break
    state.pos = old_pos
    return label_end


def _emphasis_within_budget(state, silent: bool) -> bool:
    """markdown-it's emphasis rule, each ``*``/``_`` run it reads counted against the body's budget; once the
    budget is spent the run stays text."""
    budget = _INLINE_BUDGET.get()
    if budget is not None and state.src[state.pos] in "*_":
        if budget.emphasis_delimiters <= 0:
            # what markdown-it does with a character no rule takes (no later rule starts with * or _), for
            # the whole run at once instead of one full pass over the rules per character
            end = state.pos
            while end < state.posMax and state.src[end] in "*_":
                end += 1
            if not silent:
                state.pending += state.src[state.pos:end]
                if len(state.pending) > 4096:
                    state.pushPending()  # a long run of text is copied on every append otherwise
            state.pos = end
            return True
        budget.emphasis_delimiters -= 1
    return _stock_emphasis.tokenize(state, silent)


def _link_destination_within_budget(string: str, pos: int, maximum: int):
    """markdown-it's ``parseLinkDestination``, its scan counted against the body's budget (a failed scan is
    charged as if it ran to ``maximum``: it may have). Once the budget is spent no destination is found."""
    budget = _INLINE_BUDGET.get()
    if budget is None:
        return _stock_helpers.parseLinkDestination(string, pos, maximum)
    limit = min(maximum, pos + max(budget.destination_chars, 0))
    result = _stock_helpers.parseLinkDestination(string, pos, limit)
    budget.destination_chars -= (result.pos - pos) if result.ok else (limit - pos)
    return result


@lru_cache(maxsize=8)
def _markdown_with(plugins: tuple[str, ...]) -> MarkdownIt:
    return _markdown(plugins)


def render_markdown(body: str, *, collapsed: bool = True) -> str:
    source = markdown_source(body)
    md = _markdown_with(tuple(app_settings.MARKDOWN_PLUGINS))
    return sanitize(md.render(source, {**markdown_env(source), "collapsed": collapsed}))


def markdown_render_tokens(body: str) -> list:
    """The tokens :func:`render_markdown` renders for ``body``, inline ones included (with the same budgets), for
    a check of what readers are shown."""
    source = markdown_source(body)
    md = _markdown_with(tuple(app_settings.MARKDOWN_PLUGINS))
    return md.parse(source, {**markdown_env(source), "collapsed": True})


def render_html(body: str, *, collapsed: bool = True) -> str:
    """Sanitise user HTML, then rewrite its AI blocks into the labelled, collapsible markup."""
    depth = _HTMLScanner(body)
    depth.run()
    if depth.max_depth > MAX_HTML_DEPTH:
        # The sanitiser's tree building slows with depth; intake refuses such bodies, so this is an old one.
        return sanitize(f"<pre>{html.escape(body)}</pre>")
    clean = sanitize(body, authored=True)
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


#: Bodies at least this long are looked up in the cache before rendering. Rendering is linear and its link
#: parsing bounded (the link budgets above), but 200 KB of Markdown still costs up to ~0.7 s of CPU on some
#: bodies (``"*a" * 100_000``): a body's HTML never changes for one version of this module, so it is rendered
#: once and kept.
CACHE_FROM_CHARS = 20_000
CACHE_SECONDS = 7 * 24 * 3600
#: Part of the cache key: change it whenever the HTML this module makes for a body changes.
RENDER_VERSION = 5  # 5: authors' own aria-label removed, collapsibles named; 4: AI sections' groups are named; 3: the emphasis budget; 2: the link budgets (a body past them renders its later '[' as text)


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
    # the reader's language too: the sections' label is translated
    key = (f"disclosure:html:{RENDER_VERSION}:{PARSER_VERSION}:{getattr(nh3, '__version__', '')}:{fmt}:{collapsed}:"
           f"{get_language() or ''}:{digest}")
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
