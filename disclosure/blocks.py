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
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

PARSER_VERSION = 1

AUTHOR = "author"
DECLARED_AI = "declared_ai"
QUOTE = "quote"
CODE = "code"
COLLAPSIBLE = "collapsible"
PASSAGE_KINDS = (AUTHOR, DECLARED_AI, QUOTE, CODE, COLLAPSIBLE)
#: Kinds whose text is prose somebody wrote for this post, and so worth scoring.
PROSE_KINDS = (AUTHOR, DECLARED_AI, COLLAPSIBLE)


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

    def body_offset(self, text_index: int) -> int:
        """Map an index into ``text`` to an index into the original body."""
        for text_start, body_start, length in self.segments:
            if text_start <= text_index < text_start + length:
                return body_start + (text_index - text_start)
        for text_start, body_start, length in reversed(self.segments):
            if text_index >= text_start + length:
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


@dataclass
class ParsedBody:
    passages: list[Passage]
    blocks: list[AIBlock]
    parser_version: int = PARSER_VERSION

    @property
    def has_ai_blocks(self) -> bool:
        return bool(self.blocks)

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


def _merge(chunks: list[_Chunk]) -> list[Passage]:
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
            passages.append(Passage(start, end, group[0].kind, stripped, group[0].model, tuple(trimmed)))
        group.clear()

    for chunk in chunks:
        if group and (chunk.kind, chunk.model) != (group[0].kind, group[0].model):
            flush()
        group.append(chunk)
    flush()
    return passages


# --- Markdown ------------------------------------------------------------------------------------
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_AI_OPEN = re.compile(r"^ {0,3}(:{3,})\s*ai-written\b(.*)$")
_COLON_CLOSE = re.compile(r"^ {0,3}(:{3,})\s*$")
_COLON_OTHER = re.compile(r"^ {0,3}(:{3,})\s*\S")
_LW_OPEN = re.compile(r"^ {0,3}%%%\s*llm-output\b(.*)$")
_LW_CLOSE = re.compile(r"^ {0,3}%%%\s*/llm-output\s*$")
_COLLAPSE = re.compile(r"^ {0,3}\+\+\+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>\s?")
_INDENTED = re.compile(r"^( {4}|\t)")


def _lines(body: str):
    offset = 0
    for number, line in enumerate(body.splitlines(keepends=True), start=1):
        content = line.rstrip("\r\n")
        yield number, offset, content
        offset += len(line)


def _check_closer_in_fence(stack, line: str, number: int) -> None:
    """The renderer ends an AI-written section at its closing line even inside a code fence; refuse the body
    rather than let the rendered section end elsewhere than the parsed one."""
    for syntax, colons, _, opened, _ in reversed(stack):
        closes = (syntax == "colon" and (m := _COLON_CLOSE.match(line)) and len(m.group(1)) >= colons) or \
            (syntax == "lw" and (_LW_CLOSE.match(line) or line.strip() == "%%%"))
        if closes:
            raise BlockSyntaxError(
                f"Line {number}: this line inside a code block would end the AI-written section opened on line "
                f"{opened}. Indent it" + (", or open the section with more colons." if syntax == "colon" else "."),
                line=number)


