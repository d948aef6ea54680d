"""The one parser: a post body becomes passages labelled *declared AI*, *author*, *quote*, *code* or
*collapsible*, with character offsets into the original body.

Recognised AI-written blocks:

- Markdown: ``:::ai-written model="Claude Opus 4.5"`` … ``:::`` (more colons to nest), and LessWrong's
  ``%%% llm-output model="X"`` … ``%%% /llm-output``.
- HTML: ``<section data-ai-written data-model="…">`` and LessWrong's
  ``<div class="llm-content-block" data-model-name="X">…</div>``.

Text inside quotes (``>`` / ``<blockquote>``), code (fences, indented code / ``<pre>``) and collapsible
sections (``+++ Title`` … ``+++`` / ``<details>``) is marked as such: it is not the author's own prose.

Offsets are Python string indices (code points) into the original body. A passage's ``text`` drops the
markup (quote markers, tags, directive lines); ``segments`` map each stretch of ``text`` back to the body,
so anything that scores the text can point at the body. The output is reproducible from the body and
:data:`PARSER_VERSION`.

How: Markdown passages come from markdown-it-py's block tokens (their line maps) with the grammar the renderer
renders (:func:`markdown_parser`: the ``:::ai-written``, ``%%% llm-output`` and ``+++`` containers of
mdit-py-plugins), so where a section begins and ends is decided once for both. HTML is one forward scan
(:class:`_HTMLScanner`, which the renderer's rewriter also uses). Both are linear in the body's length.
"""
from __future__ import annotations

import bisect
import html
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

from django.utils.translation import get_language, gettext
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from .text import invisible

# 3: HTML image alt text is text, HTML whitespace collapsed as browsers collapse it, Markdown letters written as
# character references decoded; 2: passages from markdown-it-py's block tokens
PARSER_VERSION = 3

AUTHOR = "author"
DECLARED_AI = "declared_ai"
QUOTE = "quote"
CODE = "code"
COLLAPSIBLE = "collapsible"
PASSAGE_KINDS = (AUTHOR, DECLARED_AI, QUOTE, CODE, COLLAPSIBLE)
#: Kinds whose text is prose somebody wrote for this post, and so worth scoring.
PROSE_KINDS = (AUTHOR, DECLARED_AI, COLLAPSIBLE)


def _unclosed_message(marker: str, line: int) -> str:
    """A section opened on ``line`` with ``marker`` (``:``, ``%`` or ``+``) and never closed."""
    if marker == "+":
        return gettext("The collapsible section opened on line %(line)s is never closed: add '+++' after its "
                       "text.") % {"line": line}
    if marker == "%":
        return gettext("The AI-written section opened on line %(line)s is never closed: add a line with "
                       "%(closer)s after its text.") % {"line": line, "closer": "'%%% /llm-output'"}
    return gettext("The AI-written section opened on line %(line)s is never closed: add a line with ':::' after "
                   "its text.") % {"line": line}


