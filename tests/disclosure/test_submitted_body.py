"""What a body must pass to be submitted (``check_body``) beyond its syntax: an AI-written section with text
in it, and in a Markdown post the Markdown form of a section. A stored body is still parsed as before
(``parse_body``), so a post saved before these checks keeps being evaluated and shown."""
import pytest

from disclosure.blocks import BlockSyntaxError, parse_body
from disclosure.validation import check_body, check_post


@pytest.mark.parametrize("body, fmt, line", [
    (':::ai-written model="A"\n:::\n', "markdown", 1),
    ('Intro.\n\n:::ai-written model="A"\n\n   \n:::\n', "markdown", 3),
    ('<p>Intro.</p>\n<section data-ai-written data-model="A"> </section>', "html", 2),
])
def test_an_empty_ai_written_section_is_refused_with_its_line(body, fmt, line):
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, fmt)
    assert refused.value.line == line and "empty" in refused.value.message
    assert parse_body(body, fmt).blocks  # a stored post with one still parses


@pytest.mark.parametrize("body", [
    'A.\n\n<section data-ai-written data-model="D">Four.</section>\n',
    'A.\n\n<div class="llm-content-block" data-model-name="D">Four.</div>\n',
    'A.\n\nSee <SECTION data-ai-written>this</SECTION>\n',
])
def test_the_html_form_of_a_section_in_a_markdown_post_is_refused(body):
    with pytest.raises(BlockSyntaxError) as refused:
        check_body(body, "markdown")
    assert "in a Markdown post" in refused.value.message and refused.value.line == 3


@pytest.mark.parametrize("body", [
    "The HTML form is `<section data-ai-written data-model=\"…\">`, in HTML posts.\n",
    "```html\n<section data-ai-written data-model=\"D\">Four.</section>\n```\n",
    "> <section data-ai-written>somebody else's words</section>\n",
    ':::ai-written model="A"\n```\nprint("code only")\n```\n:::\n',
])
def test_the_syntax_shown_as_code_or_quoted_and_a_section_of_code_are_accepted(body):
    check_body(body, "markdown")


def test_the_api_and_every_other_submission_path_refuse_it_on_the_body():
    _disclosure, _parsed, errors = check_post(body=':::ai-written model="A"\n:::\n', fmt="markdown",
                                              disclosure_data=None)
    assert [e["field"] for e in errors] == ["body"]