def parse_markdown(body: str) -> ParsedBody:
    # Open containers, innermost last: (syntax, marker length, model, opening line, body offset).
    stack: list[tuple[str, int, str | None, int, int]] = []
    blocks: list[AIBlock] = []
    chunks: list[_Chunk] = []
    fence: tuple[str, int] | None = None
    previous_blank = True

    def kind_here(default: str) -> tuple[str, str | None]:
        ai = [entry for entry in stack if entry[0] in ("colon", "lw")]
        if ai:
            return DECLARED_AI, ai[-1][2]
        if default == QUOTE:
            return QUOTE, None
        if any(entry[0] == "collapse" for entry in stack):
            return COLLAPSIBLE, None
        return default, None

    def close(entry, end_offset):
        syntax, _, model, _, start = entry
        if syntax in ("colon", "lw"):
            blocks.append(AIBlock(start, end_offset, model, "markdown" if syntax == "colon" else "lesswrong"))

    for number, offset, line in _lines(body):
        line_end = offset + len(line)
        if fence is not None:
            marker = _FENCE.match(line)
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= fence[1] and \
                    not line.strip().strip(fence[0]):
                fence = None
            else:
                _check_closer_in_fence(stack, line, number)
                chunks.append(_Chunk(offset, line_end, line, CODE, None))
            continue
        if m := _FENCE.match(line):
            fence = (m.group(1)[0], len(m.group(1)))
            continue
        if m := _AI_OPEN.match(line):
            colons = len(m.group(1))
            outer = next((entry for entry in reversed(stack) if entry[0] == "colon"), None)
            if outer is not None and colons >= outer[1]:
                # The renderer would close the outer section at this block's closing line.
                raise BlockSyntaxError(
                    f"Line {number}: an AI-written section nested inside another needs fewer colons than the "
                    f"one around it: open the outer one (line {outer[3]}) with {':' * (colons + 1)} and close "
                    f"it with {':' * (colons + 1)}.", line=number)
            stack.append(("colon", colons, parse_model_attr(m.group(2)), number, offset))
            continue
        if m := _COLON_CLOSE.match(line):
            colons = len(m.group(1))
            if not stack or stack[-1][0] != "colon":
                what = {"lw": "an LLM-output block (close it with '%%% /llm-output')",
                        "collapse": "a collapsible section (close it with '+++')"}
                inner = what.get(stack[-1][0]) if stack else None
                raise BlockSyntaxError(
                    f"Line {number}: ':::' closes nothing here" + (f"; the innermost open block is {inner}."
                                                                   if inner else
                                                                   ": no AI-written section is open."),
                    line=number)
            if colons < stack[-1][1]:
                raise BlockSyntaxError(f"Line {number}: this ':::' is shorter than the "
                                       f"{':' * stack[-1][1]} that opened the AI-written section on line "
                                       f"{stack[-1][3]}.", line=number)
            close(stack.pop(), line_end)
            continue
        if _COLON_OTHER.match(line):
            raise BlockSyntaxError(f"Line {number}: unknown block type. Use ':::ai-written model=\"…\"' for an "
                                   "AI-written section.", line=number)
        if m := _LW_OPEN.match(line):
            stack.append(("lw", 3, parse_model_attr(m.group(1)), number, offset))
            continue
        if _LW_CLOSE.match(line):
            if not stack or stack[-1][0] != "lw":
                raise BlockSyntaxError(f"Line {number}: '%%% /llm-output' closes nothing: no '%%% llm-output' "
                                       "block is open here.", line=number)
            close(stack.pop(), line_end)
            continue
        if m := _COLLAPSE.match(line):
            if stack and stack[-1][0] == "collapse" and not m.group(1).strip():
                stack.pop()
            else:
                stack.append(("collapse", 3, None, number, offset))
                title = m.group(1).strip()
                if title:
                    chunks.append(_Chunk(offset + line.index(title), offset + line.index(title) + len(title),
                                         title, *kind_here(COLLAPSIBLE)))
            continue
        if q := _QUOTE.match(line):
            text = line[q.end():]
            chunks.append(_Chunk(offset + q.end(), line_end, text, *kind_here(QUOTE)))
            previous_blank = False
            continue
        if previous_blank and _INDENTED.match(line) and line.strip():
            chunks.append(_Chunk(offset, line_end, line, CODE, None))
            continue
        previous_blank = not line.strip()
        chunks.append(_Chunk(offset, line_end, line, *kind_here(AUTHOR)))

    if stack:
        syntax, _, _, number, _ = stack[-1]
        closer = {"colon": "a line with ':::'", "lw": "a line with '%%% /llm-output'", "collapse": "'+++'"}[syntax]
        name = "collapsible section" if syntax == "collapse" else "AI-written section"
        raise BlockSyntaxError(f"The {name} opened on line {number} is never closed: add {closer} after its text.",
                               line=number)
    return ParsedBody(_merge(chunks), sorted(blocks, key=lambda b: b.start))


# --- HTML ----------------------------------------------------------------------------------------
_SKIP = "skip"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK_LEVEL = {"p", "div", "section", "blockquote", "pre", "details", "summary", "li", "ul", "ol", "h1", "h2",
                "h3", "h4", "h5", "h6", "table", "tr", "br", "hr"}