class BlockSyntaxError(ValueError):
    """A block that cannot be parsed; ``line`` is 1-based, the message says how to fix it."""

    def __init__(self, message: str, *, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    kind: str
    text: str
    model: str | None = None
    #: (text offset, body offset, length) stretches mapping ``text`` back to the body.
    segments: tuple[tuple[int, int, int], ...] = ()
    #: ``text`` is what readers see (an HTML post's text, references decoded, tags gone), not Markdown source:
    #: a ``>`` or a fence in it is a character on the page, not a quote or code block.
    literal: bool = False

    def body_offset(self, text_index: int) -> int:
        """Map an index into ``text`` to an index into the original body."""
        # the last stretch starting at or before text_index (segments are ordered and do not overlap)
        i = bisect.bisect_right(self.segments, text_index, key=lambda segment: segment[0]) - 1
        if i >= 0:
            text_start, body_start, length = self.segments[i]
            if text_index < text_start + length:
                return body_start + (text_index - text_start)
            return body_start + length
        return self.start

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class AIBlock:
    """One declared AI-written block: where it sits in the body and whom it credits."""

    start: int
    end: int
    model: str | None
    syntax: str
    #: inside a quote: somebody else's declared AI text, which the quoting author's disclosure need not cover
    quoted: bool = False


@dataclass
class ParsedBody:
    passages: list[Passage]
    blocks: list[AIBlock]
    parser_version: int = PARSER_VERSION

    @property
    def authored_blocks(self) -> list[AIBlock]:
        """The AI-written blocks of the post's own text (a quoted one is the quoted author's)."""
        return [b for b in self.blocks if not b.quoted]

    @property
    def has_ai_blocks(self) -> bool:
        return bool(self.authored_blocks)

    def passages_of(self, *kinds: str) -> list[Passage]:
        return [p for p in self.passages if p.kind in kinds]


@dataclass
class _Chunk:
    start: int
    end: int
    text: str
    kind: str
    model: str | None
    separator: str = "\n"


_MODEL_ATTR = re.compile(r"""model\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def parse_model_attr(params: str) -> str | None:
    """``model="Claude Opus 4.5"`` → ``Claude Opus 4.5``; missing or empty → ``None``."""
    match = _MODEL_ATTR.search(params or "")
    if not match:
        return None
    value = next(g for g in match.groups() if g is not None).strip()
    return value[:200] or None


def _merge(chunks: list[_Chunk], *, literal: bool = False) -> list[Passage]:
    """Merge consecutive chunks of one kind and model into passages; drop whitespace-only passages."""
    passages: list[Passage] = []
    group: list[_Chunk] = []

    def flush():
        if not group:
            return
        text_parts, segments, cursor = [], [], 0
        for i, chunk in enumerate(group):
            if i:
                text_parts.append(chunk.separator)
                cursor += len(chunk.separator)
            if chunk.text:
                segments.append((cursor, chunk.start, len(chunk.text)))
            text_parts.append(chunk.text)
            cursor += len(chunk.text)
        text = "".join(text_parts)
        lead = len(text) - len(text.lstrip())
        stripped = text.strip()
        if stripped:
            trimmed = []
            for t, b, n in segments:  # clip to the stripped text: no stretch before it or after it
                t -= lead
                if t < 0:
                    t, b, n = 0, b - t, n + t
                n = min(n, len(stripped) - t)
                if n > 0:
                    trimmed.append((t, b, n))
            first = Passage(0, 0, "", stripped, segments=tuple(trimmed))
            start = first.body_offset(0)
            end = first.body_offset(len(stripped) - 1) + 1
            # A character reference ("&amp;") is one character of text but several of the body: end after it.
            for chunk in group:
                if chunk.start < end <= chunk.end and chunk.end - chunk.start != len(chunk.text):
                    end = chunk.end
            passages.append(Passage(start, end, group[0].kind, stripped, group[0].model, tuple(trimmed), literal))
        group.clear()

    for chunk in chunks:
        if group and (chunk.kind, chunk.model) != (group[0].kind, group[0].model):
            flush()
        group.append(chunk)
    flush()
    return passages


# --- Markdown: passages from markdown-it-py's block tokens ---------------------------------------
#
# The renderer and the parser share one block grammar (:func:`markdown_parser`): the parser reads the
# tokens' line maps, the renderer renders the same token stream, so where a section begins and ends is
# decided once. Both are linear in the size of the body (markdown-it caps nesting at ``maxNesting``).

_NEWLINE = re.compile(r"\r\n?|\n")  # what markdown-it normalises to "\n": line numbers agree with its maps
_LW_CLOSE_LINE = re.compile(r"(?:^|(?<=\r))( {0,3})%%%[ \t]*/llm-output[ \t]*(?=\r|\n|\Z)", re.MULTILINE)
_AI_PARAMS = re.compile(r"\s*ai-written(?:\s|$)")
_LW_PARAMS = re.compile(r"\s*llm-output(?:\s|$)")
_COLON_CLOSE = re.compile(r"(:{3,})\s*$")
_COLON_OTHER = re.compile(r"(:{3,})\s*\S")
_LW_CLOSE = re.compile(r"%%%\s*/llm-output\s*$")
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*$")
_TABLE_RULE = re.compile(r"[\s|:\-]*$")
_AI_CONTAINERS = {"container_ai-written_open": "colon", "container_llm-output_open": "lw"}
_COLLAPSE_OPEN = "container_collapsible_open"


_CLOSER_CANDIDATE = re.compile(r"^[ \t>]*(:{3,}|%{3,}|\+{3,})[ \t]*$", re.MULTILINE)


def _closer_lines(source: str) -> dict[str, list[int]]:
    """Per marker character, the numbers of the lines that could close a container (the marker alone on its
    line, behind any quote markers or indentation): a superset of what the plugin accepts as a closer."""
    found: dict[str, list[int]] = {":": [], "%": [], "+": []}
    source = _NEWLINE.sub("\n", source) if "\r" in source else source  # line numbers as markdown-it counts
    line, at = 0, 0
    for m in _CLOSER_CANDIDATE.finditer(source):
        line += source.count("\n", at, m.start())
        at = m.start()
        found[m.group(1)[0]].append(line)
    return found


def _closing_aware(fn, marker: str):
    """Wrap a container rule so its opening token records whether a closing marker was found (the plugin
    knows, but only says so through ``state.line``). When no line after the opener could close it, the
    plugin would scan to the end of its parent for nothing, once per nesting level: the opener is then not
    opened when a container of its marker around it is never closed either (its line stays text, and
    ``env["unclosed"]`` names it): one scan to the end instead of one per level; such a body is refused."""

    def rule(state, start_line, end_line, silent):
        env = state.env if isinstance(state.env, dict) else {}
        closers = env.get("closer_lines", {}).get(marker)
        surely_unclosed = False
        if closers is not None:
            i = bisect.bisect_right(closers, start_line)
            surely_unclosed = i == len(closers) or closers[i] >= end_line
        if surely_unclosed:
            scanning = env.setdefault("scanning_unclosed", set())
            if marker in scanning:  # inside a container of this marker that is itself never closed
                if not silent and fn(state, start_line, end_line, True):
                    env.setdefault("unclosed", []).append(start_line)
                return False
            if not silent:
                scanning.add(marker)
        try:
            first = len(state.tokens)
            found = fn(state, start_line, end_line, silent)
            if found and not silent:
                opened = state.tokens[first]
                opened.meta["closed"] = state.line > opened.map[1]
            return found
        except IndexError:
            # mdit-py-plugins 0.7 reads past the end of the source while looking for the closing line of a
            # container that runs to the end inside a quote ('> +++ t\n> '), before it writes any token:
            # such a container is never closed.
            if not silent and len(state.tokens) == first:
                env.setdefault("unclosed", []).append(start_line)
            return False
        finally:
            if surely_unclosed and not silent:
                env["scanning_unclosed"].discard(marker)

    return rule


def markdown_env(source: str) -> dict:
    """What the container rules read from ``env`` (see :func:`_closing_aware`); parser and renderer pass it."""
    return {"closer_lines": _closer_lines(source)}


def markdown_parser() -> MarkdownIt:
    """CommonMark + tables + strikethrough, raw HTML off, and the three containers (``:::ai-written``,
    ``%%% llm-output``, ``+++`` collapsible). The renderer adds its render rules to one of these."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
    md.use(container_plugin, name="ai-written", marker=":", validate=lambda params, *a: bool(_AI_PARAMS.match(params)))
    md.use(container_plugin, name="llm-output", marker="%", validate=lambda params, *a: bool(_LW_PARAMS.match(params)))
    md.use(container_plugin, name="collapsible", marker="+", validate=lambda *a: True)
    for name, marker in (("container_ai-written", ":"), ("container_llm-output", "%"), ("container_collapsible", "+")):
        rule = next(r for r in md.block.ruler.__rules__ if r.name == name)
        md.block.ruler.at(name, _closing_aware(rule.fn, marker), {"alt": rule.alt})
    return md


def markdown_source(body: str) -> str:
    """LessWrong closes its blocks with ``%%% /llm-output``; the container plugin wants a bare marker. The
    rewrite keeps every line where it was, so token line maps are line numbers of the body."""
    return _LW_CLOSE_LINE.sub(r"\1%%%", body) if "/llm-output" in body else body


_BLOCK_MD = markdown_parser()
_BLOCK_MD.disable("inline")  # passages need the block structure only; inline parsing is the renderer's


def markdown_tokens(body: str, env: dict | None = None):
    source = markdown_source(body)
    return _BLOCK_MD.parse(source, markdown_env(source) if env is None else env)


def _line_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) of every line's content, newline excluded, as markdown-it numbers them."""
    spans, start = [], 0
    for match in _NEWLINE.finditer(body):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(body)))
    return spans


