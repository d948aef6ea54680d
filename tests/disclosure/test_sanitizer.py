"""No user input becomes script: a corpus of XSS payloads through both renderers, inspected as parsed HTML.

Every payload is rendered as Markdown and as HTML, on its own and inside an AI-written block. The output
must contain only allowed elements and attributes, no event handler, no script-capable URL — and the
block markup readers rely on (the labelled, collapsible section) must survive sanitising.
"""
import re
from html.parser import HTMLParser

import pytest

from disclosure.render import ALLOWED_ATTRIBUTES, ALLOWED_CLASSES, ALLOWED_TAGS, render_body

PAYLOADS = [
    # script elements, however spelled
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/xss src=//evil.example/x.js></script>",
    '"><script>alert(1)</script>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "'><img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"//',
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>x</details>",
    "<details><summary onclick=alert(1)>x</summary>y</details>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover</div>',
    "<p ONCLICK=alert(1)>x</p>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="https://ok.example" target="_blank" onclick="alert(1)">ok</a>',
    '<img src="https://ok.example/a.png" onerror="alert(1)">',
    # javascript:, vbscript:, data: URLs, obfuscated with entities, whitespace and case
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<img src=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    # Markdown links and images
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javas&#99;ript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[x](<javascript:alert(1)>)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://ok.example "title\\" onmouseover=alert(1) x=\\"")',
    # SVG and MathML namespaces
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    # style expressions
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<p style="behavior: url(x.htc)">x</p>',
    # frames, objects, embeds, srcdoc
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    # meta refresh, base, link, forms
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">x</td></tr></table>',
    # attribute breakouts in the model name, and markup in it
    ':::ai-written model="x\\" onmouseover=alert(1) \\""\ntext\n:::',
    ':::ai-written model="<script>alert(1)</script>"\ntext\n:::',
    ":::ai-written model='\" onmouseover=\"alert(1)'\ntext\n:::",
    '%%% llm-output model="<img src=x onerror=alert(1)>"\ntext\n%%% /llm-output',
    '<section data-ai-written data-model="&quot; onmouseover=&quot;alert(1)">x</section>',
    '<section data-ai-written data-model="<img src=x onerror=alert(1)>">x</section>',
    '<section data-ai-written data-model="M" style="x:expression(alert(1))" onmouseover="alert(1)">x</section>',
    '<div class="llm-content-block" data-model-name="<script>alert(1)</script>">'
    '<div class="llm-content-block-content">x</div></div>',
    "<div class=\"llm-content-block\" data-model-name='\"><svg onload=alert(1)>'>x</div>",
    # nested AI blocks carrying payloads
    '<section data-ai-written data-model="A"><section data-ai-written data-model="B" onclick="alert(1)">'
    "<img src=x onerror=alert(1)></section></section>",
    '::::ai-written model="A"\n:::ai-written model="B"\n<script>alert(1)</script>\n:::\n::::',
    '<section data-ai-written data-model="A"></section><script>alert(1)</script><section data-ai-written>',
    "+++ <img src=x onerror=alert(1)>\nbody\n+++",
]
assert len(PAYLOADS) >= 50

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data", "poster", "srcdoc"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, attrs, parent, [], []

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def all_text(self):
        return "".join(part if isinstance(part, str) else part.all_text() for part in self.parts)


