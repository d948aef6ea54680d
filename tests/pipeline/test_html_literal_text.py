"""An HTML post's passages are the text readers see, already parsed: a paragraph that starts with a literal
``>`` (``&gt;``), or holds literal triple backticks or ``[quote]`` tags, is prose on the page. The detector read
such passage text as Markdown again and left it out as a quote or code, so undeclared AI text written that way
reached readers unscored (found by a helper's evasion review)."""
from __future__ import annotations

import html

import pytest

from moderation.classifiers.stylometric import StylometricClassifier
from disclosure.blocks import parse_body
from tests.detector.fixtures import AI_TEXTS


def score(body: str, fmt: str = "html"):
    return StylometricClassifier().classify(parse_body(body, fmt).passages, None)


@pytest.mark.parametrize("dressed", [
    lambda text: f"<p>&gt; {html.escape(text)}</p>",
    lambda text: f"<p>[quote]{html.escape(text)}[/quote]</p>",
    lambda text: f"<p>```</p><p>{html.escape(text)}</p><p>```</p>",
    lambda text: f"<p>&lt;blockquote&gt;{html.escape(text)}&lt;/blockquote&gt;</p>",
], ids=["quote-marker", "bb-quote", "fence", "tag-as-text"])
def test_html_text_that_looks_like_markup_is_scored_as_the_prose_readers_see(dressed):
    plain = score(f"<p>{html.escape(AI_TEXTS[0])}</p>")
    assert plain.status == "ok"

    disguised = score(dressed(AI_TEXTS[0]))

    assert disguised.status == "ok" and disguised.score == pytest.approx(plain.score, abs=0.05)
    assert disguised.details["excluded"] == []


def test_a_markdown_quote_is_still_left_out():
    """In Markdown the parser finds the quote itself: it is a quote passage, skipped as before."""
    quoted = score(f"> {AI_TEXTS[0]}", fmt="markdown")
    assert quoted.status == "insufficient_evidence"