def html_ai_block_attrs(tag: str, attrs: dict[str, str | None]) -> tuple[bool, str | None, str]:
    """Whether a start tag opens an AI-written block, the model it credits, and which syntax it is."""
    if tag == "section" and "data-ai-written" in attrs:
        return True, (attrs.get("data-model") or "").strip()[:200] or None, "html"
    if tag == "div" and "llm-content-block" in (attrs.get("class") or "").split():
        return True, (attrs.get("data-model-name") or "").strip()[:200] or None, "lesswrong"
    return False, None, ""


class _HTMLScanner(HTMLParser):
    def __init__(self, body: str):
        super().__init__(convert_charrefs=False)
        self.body = body
        self.line_starts = [0]
        for match in re.finditer("\n", body):
            self.line_starts.append(match.end())
        self.stack: list[tuple[str, str | None, str | None, int, int, str]] = []
        self.chunks: list[_Chunk] = []
        self.blocks: list[AIBlock] = []
        self.pending_separator = ""

    def _pos(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def kind_here(self) -> tuple[str, str | None]:
        kinds = [entry[1] for entry in self.stack if entry[1]]
        if _SKIP in kinds:
            return _SKIP, None
        if CODE in kinds:
            return CODE, None
        ai = [entry for entry in self.stack if entry[1] == DECLARED_AI]
        if ai:
            return DECLARED_AI, ai[-1][2]
        for kind in (QUOTE, COLLAPSIBLE):
            if kind in kinds:
                return kind, None
        return AUTHOR, None

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_LEVEL:
            self.pending_separator = "\n\n"
        if tag in _VOID:
            return
        attr_map = dict(attrs)
        is_ai, model, syntax = html_ai_block_attrs(tag, attr_map)
        kind = DECLARED_AI if is_ai else {"blockquote": QUOTE, "pre": CODE, "details": COLLAPSIBLE,
                                          "script": _SKIP, "style": _SKIP}.get(tag)
        self.stack.append((tag, kind, model, self.getpos()[0], self._pos(), syntax))

    def handle_startendtag(self, tag, attrs):
        if tag not in _VOID:
            # Browsers (and the sanitiser) ignore "/>" on non-void elements: <section data-ai-written/> opens one.
            self.handle_starttag(tag, attrs)
            return
        if tag in _BLOCK_LEVEL:
            self.pending_separator = "\n\n"

    def handle_endtag(self, tag):
        if tag in _BLOCK_LEVEL:
            self.pending_separator = "\n\n"
        if not any(entry[0] == tag for entry in self.stack):
            return  # a stray end tag: browsers ignore it, so do we
        end = self._pos() + len(f"</{tag}>")
        while self.stack:
            entry = self.stack.pop()
            if entry[1] == DECLARED_AI:
                self.blocks.append(AIBlock(entry[4], end, entry[2], entry[5]))
            if entry[0] == tag:
                break

    def _add_text(self, text: str, start: int, length: int):
        kind, model = self.kind_here()
        if kind == _SKIP:
            return  # script and style content is not text anybody reads
        separator, self.pending_separator = self.pending_separator, ""
        self.chunks.append(_Chunk(start, start + length, text, kind, model, separator=separator))

    def handle_data(self, data):
        self._add_text(data, self._pos(), len(data))

    def _add_reference(self, raw: str):
        start = self._pos()
        length = len(raw) + 1 if self.body.startswith(raw + ";", start) else len(raw)
        self._add_text(html.unescape(raw + ";")[:1], start, length)

    def handle_entityref(self, name):
        self._add_reference(f"&{name}")

    def handle_charref(self, name):
        self._add_reference(f"&#{name}")


def parse_html(body: str) -> ParsedBody:
    scanner = _HTMLScanner(body)
    scanner.feed(body)
    scanner.close()
    open_ai = [entry for entry in scanner.stack if entry[1] == DECLARED_AI]
    if open_ai:
        line = open_ai[0][3]
        raise BlockSyntaxError(f"The AI-written section opened on line {line} is never closed: add its closing "
                               f"</{open_ai[0][0]}> tag.", line=line)
    return ParsedBody(_merge(scanner.chunks), sorted(scanner.blocks, key=lambda b: b.start))


def parse_body(body: str, fmt: str = "markdown") -> ParsedBody:
    """Parse a post body written in ``fmt`` (``markdown`` or ``html``). Raises :class:`BlockSyntaxError`."""
    if fmt == "html":
        return parse_html(body)
    if fmt == "markdown":
        return parse_markdown(body)
    raise ValueError(f"unknown body format {fmt!r}")
