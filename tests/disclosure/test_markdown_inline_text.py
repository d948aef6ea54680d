"""A Markdown passage's text is what readers read, not what the markup spells: the classifiers read words, and
markup that readers never see must not spell them differently.

- A letter, digit or invisible character written as a character reference (``&#101;``, ``&#8203;``) shows as
  that character; the passage's text holds the character (punctuation stays as written: ``&gt;`` at the
  start of a line would read as a quote marker).
"""
import nh3
import pytest

from disclosure.blocks import AUTHOR, parse_body
from disclosure.render import render_body

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