@dataclass
class _Open:
    """A container open at some point of the token walk."""

    token_type: str
    syntax: str  # "colon", "lw", "collapse", "quote" or "" (lists and other pass-through containers)
    start_line: int
    end_line: int  # exclusive: where its content ends (its closing marker line, when it has one)
    closed: bool = True
    model: str | None = None
    colons: int = 0
    start: int = 0
    quoted: bool = False


_CODE_SPAN_TICKS = re.compile(r"`+")


def _shown_as(reference: str) -> str | None:
    """The character a Markdown character reference shows, when it is one the classifiers must read as such: a
    letter, a digit, a combining mark or an invisible character (``&#101;``, ``&#1072;``, ``&#8203;``), which
    spell a word differently without showing differently. Punctuation and spaces stay as written: ``&gt;`` at
    the start of a line would read as a quote marker, indentation written as ``&#32;`` as code."""
    if not reference.endswith(";"):
        return None  # CommonMark reads a reference only with its semicolon
    shown = html.unescape(reference)
    if len(shown) != 1 or shown == reference:
        return None
    if shown.isalnum() or unicodedata.category(shown).startswith("M") or invisible(shown):
        return shown
    return None


def _decoded_chunks(text: str, start: int, kind: str, model: str | None) -> list[_Chunk]:
    """One line of Markdown text (at body offset ``start``) as chunks, the references :func:`_shown_as` decodes
    each a chunk of its own (one character of text, the reference's length in the body), so offsets still map
    back. A reference inside a code span or behind a backslash is shown as written, and kept so."""
    chunks: list[_Chunk] = []
    cursor = 0
    # where each run of backticks starts: a reference after an odd number of runs is inside a code span (found
    # by bisection: counted over every run, once per reference, a line of both was quadratic)
    ticks = [m.start() for m in _CODE_SPAN_TICKS.finditer(text)] if "`" in text else []
    for m in _REFERENCE.finditer(text):
        shown = _shown_as(m.group())
        if shown is None or (m.start() and text[m.start() - 1] == "\\") \
                or bisect.bisect_left(ticks, m.start()) % 2:
            continue
        if m.start() > cursor:
            chunks.append(_Chunk(start + cursor, start + m.start(), text[cursor:m.start()], kind, model,
                                 separator="\n" if not chunks else ""))
        chunks.append(_Chunk(start + m.start(), start + m.end(), shown, kind, model,
                             separator="\n" if not chunks else ""))
        cursor = m.end()
    if cursor < len(text) or not chunks:
        chunks.append(_Chunk(start + cursor, start + len(text), text[cursor:], kind, model,
                             separator="\n" if not chunks else ""))
    return chunks


