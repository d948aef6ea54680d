"""Helpers for the forum's page tests: form data as a browser without JavaScript would post it, and a
small HTML reader so tests inspect the page's structure instead of grepping it."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

AI_BODY = ("My own opening paragraph, written by hand.\n\n"
           ':::ai-written model="Claude Opus 4.5"\nA paragraph the model drafted for me.\n:::\n\n'
           "My own closing thoughts.")


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text_parts = tag, dict(attrs), parent, [], []

    def text(self) -> str:
        return "".join(part if isinstance(part, str) else part.text() for part in self.text_parts)

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants with this tag whose attributes equal ``attrs`` (``True`` = present; ``class_`` = has class)."""
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            ok = True
            for name, want in attrs.items():
                if name == "class_":
                    ok = want in (node.attrs.get("class") or "").split()
                else:
                    name = name.replace("_", "-")
                    ok = name in node.attrs if want is True else node.attrs.get(name) == want
                if not ok:
                    break
            if ok:
                found.append(node)
        return found

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.text_parts.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text_parts.append(data)


def parse_html(markup: str | bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(markup.decode() if isinstance(markup, bytes) else markup)
    builder.close()
    return builder.root


def field_errors(page: Node, field: str) -> list[str]:
    """The error messages shown inside the form row of ``field`` (``data-field`` or the input's name)."""
    row = page.find(data_field=field)
    if row is None:
        control = page.find(name=field)
        row = control.parent if control is not None else None
    assert row is not None, f"no form row for {field!r}"
    return [li.text().strip() for ul in row.find_all("ul", class_="errorlist") for li in ul.find_all("li")]


@pytest.fixture
def post_data(category):
    """The new-post form as a browser without JavaScript submits it; keyword arguments change fields."""

    def make(**fields):
        data = {"title": "A post about tide pools", "category": str(category.pk), "format": "markdown",
                "body": "Written by me, entirely by hand.", "human_only": "on", "ai_share_percent": "0",
                "tools": "", "process": "", "verification": ""}
        data.update({k: v for k, v in fields.items() if v is not None})
        for key in [k for k, v in fields.items() if v is None]:
            data.pop(key, None)
        return data

    return make


@pytest.fixture
def honest_ai_fields():
    """Disclosure fields that honestly describe a post with an AI-written section."""
    return {"human_only": None, "assist_drafting": "substantial", "tools": "Claude Opus 4.5",
            "ai_share_percent": "30",
            "process": "The model drafted the marked section from my outline; I wrote the rest myself."}
