"""Body and disclosure must agree: one function the form, the API and the intake service all call."""
from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import Any

from django.utils.translation import gettext, ngettext

from .blocks import (AUTHOR, CODE, COLLAPSIBLE, DECLARED_AI, QUOTE, BlockSyntaxError, ParsedBody, html_markup_census,
                     parse_body, parse_html)
from .render import ALLOWED_TAGS, markdown_render_tokens, sanitize
from .schema import Disclosure, FieldError, validate_disclosure
from .text import blank, invisible

#: the HTML forms of an AI-written section (``parse_html``), which Markdown shows as text
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_HTML_SECTION = re.compile(r"<\s*(?:section\b[^>]*\bdata-ai-written\b|div\b[^>]*\bllm-content-block\b)", re.IGNORECASE)


#: The elements an HTML post may use: what the renderer keeps, and plain formatting whose content browsers build
#: as :func:`~disclosure.blocks.parse_html` reads it (the renderer drops the tag and keeps the text). Anything
#: else (form controls, svg, math, template, textarea, noscript, script, style...) makes a browser build a
#: different page than the parser reads: text a reader sees could escape the classifiers, or an AI-written
#: section show without its label.
HTML_POST_TAGS = frozenset(ALLOWED_TAGS) | {
    "address", "article", "aside", "big", "caption", "center", "cite", "dd", "dfn", "dl", "dt", "figcaption",
    "figure", "font", "footer", "header", "ins", "kbd", "main", "mark", "nav", "q", "samp", "small", "strike",
    "tfoot", "time", "tt", "u", "var",
}


def check_body(body: str, fmt: str = "markdown") -> ParsedBody:
    """:func:`parse_body` for a body being submitted: its syntax errors, and two mistakes it lets through
    because a stored post must always parse (:func:`submitted_body_error`). Raises :class:`BlockSyntaxError`
    with the line to fix."""
    parsed = parse_body(body, fmt)
    problem = submitted_body_error(parsed, body, fmt)
    if problem is not None:
        raise problem
    return parsed


def submitted_body_error(parsed: ParsedBody, body: str, fmt: str) -> BlockSyntaxError | None:
    """What a parsed body may not hold when it is submitted. An AI-written section with nothing in it labels
    no text. In a Markdown post, the HTML form of a section is shown as text and labels nothing, so the AI
    text in it would be read as the author's."""
    passages = sorted((p for p in parsed.passages if p.text.strip()), key=lambda p: p.start)
    starts = [p.start for p in passages]
    for block in parsed.authored_blocks:
        # the passages overlapping the block (adjacent sections of one model are merged into one passage)
        i = bisect.bisect_left(starts, block.end) - 1
        if i < 0 or passages[i].end <= block.start:
            line = body.count("\n", 0, block.start) + 1
            return BlockSyntaxError(gettext("Line %(line)s: this AI-written section is empty: put the AI-written "
                                            "text inside it, or remove it.") % {"line": line}, line=line)
    if fmt == "html":
        return _html_markup_error(body) or _html_tree_error(parsed, body)
    if fmt != "markdown":
        return None
    problem = _invisible_markup_error(body)
    if problem is not None:
        return problem
    for passage in parsed.passages:
        if passage.kind not in (AUTHOR, COLLAPSIBLE, DECLARED_AI):
            continue
        # a code span (`<section data-ai-written>`) shows the syntax on purpose: blanked, offsets kept
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), passage.text)
        found = _HTML_SECTION.search(text)
        if found is not None:
            line = body.count("\n", 0, passage.body_offset(found.start())) + 1
            return BlockSyntaxError(gettext(
                "Line %(line)s: in a Markdown post an AI-written section is written ':::ai-written "
                "model=\"…\"' … ':::'. The HTML form is read in HTML posts only: here it would be shown as "
                "text and label nothing.") % {"line": line}, line=line)
    return None


def blocks_vs_disclosure_errors(parsed: ParsedBody, disclosure: Disclosure) -> list[FieldError]:
    """AI-written blocks in the body require a disclosure that declares drafting and a share above 0."""
    return blocks_vs_declared_errors(parsed, human_only=disclosure.human_only, kinds=set(disclosure.kinds),
                                     ai_share_percent=disclosure.ai_share_percent)


