"""A page may show many posts' "How AI was used" panels (a Spirit topic shows one per comment): the panel
carries no id, so a page never repeats one (it did: id="how-ai-was-used" on every comment)."""
import re

from django.template import Context, Template

from disclosure.schema import load_stored


def test_two_panels_on_one_page_repeat_no_id():
    disclosure = load_stored({"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
                              "ai_share_percent": 5, "process": "It fixed my grammar and nothing else at all."})
    html = Template("{% load disclosure_tags %}{% disclosure_panel a %}{% disclosure_panel b %}").render(
        Context({"a": disclosure, "b": disclosure}))
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert html.count("data-disclosure-panel") == 2 and len(ids) == len(set(ids))
