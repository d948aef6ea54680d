"""The renderer's link and emphasis budgets change nothing for a post that does not exhaust them.

``disclosure.render`` hands markdown-it its own link-label and link-destination helpers, which count their
work against a budget per body (see ``test_hostile_input`` for the bodies that needed it). Below the
budget they must answer exactly what markdown-it's own helpers answer; past it, a ``[`` is plain text.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import helpers as stock_helpers
from markdown_it.rules_inline import emphasis as stock_emphasis

from disclosure import render
from disclosure.blocks import markdown_env


def stock_renderer():
    """The renderer as it was: the same parser and render rules, with markdown-it's own link helpers and
    emphasis rule."""
    md = render._markdown()
    md.helpers = stock_helpers
    md.inline.ruler.at("emphasis", stock_emphasis.tokenize)
    return md


STOCK = stock_renderer()
BUDGETED = render._markdown()


def both(body: str) -> tuple[str, str]:
    return (BUDGETED.render(body, markdown_env(body)), STOCK.render(body, markdown_env(body)))


#: Bodies made of the pieces link parsing reacts to: brackets, links, a reference and its definition, code,
#: autolinks, escapes, emphasis and line breaks, in any order (nested links among them).
LINKY = st.lists(st.sampled_from([
    "[", "]", "(", ")", "![", "a", " ", "\n", "*", "_", "`", "<", ">", "\\", '"', "[a](b)", "[r]", "](", "](b)",
    "<http://x.example>", "\n\n[r]: /u\n\n", "[a]: /v", ":::ai-written\n", "\n:::\n",
]), max_size=80).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINKY)
def test_any_short_body_of_brackets_and_parentheses_renders_as_markdown_it_renders_it(body):
    budgeted, stock = both(body)

    assert budgeted == stock


def test_ordinary_links_images_references_and_nesting_render_as_before():
    body = (
        "See [the docs](https://example.org/docs \"Docs\") and ![a chart](https://example.org/c.png).\n\n"
        "[ref link][r] and [nested [brackets] label](https://example.org/a_(b)) and <https://example.org>\n\n"
        "[outer [inner](https://example.org/i) text](https://example.org/o) and [a [r] b](https://example.org/x) "
        "and ![an [inner](https://example.org/j) alt](https://example.org/p.png)\n\n"
        "[r]: https://example.org/ref\n\n"
        "| a | [b](https://example.org/b) |\n|---|---|\n| `[x](y)` | \\[not a link\\] |\n\n"
        ":::ai-written model=\"m\"\nA [link](https://example.org/in-block) inside an AI block.\n:::\n"
        + "".join(f"- [item {i}](https://example.org/{i})\n" for i in range(2_000))
    )

    budgeted, stock = both(body)

    assert budgeted == stock
    assert budgeted.count("<a href=") == 2_000 + 8  # the outer link of a nested pair is text


def test_past_the_budget_a_bracket_is_text_and_the_html_stays_safe():
    body = "[" * 19 + "*a" * 99_980 + "] then [a link](https://example.org) <script>x</script>"

    html = render.render_markdown(body)

    assert "<script" not in html and "[a link](https://example.org)" in html


def test_emphasis_below_the_budget_renders_as_markdown_it_renders_it():
    body = "".join(f"*one {i}* and __two__ and _three_ and ***four***, a * b_c_d\n" for i in range(500))

    budgeted, stock = both(body)

    assert budgeted == stock and budgeted.count("<em>") == 3 * 500


def test_past_the_emphasis_budget_asterisks_are_text_and_links_still_work():
    """``"*a" * 100_000`` made 200,000 tokens (1.1-1.6 s of CPU on the test machine); past the budget a ``*``
    is a character."""
    pairs = render.MAX_EMPHASIS_DELIMITERS // 2
    body = "*a" * 100_000 + " then [a link](https://example.org) <script>x</script>"

    html = render.render_markdown(body)

    assert html.count("<em>") == pairs
    assert html.count("*") == 100_000 - 2 * pairs
    assert '<a href="https://example.org"' in html and "<script" not in html