def blocks_vs_declared_errors(parsed: ParsedBody, *, human_only: bool, kinds: set[str],
                              ai_share_percent: int) -> list[FieldError]:
    """:func:`blocks_vs_disclosure_errors` on the declared values alone, for a form that reports every error
    at once, also while the rest of its disclosure is still invalid."""
    count = len(parsed.authored_blocks)  # a quoted section is the quoted author's, declared by them
    if not count:
        return []
    sections = ngettext("%(count)s AI-written section", "%(count)s AI-written sections", count) % {"count": count}
    if human_only:
        return [FieldError("human_only", gettext(
            "Your post contains %(sections)s, so it cannot be marked entirely human-written. Untick the box and "
            "describe how AI helped, or remove the AI-written sections.") % {"sections": sections})]
    errors = []
    if "drafting" not in kinds:
        errors.append(FieldError("assistance", gettext(
            "Your post contains %(sections)s: declare “drafting” as one kind of help.") % {"sections": sections}))
    if ai_share_percent == 0:
        errors.append(FieldError("ai_share_percent", gettext(
            "Your post contains %(sections)s: estimate the share of the text AI wrote (more than 0%%).")
            % {"sections": sections}))
    return errors


def check_post(*, body: str, fmt: str, disclosure_data: Any | None, accepted_tools: list[str] | None = None
               ) -> tuple[Disclosure | None, ParsedBody | None, list[dict[str, str]]]:
    """Parse the body, validate the disclosure and check that they agree.

    Returns ``(disclosure, parsed, errors)``; errors are ``{"field", "message"}`` with fields named as the
    API names them (``body``, ``disclosure.process``, …). ``disclosure_data=None`` means "not disclosed".
    ``accepted_tools``: the stored version's tool list, accepted again as it is (``schema.rule_errors``).
    """
    errors: list[dict[str, str]] = []
    parsed = None
    try:
        parsed = parse_body(body, fmt)
    except BlockSyntaxError as exc:
        errors.append({"field": "body", "message": exc.message})
    else:
        problem = submitted_body_error(parsed, body, fmt)
        if problem is not None:
            errors.append({"field": "body", "message": problem.message})
            parsed = None
    if disclosure_data is None:
        return None, parsed, errors
    disclosure, disclosure_errors = validate_disclosure(disclosure_data, accepted_tools=accepted_tools)
    errors += [e.as_dict("disclosure.") for e in disclosure_errors]
    if disclosure is not None and parsed is not None:
        errors += [e.as_dict("disclosure.") for e in blocks_vs_disclosure_errors(parsed, disclosure)]
    return (disclosure if not errors else None), parsed, errors


def _html_markup_error(body: str) -> BlockSyntaxError | None:
    """The first element an HTML post may not use, or comment browsers read differently, as an error."""
    first_tag, odd_comment_at = html_markup_census(body)
    refused = [(at, tag) for tag, at in first_tag.items() if tag not in HTML_POST_TAGS]
    found = min(refused) if refused else None
    if odd_comment_at is not None and (found is None or odd_comment_at < found[0]):
        line = body.count("\n", 0, odd_comment_at) + 1
        return BlockSyntaxError(gettext(
            "Line %(line)s: browsers end this HTML comment elsewhere than it seems to end (<!-->, <!--->, or --!> "
            "inside it): write it as <!-- … --> or remove it.") % {"line": line}, line=line)
    if found is not None:
        line = body.count("\n", 0, found[0]) + 1
        return BlockSyntaxError(gettext(
            "Line %(line)s: a post's HTML may not use <%(tag)s>: remove it. Paragraphs, headings, lists, links, "
            "quotes, code, tables and text formatting are fine.") % {"line": line, "tag": found[1]}, line=line)
    return None


