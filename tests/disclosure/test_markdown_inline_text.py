"""A Markdown passage's text is what readers read, not what the markup spells: the classifiers read words, and
inline markup that readers never see must not break the words apart.

- A letter, digit or invisible character written as a character reference (``&#101;``, ``&#8203;``) shows as
  that character; the passage's text holds the character (punctuation stays as written: ``&gt;`` at the
  start of a line would read as a quote marker).
- Inline markup around nothing visible (``[](url)``, ``**`` around a zero-width space, an image with no alt
  text inside a word) shows nothing, yet split every word it sat in for the classifiers; a submitted body may not use it.
"""
import nh3
import pytest

from disclosure.blocks import AUTHOR, BlockSyntaxError, parse_body
from disclosure.render import render_body
from disclosure.validation import check_body, check_post

AI = "In today's fast-paced world, it is important to note that every journey matters."


def readers_see(body: str) -> str:
    import html
    return html.unescape(nh3.clean(render_body(body, "markdown"), tags=set()))


def author_text(body: str) -> str:
    return " ".join(p.text for p in parse_body(body, "markdown").passages if p.kind == AUTHOR)


@pytest.mark.parametrize("body", [
    AI.replace("e", "&#101;"),
    AI.replace("o", "&#x6F;"),
    AI.replace("a", "&#1072;"),  # Cyrillic а, which the detector folds to Latin a once it sees it
    AI.replace(" ", "&#8203; ").replace("t", "t&#8203;"),
])
def test_letters_and_invisible_characters_written_as_references_are_read_as_the_characters(body):
    shown = readers_see(body)
    text = author_text(body)
    assert "&#" not in text
    assert text.replace("\u200b", "") == shown.strip().replace("\u200b", "")


def test_a_decoded_reference_maps_back_to_where_it_is_written():
    body = "Intro.\n\nTh&#101; end of &#x6F;ne line."
    passage = parse_body(body, "markdown").passages[0]
    assert passage.text == "Intro.\n\nThe end of one line."
    assert body[passage.body_offset(passage.text.index("e end"))] == "&"
    assert body[passage.body_offset(passage.text.index(" end"))] == " "
    assert passage.end == len(body)


@pytest.mark.parametrize("body, text", [
    ("Fish &amp; chips &lt;3, &copy; me.", "Fish &amp; chips &lt;3, &copy; me."),
    ("&gt; not a quote marker, as written", "&gt; not a quote marker, as written"),
    ("`&#101;` in code and \\&#101; escaped stay as written", "`&#101;` in code and \\&#101; escaped stay as written"),
    ("```\n&#101;\n```", "&#101;"),
])
def test_punctuation_references_code_and_escapes_stay_as_written(body, text):
    assert [p.text for p in parse_body(body, "markdown").passages] == [text]


@pytest.mark.parametrize("body", [
    "Gr[](https://example.org)eat question!",
    "Gr[&#8203;](https://example.org)eat question!",
    "Gr**\u200b**eat question!",
    "Gr~~\u200b~~eat question!",
    "Gr![](https://example.org/pixel.png)eat question!",
    "Intro.\n\n- in a list item: Gr[](https://example.org)eat question!",
])
def test_inline_markup_that_shows_nothing_is_refused_on_the_body(body):
    assert "Great question!" in readers_see(body).replace("\u200b", "")
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "markdown")
    assert refused.value.line == body.count("\n", 0, body.index("Gr")) + 1
    assert "shows nothing" in refused.value.message
    _disclosure, _parsed, errors = check_post(body=body, fmt="markdown", disclosure_data=None)
    assert [e["field"] for e in errors] == ["body"]
    parse_body(body, "markdown")  # a stored post with it still parses


@pytest.mark.parametrize("body", [
    "A [link](https://example.org), *emphasis*, **strong**, ~~struck~~ and `code`.",
    "An image on its own: ![](https://example.org/a.png)\n\n![](https://example.org/b.png)",
    "An image ![a chart](https://example.org/a.png) with alt text.",
    "Inline code of a space: ` ` is fine, and so are \\[\\](brackets) written out.",
    "```\n[](https://example.org)\n```",
    "> quoted [](https://example.org) markup is somebody else's",
])
def test_ordinary_inline_markup_is_accepted(body):
    check_body(body, "markdown")


def test_a_body_of_code_span_ticks_and_references_parses_in_linear_time():
    """Whether a reference sits in a code span was counted over every backtick before it, once per reference: a
    196 KB line of ``\\`&#101;`` (under the 200 KB submission limit) took 35 s of a web process to parse."""
    import time

    body = "`&#101;" * 28_000
    started = time.perf_counter()
    passages = parse_body(body, "markdown").passages
    assert time.perf_counter() - started < 3  # linear: well under a second
    # every other reference follows an odd number of backticks (in a code span, as written); the others are letters
    assert [p.text for p in passages] == ["`&#101;`e" * 14_000]


def test_the_check_for_markup_that_shows_nothing_costs_about_one_read_of_the_body():
    """Each link or emphasis looked for its closing token in a copy of every token after it: a 198 KB body of
    33,000 links took 4 s of a web process to check, five times what parsing it costs."""
    import time

    from disclosure.render import markdown_render_tokens
    from disclosure.validation import _invisible_markup_error

    body = "[a](u)" * 33_000 + "\u200b"  # the invisible character makes the check read the tokens
    started = time.perf_counter()
    markdown_render_tokens(body)
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    assert _invisible_markup_error(body) is None
    assert time.perf_counter() - started < 2 * parsing + 0.5  # the parse, and one pass over its tokens
