"""An HTML post may only use markup that browsers build into the page the parser reads. Comments that browsers
end elsewhere (``<!-->``, ``<!--->``, ``--!>``) and elements with their own parsing rules (form controls, svg,
math, template, textarea, noscript, script, style...) let text a reader sees escape the classifiers, or show an
AI-written section without its label; they are refused on submit with their line. Stored posts still parse."""
import nh3
import pytest

from disclosure.blocks import AUTHOR, BlockSyntaxError, parse_body
from disclosure.validation import check_body

AI = "AIPROSE In today's fast-paced world, it is important to note that every journey matters."
SECTION = f'<section data-ai-written data-model="GPT-5">{AI}</section>'

HIDDEN_FROM_THE_CLASSIFIERS = [
    (f"<p>My own intro.</p>\n<!--><p>{AI}</p><!-- -->", 2),
    (f"<p>My own intro.</p>\n<!---><p>{AI}</p><!-- -->", 2),
    (f"<p>My own intro.</p>\n<!-- x --!><p>{AI}</p><!-- -->", 2),
    (f"<p>My own intro.</p>\n<select><pre><input><p>{AI}</p>", 2),
    (f"<p>My own intro.</p>\n\n<svg><style><p>{AI}</p>", 3),
    (f"<p>My own intro.</p>\n<math><style></math><p>{AI}</p>", 2),
]
LABEL_LOST = [
    f"<p>Intro</p><!-->{SECTION}<!-- -->",
    f"<p>Intro</p><select><blockquote><input>{SECTION}",
    f"<p>Intro</p><textarea>{SECTION}</textarea>",
    f"<p>Intro</p><xmp>{SECTION}</xmp>",
    f"<p>Intro</p><noscript>{SECTION}</noscript>",
    f"<p>Intro</p><template>{SECTION}</template>",
]


def readers_see(body: str) -> str:
    """The text a browser shows (html5ever through nh3, every tag dropped)."""
    return nh3.clean(body, tags=set())


def author_text(body: str) -> str:
    return " ".join(p.text for p in parse_body(body, "html").passages if p.kind == AUTHOR)


@pytest.mark.parametrize("body, line", HIDDEN_FROM_THE_CLASSIFIERS)
def test_markup_that_hides_shown_text_from_the_classifiers_is_refused_with_its_line(body, line):
    assert "AIPROSE" in readers_see(body) and "AIPROSE" not in author_text(body)  # why: shown, never scored
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "html")
    assert refused.value.line == line
    parse_body(body, "html")  # a stored post with it still parses


@pytest.mark.parametrize("body", LABEL_LOST)
def test_markup_that_hides_or_unlabels_an_ai_written_section_is_refused(body):
    """The parser and the page disagree on the section: counted but shown as text or not at all, or (behind
    ``<!-->``) shown but not counted, so a post ticked "entirely human-written" showed an AI-written section."""
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "html")
    assert refused.value.line == 1


@pytest.mark.parametrize("body", [
    f"<p>Mine, with <u>underline</u>, <small>small</small>, <mark>mark</mark> and <q>a quote</q>.</p>\n"
    f"<!-- an ordinary comment -->\n{SECTION}",
    "<h2>Table</h2><table><caption>c</caption><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr>"
    "</tbody><tfoot><tr><td>2</td></tr></tfoot></table>",
    "<figure><pre><code>x = 1</code></pre><figcaption>code</figcaption></figure><dl><dt>t</dt><dd>d</dd></dl>",
    "<blockquote><p>Someone else.</p></blockquote><p><a href=\"https://example.org\">link</a><br>end</p>",
])
def test_ordinary_post_markup_and_plain_comments_are_accepted(body):
    check_body(body, "html")


def test_the_refusal_names_the_element():
    with pytest.raises(BlockSyntaxError) as refused:
        check_body("<p>a</p>\n<P>b</P>\n<IFRAME src=x></IFRAME>", "html")
    assert "<iframe>" in refused.value.message and refused.value.line == 3