def _letters(passages, kinds) -> Counter:
    """The characters (whitespace left out) of the passages of ``kinds``."""
    return Counter(ch for p in passages if p.kind in kinds for ch in p.text if not ch.isspace())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _html_tree_error(parsed: ParsedBody, body: str) -> BlockSyntaxError | None:
    """Text that browsers show outside the quote, code block or AI-written section the parser read it in.

    The renderer's sanitiser builds the page as browsers do (html5ever) and writes it back well-formed, so the
    parser reads its output as readers see it. Some markup is built otherwise than one forward scan reads it: a
    table row or cell closes whatever was opened before it in the table, however deep, and an element opened
    directly inside a table is moved out before it. Such text would be shown as the author's own, unlabelled,
    but read as a quote, as code or as declared AI, so the classifiers never weighed it as the author's. The
    opposite (text the parser scores that browsers show quoted) costs nothing and is let through."""
    try:
        shown = parse_html(sanitize(body, authored=True)).passages
    except BlockSyntaxError:
        return None
    scored = (AUTHOR, COLLAPSIBLE)
    gained = _letters(shown, scored) - _letters(parsed.passages, scored)
    if not gained:
        return None
    for kind in (QUOTE, CODE, DECLARED_AI):
        moved = (_letters(parsed.passages, (kind,)) - _letters(shown, (kind,))) & gained
        if not moved:
            continue
        kept = "\n".join(_squeezed(p.text) for p in shown if p.kind == kind)
        passage = next((p for p in parsed.passages if p.kind == kind and _squeezed(p.text) not in kept),
                       next(p for p in parsed.passages if p.kind == kind))
        line = body.count("\n", 0, passage.start) + 1
        what = {QUOTE: gettext("a quote"), CODE: gettext("a code block"),
                DECLARED_AI: gettext("an AI-written section")}[kind]
        return BlockSyntaxError(gettext(
            "Line %(line)s: browsers show part of this text outside %(what)s, where this HTML seems to put it: a "
            "table row or cell closes what was opened before it, and an element opened directly inside a table "
            "is moved out of it. Close the element inside the table cell where you opened it.")
            % {"line": line, "what": what}, line=line)
    return None


#: Inline markup that wraps text: (opening token, closing token).
_WRAPPERS = {"link_open": "link_close", "em_open": "em_close", "strong_open": "strong_close", "s_open": "s_close"}
#: Containers whose text the author's disclosure does not need to account for: quotes (somebody else's words)
#: and AI-written sections (declared).
_NOT_THE_AUTHORS = {"blockquote_open": "blockquote_close", "container_ai-written_open": "container_ai-written_close",
                    "container_llm-output_open": "container_llm-output_close"}


def _shows_nothing(children, i: int) -> bool:
    """Whether the inline token ``children[i]`` opens markup that shows nothing (a link with no text, emphasis
    around nothing visible) or is an image with no alt text inside a word (a pixel, or nothing where it does not
    load)."""
    child = children[i]
    if child.type == "image":
        before = children[i - 1].content if i and children[i - 1].type == "text" else ""
        after = children[i + 1].content if i + 1 < len(children) and children[i + 1].type == "text" else ""
        return blank(child.content) and bool(before) and bool(after) and not before[-1].isspace() \
            and not after[0].isspace()
    closer = _WRAPPERS.get(child.type)
    if closer is None:
        return False
    shown = []
    # by index: a copy of the tokens after it (``children[i + 1:]``) for each wrapper was quadratic in the links
    for j in range(i + 1, len(children)):
        inner = children[j]
        if inner.type == closer and inner.level == child.level:
            break
        if inner.type == "image":
            return False
        if inner.type in ("text", "code_inline"):
            shown.append(inner.content)
    return blank("".join(shown))


#: What a body holds when some inline markup in it may show nothing: an image, a link label of nothing but spaces
#: and character references, or an invisible character (inside emphasis). Other bodies need no inline parse.
_MAYBE_INVISIBLE_MARKUP = re.compile(r"!\[|\[(?:\s|&#?\w+;)*\]")


def _invisible_markup_error(body: str) -> BlockSyntaxError | None:
    """The first inline markup of the author's own text that readers are shown as nothing: it split the words it
    sat in (``Gr[](url)eat``, ``Gr**\u200b**eat``) for the classifiers, which read the Markdown as written."""
    if _MAYBE_INVISIBLE_MARKUP.search(body) is None and not any(invisible(ch) for ch in set(body) if ch > "\x7f"):
        return None
    closing: list[str] = []
    for token in markdown_render_tokens(body):
        if token.type in _NOT_THE_AUTHORS:
            closing.append(_NOT_THE_AUTHORS[token.type])
        elif closing and token.type == closing[-1]:
            closing.pop()
        elif token.type == "inline" and token.children and token.map and not closing:
            breaks = 0
            for i, child in enumerate(token.children):
                if child.type in ("softbreak", "hardbreak"):
                    breaks += 1
                elif _shows_nothing(token.children, i):
                    line = token.map[0] + breaks + 1
                    return BlockSyntaxError(gettext(
                        "Line %(line)s: this markup shows nothing (a link without text, emphasis around nothing "
                        "visible, or an image without alt text inside a word): readers would not see it, but it "
                        "splits the words around it. Remove it, or give it text.") % {"line": line}, line=line)
    return None