class _MarkdownWalk:
    def __init__(self, body: str):
        self.body = body
        self.lines = _line_spans(body)
        self.chunks: list[_Chunk] = []
        self.blocks: list[AIBlock] = []
        self.stack: list[_Open] = []
        self.ai: list[_Open] = []
        self.quotes = 0
        self.collapses = 0
        self.cursor = 0
        self.errors: list[BlockSyntaxError] = []
        self.unclosed: list[BlockSyntaxError] = []
        self.skip_checks: set[int] = set()

    # -- what the text here is
    def kind_here(self, default: str = AUTHOR) -> tuple[str, str | None]:
        if default == CODE:
            return CODE, None
        if self.ai:
            return DECLARED_AI, self.ai[-1].model
        if self.quotes:
            return QUOTE, None
        if self.collapses and default == AUTHOR:
            return COLLAPSIBLE, None
        return default, None

    def line_text(self, number: int) -> str:
        start, end = self.lines[number]
        return self.body[start:end]

    def gap(self, until: int) -> None:
        """Lines no leaf block claimed (blank lines, lone ``>``): they join or split passages by context."""
        until = min(until, len(self.lines))
        if self.cursor < until:
            kind, model = self.kind_here()
            for number in range(self.cursor, until):
                start = self.lines[number][0]
                self.chunks.append(_Chunk(start, start, "", kind, model))
        self.cursor = max(self.cursor, until)

    def add_line(self, number: int, content: str | None, kind: str, model: str | None) -> int:
        """Add the part of body line ``number`` that is ``content`` (markdown-it's text of it, container
        prefixes removed); returns where in the line it starts."""
        line = self.line_text(number)
        text = (content or "").rstrip()
        offset = -1
        if text:
            if line.rstrip().endswith(text):
                offset = len(line.rstrip()) - len(text)
            else:
                offset = line.find(text)
        if offset < 0:  # tabs expanded or NUL replaced by markdown-it: take the line less its indentation
            text = line.strip()
            offset = line.find(text[:1]) if text else len(line)
        start = self.lines[number][0] + offset
        if kind != CODE and "&" in text:
            self.chunks += _decoded_chunks(text, start, kind, model)
        else:
            self.chunks.append(_Chunk(start, start + len(text), text, kind, model))
        return offset

    # -- errors a writer can fix, named by line
    def check_markers(self, number: int, text: str) -> None:
        """A line of paragraph text that looks like a block marker is almost always a mistake."""
        if self.quotes or number in self.skip_checks:
            return  # quoted text is somebody else's; markers in it are text
        line = number + 1
        inner = next((o for o in reversed(self.stack) if o.syntax in ("colon", "lw", "collapse")), None)
        stripped = text.strip()
        if m := _COLON_CLOSE.match(stripped):
            if inner is None:
                self.errors.append(BlockSyntaxError(
                    gettext("Line %(line)s: ':::' closes nothing here: no AI-written section is open.")
                    % {"line": line}, line=line))
            elif inner.syntax == "colon" and len(m.group(1)) < inner.colons:
                self.errors.append(BlockSyntaxError(
                    gettext("Line %(line)s: this ':::' is shorter than the %(colons)s that opened the AI-written "
                            "section on line %(opened)s.")
                    % {"line": line, "colons": ":" * inner.colons, "opened": inner.start_line + 1}, line=line))
            else:
                what = {"lw": gettext("an LLM-output block (close it with %(closer)s)") % {"closer": "'%%% /llm-output'"},
                        "collapse": gettext("a collapsible section (close it with '+++')"),
                        "colon": gettext("the AI-written section opened on line %(opened)s")
                        % {"opened": inner.start_line + 1}}[inner.syntax]
                self.errors.append(BlockSyntaxError(
                    gettext("Line %(line)s: ':::' closes nothing here; the innermost open block is %(what)s.")
                    % {"line": line, "what": what}, line=line))
        elif _COLON_OTHER.match(stripped):
            self.errors.append(BlockSyntaxError(
                gettext("Line %(line)s: unknown block type. Use ':::ai-written model=\"…\"' for an AI-written "
                        "section.") % {"line": line}, line=line))
        elif _LW_CLOSE.match(stripped):
            self.errors.append(BlockSyntaxError(
                gettext("Line %(line)s: %(closer)s closes nothing: no %(opener)s block is open here.")
                % {"line": line, "closer": "'%%% /llm-output'", "opener": "'%%% llm-output'"}, line=line))

    def check_fence(self, token) -> None:
        """The renderer ends a section at its closing line even inside a code fence: refuse such a body
        rather than let the rendered section end elsewhere than the writer meant."""
        closed = (token.map[1] - token.map[0]) - token.content.count("\n") == 2
        inner = self.stack[-1] if self.stack else None
        if closed or inner is None or inner.syntax not in ("colon", "lw") or not inner.closed \
                or token.map[1] != inner.end_line:
            return
        line = inner.end_line + 1
        message = (gettext("Line %(line)s: this line inside a code block would end the AI-written section opened "
                           "on line %(opened)s. Indent it, or open the section with more colons.")
                   if inner.syntax == "colon" else
                   gettext("Line %(line)s: this line inside a code block would end the AI-written section opened "
                           "on line %(opened)s. Indent it."))
        self.errors.append(BlockSyntaxError(message % {"line": line, "opened": inner.start_line + 1}, line=line))

    # -- the walk
    def open(self, token) -> None:
        self.gap(token.map[0])
        syntax = _AI_CONTAINERS.get(token.type) or ("collapse" if token.type == _COLLAPSE_OPEN else
                                                     "quote" if token.type == "blockquote_open" else "")
        entry = _Open(token.type, syntax, token.map[0], token.map[1], closed=token.meta.get("closed", True),
                      quoted=self.quotes > 0)
        line = self.line_text(token.map[0])
        if syntax in ("colon", "lw", "collapse"):
            entry.start = self.lines[token.map[0]][0] + max(line.find(token.markup[:1]), 0)
            self.cursor = token.map[0] + 1  # the opening marker line is markup
            if syntax == "colon":
                entry.colons = len(token.markup)
                outer = next((o for o in reversed(self.stack) if o.syntax == "colon"), None)
                if outer is not None and entry.colons >= outer.colons:
                    # the renderer would close the outer section at this block's closing line
                    n = token.map[0] + 1
                    self.errors.append(BlockSyntaxError(
                        gettext("Line %(line)s: an AI-written section nested inside another needs fewer colons "
                                "than the one around it: open the outer one (line %(outer)s) with %(colons)s and "
                                "close it with %(colons)s.")
                        % {"line": n, "outer": outer.start_line + 1, "colons": ":" * (entry.colons + 1)}, line=n))
            if not entry.closed:
                n = token.map[0] + 1
                message = _unclosed_message("+" if syntax == "collapse" else "%" if syntax == "lw" else ":", n)
                self.unclosed.append(BlockSyntaxError(message, line=n))
            if syntax == "collapse":
                self.collapses += 1
                title = token.info.strip()
                kind, model = self.kind_here()
                if title:
                    self.add_line(token.map[0], title, kind, model)
            else:
                entry.model = parse_model_attr(token.info)
                self.ai.append(entry)
        elif syntax == "quote":
            self.quotes += 1
        self.stack.append(entry)

    def close(self) -> None:
        entry = self.stack.pop()
        self.gap(entry.end_line)
        if entry.syntax in ("colon", "lw", "collapse"):
            if entry.closed:
                self.cursor = entry.end_line + 1  # the closing marker line is markup
            if entry.syntax == "collapse":
                self.collapses -= 1
            else:
                self.ai.pop()
                last = min(entry.end_line if entry.closed else entry.end_line - 1, len(self.lines) - 1)
                self.blocks.append(AIBlock(entry.start, self.lines[max(last, entry.start_line)][1], entry.model,
                                           "markdown" if entry.syntax == "colon" else "lesswrong", entry.quoted))
        elif entry.syntax == "quote":
            self.quotes -= 1

    def leaf(self, token, first_line: int, kind: str, *, check: bool = False) -> None:
        self.gap(token.map[0])
        kind, model = self.kind_here(kind)
        content = token.content.split("\n")
        if kind == CODE and content and content[-1] == "":
            content.pop()
        for i, text in enumerate(content):
            number = first_line + i
            if number >= token.map[1] or number >= len(self.lines):
                break
            offset = self.add_line(number, text, kind, model)
            if check:
                self.check_markers(number, self.line_text(number)[offset:])
        self.cursor = max(self.cursor, token.map[1])

    def table(self, token) -> None:
        self.gap(token.map[0])
        kind, model = self.kind_here()
        for number in range(token.map[0], min(token.map[1], len(self.lines))):
            line = self.line_text(number)
            if not _TABLE_RULE.match(line):
                self.add_line(number, line.strip(), kind, model)
        self.cursor = max(self.cursor, token.map[1])

    def walk(self, tokens) -> None:
        in_table = 0
        for token in tokens:
            if in_table:
                in_table += token.nesting if token.type.startswith("table_") else 0
                continue
            if token.type == "table_open":
                self.table(token)
                in_table = 1
            elif token.type == "inline" and token.map:
                self.leaf(token, token.map[0], AUTHOR, check=True)
            elif token.type == "fence":
                self.check_fence(token)
                self.leaf(token, token.map[0] + 1, CODE)
            elif token.type == "code_block":
                self.leaf(token, token.map[0], CODE)
            elif token.type == "hr":
                self.gap(token.map[0])
                self.cursor = max(self.cursor, token.map[1])
            elif token.nesting == 1 and token.map and token.type not in (
                    "paragraph_open", "heading_open"):
                self.open(token)
            elif token.nesting == -1 and token.type not in ("paragraph_close", "heading_close") \
                    and self.stack and token.type == self.stack[-1].token_type.replace("_open", "_close"):
                self.close()
        self.gap(len(self.lines))