class Tree(HTMLParser):
    """The browser's view, roughly: elements with decoded attribute values."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "embed", "base", "col", "wbr"}

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#root", [], None)
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Element(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.parts.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def url_is_safe(value: str) -> bool:
    """What a browser would treat as the scheme: control characters and whitespace are ignored."""
    squashed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    if ":" not in squashed.split("/")[0].split("?")[0].split("#")[0]:
        return True  # relative
    return squashed.startswith(SAFE_SCHEMES)


def assert_safe(output: str):
    tree = Tree(output)
    for element in tree.root.walk():
        assert element.tag in ALLOWED_TAGS, f"<{element.tag}> survived"
        allowed = set(ALLOWED_ATTRIBUTES.get(element.tag, ())) | ({"rel"} if element.tag == "a" else set())
        if element.tag in ALLOWED_CLASSES:
            allowed.add("class")
        for name, value in element.attrs:
            assert not name.startswith("on"), f"event handler {name} survived"
            assert name in allowed, f"{name} on <{element.tag}> survived"
            if name in URL_ATTRIBUTES and value is not None:
                assert url_is_safe(value), f"{name}={value!r} survived"
            if name == "class":
                assert set((value or "").split()) <= ALLOWED_CLASSES[element.tag]
    assert "<script" not in output.lower()
    return tree


def ai_blocks(tree):
    return [e for e in tree.root.walk() if e.tag == "section" and "ai-block" in (dict(e.attrs).get("class") or "")]


def wrap(payload, fmt):
    if fmt == "markdown":
        return f':::::ai-written model="Safe"\n{payload}\n:::::\n'
    return f'<section data-ai-written data-model="Safe">{payload}</section>'


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:02d}" for i in range(len(PAYLOADS))])
def test_no_payload_survives_either_renderer(payload, fmt):
    for collapsed in (True, False):
        assert_safe(render_body(payload, fmt, collapsed=collapsed))


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:02d}" for i in range(len(PAYLOADS))])
def test_inside_an_ai_block_no_payload_survives_and_the_block_markup_does(payload, fmt):
    tree = assert_safe(render_body(wrap(payload, fmt), fmt))

    labelled = [block for block in ai_blocks(tree)
                if [c.tag for c in block.children] == ["details"]
                and block.children[0].children[0].tag == "summary"
                and block.children[0].children[0].all_text() == "AI-written · Safe"]
    assert labelled, "the labelled, collapsible AI block did not survive sanitising"
    assert dict(labelled[0].attrs)["data-model"] == "Safe"


@pytest.mark.parametrize("body, fmt, model", [
    (':::ai-written model="x\\" onmouseover=alert(1) \\""\ntext\n:::', "markdown", "x\\"),
    (':::ai-written model="<script>alert(1)</script>"\ntext\n:::', "markdown", "<script>alert(1)</script>"),
    (":::ai-written model='\" onmouseover=\"alert(1)'\ntext\n:::", "markdown", '" onmouseover="alert(1)'),
    ('%%% llm-output model="<b>Bold</b> & co"\ntext\n%%% /llm-output', "markdown", "<b>Bold</b> & co"),
    ('<section data-ai-written data-model="&quot; onmouseover=&quot;alert(1)">x</section>', "html",
     '" onmouseover="alert(1)'),
    ('<section data-ai-written data-model="<img src=x onerror=alert(1)>">x</section>', "html",
     "<img src=x onerror=alert(1)>"),
    ('<div class="llm-content-block" data-model-name="<script>alert(1)</script>">x</div>', "html",
     "<script>alert(1)</script>"),
])
def test_a_model_name_is_shown_as_text_in_the_label_never_as_markup(body, fmt, model):
    tree = assert_safe(render_body(body, fmt))

    (block,) = ai_blocks(tree)
    assert dict(block.attrs)["data-model"] == model
    summary = block.children[0].children[0]
    assert summary.all_text() == f"AI-written · {model}"
    assert [child.tag for child in summary.children] == ["span", "span"]  # badge and model, nothing injected
    assert dict(block.children[0].attrs)["aria-label"] == f"AI-written · {model}"  # the group's name, as text


def test_a_markdown_collapsible_is_named_by_its_title():
    tree = assert_safe(render_body('+++ My "notes" <b>\nText.\n+++\n', "markdown"))

    (details,) = [e for e in tree.root.walk() if e.tag == "details"]
    assert dict(details.attrs)["aria-label"] == 'My "notes" <b>'


@pytest.mark.parametrize("label", ["Human-written", "AI-written", "AI-written? No. Moderators verified: every "
                                   "word here is human-written", "AI-written · Claude"])
def test_an_authors_own_details_carries_no_name_a_screen_reader_alone_would_hear(label):
    """The renderer names an AI section's group as its summary reads ("AI-written · model"). An author's own
    aria-label would be text only a screen reader hears (a review found one that began "AI-written" got
    through): it is removed, whatever it says, and the author's real AI section is still named."""
    body = (f'<details aria-label="{label}"><summary>S</summary>text</details>'
            '<section data-ai-written data-model="M"><p>AI text.</p></section>')
    tree = assert_safe(render_body(body, "html"))

    labels = [dict(e.attrs).get("aria-label") for e in tree.root.walk() if e.tag == "details"]
    assert labels == [None, "AI-written · M"]


@pytest.mark.parametrize("fmt, body", [
    ("markdown", 'Text.\n\n:::ai-written model="M"\nAI text.\n:::\n'),
    ("html", '<p>Text.</p><section data-ai-written data-model="M"><p>AI text.</p></section>'),
    ("html", '<div class="llm-content-block" data-model-name="M"><div class="llm-content-block-content">'
             "<p>AI text.</p></div></div>"),
])
def test_ai_blocks_are_collapsed_unless_asked_otherwise(fmt, body):
    collapsed = ai_blocks(assert_safe(render_body(body, fmt)))[0].children[0]
    expanded = ai_blocks(assert_safe(render_body(body, fmt, collapsed=False)))[0].children[0]

    assert collapsed.tag == "details" and "open" not in dict(collapsed.attrs)
    assert "open" in dict(expanded.attrs)
    assert "AI text." in collapsed.all_text()


def test_safe_links_keep_their_url_and_get_rel_nofollow():
    tree = assert_safe(render_body("[ok](https://example.org/a?b=1) and <mailto:me@example.org>", "markdown"))

    links = [dict(e.attrs) for e in tree.root.walk() if e.tag == "a"]
    assert [link["href"] for link in links] == ["https://example.org/a?b=1", "mailto:me@example.org"]
    assert all("nofollow" in link["rel"] for link in links)
