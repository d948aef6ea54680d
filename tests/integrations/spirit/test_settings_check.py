"""A bad ``SPIRIT_AI_DISCLOSURE`` is reported by a system check at start-up, each mistake by its own id."""
from integrations.spirit.checks import settings_errors


def ids(value):
    return [error.id for error in settings_errors(value)]


def test_the_shipped_settings_and_an_empty_dict_pass():
    assert ids({"CATEGORIES_REQUIRING_DISCLOSURE": ["news"], "PUBLIC_INTEREST_CATEGORIES": [],
                "MODERATE_PRIVATE_TOPICS": False}) == []
    assert ids({}) == []


def test_each_mistake_is_named():
    assert ids([]) == ["ai_spirit.E001"]
    assert ids({"CATEGORIES": ["news"]}) == ["ai_spirit.E002"]
    assert ids({"PUBLIC_INTEREST_CATEGORIES": "news"}) == ["ai_spirit.E003"]  # a string, not a list
    assert ids({"CATEGORIES_REQUIRING_DISCLOSURE": [""]}) == ["ai_spirit.E003"]
    assert ids({"MODERATE_PRIVATE_TOPICS": "no"}) == ["ai_spirit.E004"]