def parse_markdown(body: str) -> ParsedBody:
    walk = _MarkdownWalk(body)
    env = markdown_env(markdown_source(body))
    tokens = markdown_tokens(body, env)
    walk.skip_checks = set(env.get("unclosed", ()))
    walk.walk(tokens)
    for number in env.get("unclosed", ()):
        syntax = walk.line_text(number).lstrip(" \t>")[:1]
        walk.unclosed.append(BlockSyntaxError(_unclosed_message(syntax, number + 1), line=number + 1))
    if walk.errors:
        raise min(walk.errors, key=lambda e: e.line)
    if walk.unclosed:
        raise min(walk.unclosed, key=lambda e: e.line)  # the outermost: closing it is the fix
    return ParsedBody(_merge(walk.chunks), sorted(walk.blocks, key=lambda b: b.start))


# --- HTML: one linear scan ----------------------------------------------------------------------
_SKIP = "skip"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK_LEVEL = {"p", "div", "section", "blockquote", "pre", "details", "summary", "li", "ul", "ol", "h1", "h2",
                "h3", "h4", "h5", "h6", "table", "tr", "br", "hr"}
_TAG_KINDS = {"blockquote": QUOTE, "pre": CODE, "details": COLLAPSIBLE, "script": _SKIP, "style": _SKIP}
_RAW_TEXT = {"script", "style"}
_RAW_TEXT_END = {name: re.compile(f"</{name}", re.IGNORECASE) for name in _RAW_TEXT}
#: Start tags that close an open <p> (HTML's "close a p element" rule), as browsers and the sanitiser do.
_CLOSES_P = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure", "footer",
             "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
             "summary", "table", "ul"}