# A table row or cell closes whatever was opened before it in the table (a quote, a code block, an AI-written
# section), however deep; an element opened directly in a table is moved out before it (foster parenting).
# The parser kept those elements open, so the AI text of the next cell, shown as the author's, was read as a
# quote and never scored.
MOVED_BY_TABLES = [
    (f"<p>Mine.</p>\n<table><blockquote>q<tr><td><p>{AI}</p></td></tr></table>", 2),
    (f"<p>Mine.</p>\n<table><tr><td><blockquote><b><i><em><strong><span><sub><sup>q<td><p>{AI}</p></td></tr></table>",
     2),
    (f"<p>Mine.</p>\n<table><pre>x<tr><td>{AI}</td></tr></table>", 2),
]


@pytest.mark.parametrize("body, line", MOVED_BY_TABLES)
def test_text_that_browsers_show_outside_the_quote_or_code_it_is_parsed_in_is_refused(body, line):
    parsed = parse_body(body, "html")
    assert "AIPROSE" in readers_see(body) and "AIPROSE" not in author_text(body)  # why: shown, never scored
    assert any("AIPROSE" in p.text for p in parsed.passages)
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "html")
    assert refused.value.line == line
    assert "browsers" in refused.value.message


def test_an_ai_written_section_that_browsers_show_without_its_label_is_refused():
    body = f'<p>Mine.</p>\n<table><section data-ai-written data-model="GPT-5">{AI}<tr><td>{AI}</td></tr></table></section>'
    assert len(parse_body(body, "html").authored_blocks) == 1 and "AIPROSE" not in author_text(body)
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "html")
    assert refused.value.line == 2


@pytest.mark.parametrize("body", [
    f"<table><tr><td><blockquote>Someone else.</blockquote></td><td><p>{AI}</p></td></tr></table>",
    f"<table><tr><td><b><i>x</i></b><td>{AI}</table>",  # cells closed by the next one, as browsers close them
    f"<blockquote><b>quoted</blockquote>{AI}",  # browsers keep this text in the quote: scored as the author's here
    f"<p>Text directly in a table <table>moved before it<tr><td>{AI}</td></tr></table>",
])
def test_tables_that_browsers_build_as_the_parser_reads_them_are_accepted(body):
    check_body(body, "html")


def test_image_alt_text_is_scored_as_the_authors(body=f'<p>Look:</p><p><img src="https://example.invalid/a.png" '
                                                      f'alt="{AI}"></p>'):
    """A browser shows an image's alt text where the image does not load (and a screen reader reads it): it is
    text readers get, so the classifiers read it."""
    passages = parse_body(body, "html").passages
    scored = [p for p in passages if p.kind == AUTHOR and "AIPROSE" in p.text]
    assert scored, passages
    start = scored[0].body_offset(scored[0].text.index("AIPROSE"))
    assert body[start:].startswith("AIPROSE")


def test_image_alt_text_inside_a_quote_or_section_takes_its_kind():
    parsed = parse_body(f'<blockquote><img alt="{AI}" src="https://example.invalid/a.png"></blockquote>'
                        f'<section data-ai-written data-model="GPT-5"><img alt="{AI}"></section>', "html")
    assert [p.kind for p in parsed.passages] == ["quote", "declared_ai"]


@pytest.mark.parametrize("indent", ["    ", "\n\n    ", "&#10;&#10;&#32;&#32;&#32;&#32;", "\t"])
def test_whitespace_that_browsers_collapse_is_collapsed_in_the_passage_text(indent):
    """Browsers collapse a run of spaces and line breaks outside <pre> to one space and show none at the start of
    a block. The detector reads four spaces after a blank line as an indented code block and leaves it out, so
    an undeclared AI paragraph indented in the HTML source (which readers never see) went unscored."""
    body = f"<p>My own intro.</p><p>{indent}{AI}</p><p>Mine.<br>{indent}{AI}</p>"
    passages = parse_body(body, "html").passages
    assert [p.kind for p in passages] == [AUTHOR]
    text = passages[0].text
    assert "  " not in text and "\n " not in text and "\t" not in text
    assert text.count("AIPROSE") == 2
    for i, char in enumerate(text):
        if not char.isspace():
            assert body[passages[0].body_offset(i)] in (char, "&")


def test_whitespace_in_pre_is_kept_as_written():
    body = "<pre>def f():\n    return 1</pre>"
    assert parse_body(body, "html").passages[0].text == "def f():\n    return 1"
