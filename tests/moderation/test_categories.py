"""A category configured for a rule (disclosure required, public interest) matches however the post's
category is typed: case, surrounding or doubled spaces, full-width letters, zero-width characters."""
import pytest

from moderation.categories import category_key, in_categories


@pytest.mark.parametrize("typed", ["News", "NEWS", " news", "news ", "news\u200b", "\u200dnews", "ｎｅｗｓ",
                                   # invisible but not format characters: a variation selector, the combining
                                   # grapheme joiner, a Hangul filler (the first got past --require-disclosure-in)
                                   "NEWS\ufe0f", "ne\u034fws", "news\u3164"])
def test_the_same_category_however_it_is_typed(typed):
    assert in_categories(typed, ["news"])
    assert in_categories("news", [typed])


def test_spaces_inside_a_name_are_collapsed_not_removed():
    assert category_key("Public   Health") == category_key("public health")
    assert not in_categories("publichealth", ["public health"])


@pytest.mark.parametrize("category, configured", [("", ["news"]), ("  ", [""]), ("new", ["news"]),
                                                   ("news", None), ("news", [])])
def test_other_or_blank_categories_never_match(category, configured):
    assert not in_categories(category, configured)