#: Start tags that end an open element of their family (and what was opened inside it):
#: tag -> (what it closes, where the look down the stack stops).
_IMPLIED_ENDS = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr"}, {"table", "tbody", "thead", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tbody": ({"tbody", "thead", "tfoot"}, {"table"}),
    "thead": ({"tbody", "thead", "tfoot"}, {"table"}),
    "tfoot": ({"tbody", "thead", "tfoot"}, {"table"}),
    "option": ({"option"}, {"select"}),
}
#: Deeper than this, browsers' and the sanitiser's tree building turns slow (each tag looks up the stack);
#: no post needs it.
MAX_HTML_DEPTH = 200

_TEXT_RUN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[a-zA-Z][^\s/>]*")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_SPACE = re.compile(r"[\s/]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED = re.compile(r"[^\s>]*")
_REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z][a-zA-Z0-9]*);?")
#: HTML's ASCII whitespace: what browsers collapse outside <pre> (a no-break space is shown as written).
_HTML_SPACE = " \t\n\r\f"
_HTML_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_ALT_VALUE = re.compile(r"""\salt\s*=\s*["']?""", re.IGNORECASE)


def html_ai_block_attrs(tag: str, attrs: dict[str, str | None]) -> tuple[bool, str | None, str]:
    """Whether a start tag opens an AI-written block, the model it credits, and which syntax it is."""
    if tag == "section" and "data-ai-written" in attrs:
        return True, (attrs.get("data-model") or "").strip()[:200] or None, "html"
    if tag == "div" and "llm-content-block" in (attrs.get("class") or "").split():
        return True, (attrs.get("data-model-name") or "").strip()[:200] or None, "lesswrong"
    return False, None, ""


def _scan_tag(body: str, i: int) -> tuple[str, dict[str, str | None], int] | None:
    """The tag starting at ``body[i] == '<'`` (start or end): its lower-case name, attributes and where it
    ends; ``None`` when the body ends inside it (browsers drop such a tag). Every step moves forward."""
    closing = body.startswith("</", i)
    m = _TAG_NAME.match(body, i + (2 if closing else 1))
    name, j, attrs = m.group().lower(), m.end(), {}
    n = len(body)
    while True:
        j = _SPACE.match(body, j).end()
        if j >= n:
            return None
        if body[j] == ">":
            return name, attrs, j + 1
        a = _ATTR_NAME.match(body, j)
        key, j, value = a.group().lower(), a.end(), None
        eq = _EQUALS.match(body, j)
        if eq and eq.end() < n and body[eq.end()] != ">":
            j = eq.end()
            if body[j] in "\"'":
                close = body.find(body[j], j + 1)
                if close < 0:
                    return None
                value, j = body[j + 1:close], close + 1
            else:
                u = _UNQUOTED.match(body, j)
                value, j = u.group(), u.end()
            value = html.unescape(value)
        attrs.setdefault(key, value)


class _TooDeep(Exception):
    pass


