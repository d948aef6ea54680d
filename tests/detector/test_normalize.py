import unicodedata

from moderation.detector.normalize import HOMOGLYPHS, normalize


def test_homoglyphs_and_zero_width_are_folded():
    tricky = "Th\u0435 p\u0430yp\u0430l d\u200belve int\u200do the m\u043ed\u0435l\ufeff"
    n = normalize(tricky)
    assert n.text == "The paypal delve into the model"
    assert n.homoglyphs_folded >= 4


def test_typography_is_folded():
    n = normalize("\u201cQuoted\u201d \u2014 it\u2019s\u00a0fine\u2026 really \u2013 ok -- yes")
    assert n.text == "\"Quoted\" - it's fine... really - ok - yes"


def test_curly_and_straight_text_normalise_identically():
    a = "It\u2019s a \u201cgood\u201d idea \u2014 maybe\u2026"
    b = "It's a \"good\" idea - maybe..."
    assert normalize(a).text == normalize(b).text


def test_russian_text_is_not_folded_into_latin():
    n = normalize("\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?")
    assert n.homoglyphs_folded == 0
    assert n.latin_ratio < 0.5


def test_offsets_map_back_to_original():
    original = "Caf\u00e9 \u201cna\u00efve\u201d\u200b text\u00a0\u00a0with  \ufb01ne\tligatures\u2026 \u0430nd more"
    n = normalize(original)
    for i, ch in enumerate(n.text):
        a, b = n.to_original(i, i + 1)
        src = original[a:b]
        if ch in " \n":
            assert src.isspace() or src == "" or all(unicodedata.category(c).startswith("Z") for c in src)
            continue
        folded = normalize(src).text
        assert ch in folded or HOMOGLYPHS.get(src) == ch, (i, ch, src)


def test_offsets_for_ascii_fast_path():
    original = "First   line  here.\n\n\n\nSecond -- line\twith `tick` and text."
    n = normalize(original)
    assert n.text == "First line here.\n\nSecond - line with 'tick' and text." or "tick" not in n.text
    for word in ("First", "here.", "Second", "with", "text."):
        i = n.text.index(word)
        a, b = n.to_original(i, i + len(word))
        assert original[a:b] == word


def test_code_quotes_and_urls_are_excluded_and_recorded():
    body = ("Here is my answer, see https://example.com/a_b(c) for details.\n"
            "> someone else's words\n> more of them\n\n"
            "```python\nprint('hi')\n```\n"
            "And `inline()` code ends it.")
    n = normalize(body)
    kinds = sorted({k for _, _, k in n.excluded})
    assert kinds == ["code", "quote", "url"]
    for a, b, kind in n.excluded:
        seg = body[a:b]
        if kind == "url":
            assert seg.startswith("https://example.com")
        if kind == "quote":
            assert seg.startswith(">")
    assert "example.com" not in n.text
    assert "someone else" not in n.text
    assert "print" not in n.text and "inline" not in n.text
    assert "Here is my answer" in n.text and "code ends it." in n.text
