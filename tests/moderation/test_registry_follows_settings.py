"""The classifier registry is rebuilt when ``MODERATION`` changes (Django's ``setting_changed``), by itself:
nothing else has to know that it caches."""
from moderation.classifiers.registry import configured_classifiers


def test_the_registry_is_rebuilt_when_the_setting_changes(settings):
    settings.MODERATION = {**getattr(settings, "MODERATION", {}), "CLASSIFIERS": []}
    assert configured_classifiers() == ()

    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["moderation.classifiers.stylometric.StylometricClassifier"]}
    assert [c.name for c in configured_classifiers()] == ["stylometric"]

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": ["no.such.Classifier"]}
    assert [c.version for c in configured_classifiers()] == ["unavailable"]