class _HTMLScanner:
    """One pass over an HTML body: text, character references, start and end tags, comments. The open-element
    stack keeps a count per tag name and per kind, so "what is the text here" and "does this end tag close
    anything" are answered in constant time; every construct is found by a forward search that the scan then
    moves past, so the pass is linear in the body (50,000 unclosed ``<b>`` or ``<!--`` tags included)."""

    #: Stop at the first element nested deeper than MAX_HTML_DEPTH (such a body is refused).
    stop_when_too_deep = True

    def __init__(self, body: str):
        self.body = body
        self.line_starts: list[int] | None = None
        # (tag, kind, model, line, offset, syntax)
        self.stack: list[tuple[str, str | None, str | None, int, int, str]] = []
        self.open_tags: dict[str, int] = {}
        self.open_kinds: dict[str | None, int] = {}
        self.ai: list[tuple[str, str | None, str | None, int, int, str, bool]] = []
        self.chunks: list[_Chunk] = []
        self.blocks: list[AIBlock] = []
        self.pending_separator = ""
        #: the text so far ends with whitespace, or a block starts here: browsers show no more whitespace
        self.after_space = True
        self.max_depth = 0
        self.too_deep_at = 0

    def line_of(self, offset: int) -> int:
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.body)]
        return bisect.bisect_right(self.line_starts, offset)

    # -- the scan
    def run(self) -> None:
        try:
            self._run()
        except _TooDeep:  # the body is refused (or shown as text): the rest need not be read
            pass

    def _run(self) -> None:
        body, i, n = self.body, 0, len(self.body)
        while i < n:
            c = body[i]
            if c == "&":
                m = _REFERENCE.match(body, i)
                if m:
                    raw = m.group()
                    text = html.unescape(raw if raw.endswith(";") else raw + ";")
                    if text.endswith(";") and text != ";":  # not a reference: plain text
                        text = raw
                    self.on_text(text, i, m.end())
                    i = m.end()
                else:
                    self.on_text("&", i, i + 1)
                    i += 1
            elif c != "<":
                m = _TEXT_RUN.match(body, i)
                self.on_text(m.group(), i, m.end())
                i = m.end()
            elif body.startswith("<!--", i):
                end = body.find("-->", i + 4)
                self.on_comment(i, n if end < 0 else end)
                i = n if end < 0 else end + 3  # a comment the body never closes runs to its end
            elif body.startswith("<!", i) or body.startswith("<?", i) or (
                    body.startswith("</", i) and not _TAG_NAME.match(body, i + 2)):
                end = body.find(">", i + 2)
                i = n if end < 0 else end + 1  # doctype, processing instruction, bogus comment
            elif _TAG_NAME.match(body, i + (2 if body.startswith("</", i) else 1)):
                tag = _scan_tag(body, i)
                if tag is None:
                    return  # the body ends inside a tag: browsers drop it
                name, attrs, end = tag
                if body.startswith("</", i):
                    self.on_end_tag(name, i, end)
                else:
                    self.on_start_tag(name, attrs, i, end)
                    if name in _RAW_TEXT:  # script/style: text up to its end tag, never markup
                        close = _RAW_TEXT_END[name].search(body, end)
                        stop = n if close is None else close.start()
                        if stop > end:
                            self.on_text(body[end:stop], end, stop)
                        end = stop
                i = end
            else:
                self.on_text("<", i, i + 1)
                i += 1

    # -- the stack
    def push(self, entry) -> None:
        self.stack.append(entry)
        self.open_tags[entry[0]] = self.open_tags.get(entry[0], 0) + 1
        self.open_kinds[entry[1]] = self.open_kinds.get(entry[1], 0) + 1
        if entry[1] == DECLARED_AI:
            self.ai.append(entry)
        if len(self.stack) > self.max_depth:
            self.max_depth = len(self.stack)
            if self.max_depth == MAX_HTML_DEPTH + 1:
                self.too_deep_at = entry[4]
                if self.stop_when_too_deep:
                    raise _TooDeep

    def pop_until(self, tag: str):
        """Close the innermost open ``tag`` and everything opened inside it; returns what it closed.
        A stray end tag (nothing open by that name) closes nothing, as in browsers."""
        closed = []
        if not self.open_tags.get(tag):
            return closed
        while self.stack:
            entry = self.stack.pop()
            self.open_tags[entry[0]] -= 1
            self.open_kinds[entry[1]] -= 1
            if entry[1] == DECLARED_AI:
                self.ai.pop()
            closed.append(entry)
            if entry[0] == tag:
                break
        return closed

    def implied_ends(self, tag: str) -> list:
        """A block start tag closes an open <p>; a <li> closes an open <li>, a <td> an open cell, and so on,
        as HTML's tree builder does (so that a list or table written without end tags does not nest)."""
        if tag in _CLOSES_P and self.open_tags.get("p"):
            return self.pop_until("p")
        implied = _IMPLIED_ENDS.get(tag)
        if implied is None:
            return []
        closes, boundary = implied
        for entry in reversed(self.stack[-8:]):  # a bounded look down the stack keeps the scan linear
            if entry[0] in closes:
                return self.pop_until(entry[0])
            if entry[0] in boundary:
                break
        return []

    # -- what the parser makes of it
    def kind_here(self) -> tuple[str, str | None]:
        kinds = self.open_kinds
        if kinds.get(_SKIP):
            return _SKIP, None
        if kinds.get(CODE):
            return CODE, None
        if self.ai:
            return DECLARED_AI, self.ai[-1][2]
        for kind in (QUOTE, COLLAPSIBLE):
            if kinds.get(kind):
                return kind, None
        return AUTHOR, None

    def close_entries(self, entries, end: int) -> None:
        for entry in entries:
            if entry[1] == DECLARED_AI:
                self.blocks.append(AIBlock(entry[4], end, entry[2], entry[5], entry[6]))

    def on_comment(self, start: int, end: int) -> None:
        """A comment from ``start`` (its ``<!--``) to ``end`` (its ``-->``, or the end of the body)."""

    def on_start_tag(self, tag: str, attrs: dict, start: int, end: int) -> None:
        if tag in _BLOCK_LEVEL:
            self.pending_separator = "\n\n"
            self.after_space = True
        self.close_entries(self.implied_ends(tag), start)
        if tag == "img" and (attrs.get("alt") or "").strip():
            self.on_alt_text(attrs["alt"], start, end)
        if tag in _VOID:
            return
        is_ai, model, syntax = html_ai_block_attrs(tag, attrs)
        kind = DECLARED_AI if is_ai else _TAG_KINDS.get(tag)
        quoted = is_ai and bool(self.open_kinds.get(QUOTE))
        self.push((tag, kind, model, self.line_of(start) if is_ai else 0, start, syntax, quoted))

    def on_end_tag(self, tag: str, start: int, end: int) -> None:
        if tag in _BLOCK_LEVEL:
            self.pending_separator = "\n\n"
            self.after_space = True
        self.close_entries(self.pop_until(tag), end)

    def on_alt_text(self, alt: str, start: int, end: int) -> None:
        """An image's alt text, in its start tag from ``start`` to ``end``: browsers show it where the image does
        not load (and screen readers read it), so it is text like any other, set apart by spaces."""
        found = _ALT_VALUE.search(self.body, start, end)
        at = found.end() if found else start
        if not self.pending_separator:
            self.pending_separator = " "
        self.on_text(alt, at, max(at, min(at + len(alt), end)))
        if not self.pending_separator:
            self.pending_separator = " "

    def on_text(self, text: str, start: int, end: int) -> None:
        kind, model = self.kind_here()
        if kind == _SKIP:
            return  # script and style content is not text anybody reads
        if kind == CODE:  # <pre>: whitespace is shown as written
            self.add_chunk(text, start, end, kind, model)
            return
        # Browsers collapse a run of spaces and line breaks to one and show none at the start of a block. So does
        # the text here (each run keeps its first character), or the detector would read a paragraph indented in
        # the source, which readers never see, as an indented code block and leave it out.
        # Whitespace not shown is an empty chunk: it still separates passages of different kinds, as it did.
        if end - start != len(text):  # a character reference: one character (or two) for several of the body
            if _HTML_SPACE_RUN.fullmatch(text):
                self.add_chunk("" if self.after_space else text[:1], start, end, kind, model)
                self.after_space = True
                return
            self.add_chunk(text, start, end, kind, model)
            self.after_space = False
            return
        pos = len(text) - len(text.lstrip(_HTML_SPACE)) if self.after_space else 0
        if pos == len(text):
            self.add_chunk("", start, start, kind, model)
            return
        for run in _HTML_SPACE_RUN.finditer(text, pos):
            if run.end() - run.start() > 1:
                self.add_chunk(text[pos:run.start() + 1], start + pos, start + run.start() + 1, kind, model)
                pos = run.end()
        if pos < len(text):
            self.add_chunk(text[pos:], start + pos, end, kind, model)
        self.after_space = text[-1] in _HTML_SPACE

    def add_chunk(self, text: str, start: int, end: int, kind: str, model: str | None) -> None:
        separator, self.pending_separator = self.pending_separator, ""
        self.chunks.append(_Chunk(start, end, text, kind, model, separator=separator))


