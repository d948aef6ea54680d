"""The parser (what classifiers and validation see) and the renderer (what readers see) agree on where the
AI-written sections are: every body the parser accepts renders with one labelled section per parsed block,
and every declared-AI passage is inside one of them. For Markdown this holds by construction (both read one
markdown-it token stream's grammar); the property keeps it so."""
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.blocks import DECLARED_AI, parse_body
from disclosure.render import render_body

from .test_blocks_parser import html_of, markdown_of, models, prose

kinds = st.sampled_from(["author", "ai", "lw", "quote", "code", "collapse", "nested", "ai_with_code", "ai_in_quote",
                         "ai_in_list"])
items = st.lists(st.tuples(kinds, models, prose), min_size=1, max_size=6)


def markdown(kind, model, text):
    attr = f' model="{model}"' if model else ""
    if kind == "nested":
        return f'::::ai-written model="Outer"\n{text}\n\n:::ai-written{attr}\n{text}\n:::\n::::'
    if kind == "ai_with_code":
        return f":::ai-written{attr}\n{text}\n\n```\ncode()\n```\n\n> {text}\n:::"
    if kind == "ai_in_quote":  # one grammar: a block inside a quote is a block, as it renders
        return f"> :::ai-written{attr}\n> {text}\n> :::"
    if kind == "ai_in_list":
        return f"- :::ai-written{attr}\n  {text}\n  :::"
    return markdown_of(kind, model, text)


def html(kind, model, text):
    if kind == "ai_in_quote":
        return f"<blockquote>{html_of('ai', model, text)}</blockquote>"
    if kind == "ai_in_list":
        return f"<ul><li>{html_of('ai', model, text)}</li></ul>"
    if kind == "nested":
        return f'<section data-ai-written data-model="Outer"><p>{text}</p>{html_of("ai", model, text)}</section>'
    if kind == "ai_with_code":
        return html_of("ai", model, text).replace("</section>", "<pre>code()</pre></section>")
    return html_of(kind, model, text)


class AIText(HTMLParser):
    """Collects the text inside rendered AI blocks (section.ai-block > details > div.ai-block__body)."""

    def __init__(self):
        super().__init__()
        self.stack, self.blocks, self.inside = [], 0, []

    def handle_starttag(self, tag, attrs):
        is_block = tag == "section" and "ai-block" in (dict(attrs).get("class") or "")
        self.blocks += is_block
        if tag not in ("br", "hr", "img"):
            self.stack.append(is_block)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if any(self.stack):
            self.inside.append(data)


def check(body, fmt):
    parsed = parse_body(body, fmt)
    reader = AIText()
    reader.feed(render_body(body, fmt))
    assert reader.blocks == len(parsed.blocks)
    inside = " ".join(" ".join(reader.inside).split())
    for passage in parsed.passages_of(DECLARED_AI):
        assert " ".join(passage.text.split()) in inside


AGREE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@AGREE
@given(items)
def test_markdown_renders_one_labelled_section_per_parsed_block(elements):
    check("\n\n".join(markdown(*e) for e in elements), "markdown")


@AGREE
@given(items)
def test_html_renders_one_labelled_section_per_parsed_block(elements):
    check("\n".join(html(*e) for e in elements), "html")