class _MarkupCensus(_HTMLScanner):
    """The same scan, noting where each element name first appears and the first comment that a browser ends
    elsewhere than this scan does (``<!-->``, ``<!--->``, or ``--!>`` before its ``-->``)."""

    def __init__(self, body: str):
        super().__init__(body)
        self.first_tag: dict[str, int] = {}
        self.odd_comment_at: int | None = None

    def on_comment(self, start: int, end: int) -> None:
        if self.odd_comment_at is None and (self.body.startswith(("<!-->", "<!--->"), start)
                                            or self.body.find("--!>", start + 4, end) >= 0):
            self.odd_comment_at = start

    def on_start_tag(self, tag: str, attrs: dict, start: int, end: int) -> None:
        self.first_tag.setdefault(tag, start)
        super().on_start_tag(tag, attrs, start, end)

    def on_end_tag(self, tag: str, start: int, end: int) -> None:
        self.first_tag.setdefault(tag, start)
        super().on_end_tag(tag, start, end)


def html_markup_census(body: str) -> tuple[dict[str, int], int | None]:
    """Where each element name first appears in an HTML body, and the first comment browsers end elsewhere
    than :func:`parse_html` (None: none). For the submit check (``disclosure.validation``): a browser builds
    such markup into a different page than this parser reads, so text a reader sees could escape the
    classifiers, or an AI-written section lose its label."""
    census = _MarkupCensus(body)
    census.run()
    return census.first_tag, census.odd_comment_at


def parse_html(body: str) -> ParsedBody:
    scanner = _HTMLScanner(body)
    scanner.run()
    if scanner.max_depth > MAX_HTML_DEPTH:
        line = scanner.line_of(scanner.too_deep_at)
        raise BlockSyntaxError(gettext("Line %(line)s: the HTML nests elements more than %(max)s deep: close the "
                                       "tags you open.") % {"line": line, "max": MAX_HTML_DEPTH}, line=line)
    if scanner.ai:
        line = scanner.ai[0][3]
        raise BlockSyntaxError(gettext("The AI-written section opened on line %(line)s is never closed: add its "
                                       "closing </%(tag)s> tag.") % {"line": line, "tag": scanner.ai[0][0]}, line=line)
    return ParsedBody(_merge(scanner.chunks, literal=True), sorted(scanner.blocks, key=lambda b: b.start))


_RECENT: OrderedDict[tuple[str, str, str], ParsedBody | BlockSyntaxError] = OrderedDict()
_RECENT_SIZE = 8
_RECENT_LOCK = threading.Lock()


def parse_body(body: str, fmt: str = "markdown") -> ParsedBody:
    """Parse a post body written in ``fmt`` (``markdown`` or ``html``). Raises :class:`BlockSyntaxError`.

    One request or task asks about the same body several times (the form, the disclosure check, intake; the
    classifiers and the policy): the last few results are kept, so a body is parsed once and handed on.
    """
    if fmt not in ("markdown", "html"):
        raise ValueError(f"unknown body format {fmt!r}")
    key = (fmt, get_language() or "", body)  # a syntax error's message is in the author's language
    with _RECENT_LOCK:
        found = _RECENT.get(key)
        if found is not None:
            _RECENT.move_to_end(key)
    if found is None:
        try:
            found = parse_html(body) if fmt == "html" else parse_markdown(body)
        except BlockSyntaxError as exc:
            found = exc
        with _RECENT_LOCK:
            _RECENT[key] = found
            while len(_RECENT) > _RECENT_SIZE:
                _RECENT.popitem(last=False)
    if isinstance(found, BlockSyntaxError):
        raise BlockSyntaxError(found.message, line=found.line)
    return ParsedBody(list(found.passages), list(found.blocks), found.parser_version)
