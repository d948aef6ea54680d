"""The involvement grade follows from the declared disclosure (EU AI Act Art. 50 table in README)."""
import pytest
from django.core.checks import run_checks
from hypothesis import assume, given
from hypothesis import strategies as st

from disclosure.grades import GRADE_ORDER, grade_for, grade_table_errors
from disclosure.schema import ASSISTANCE_KINDS, EXTENTS, Disclosure

PROCESS = "The assistant helped as declared here; I checked everything it produced."


def disclosure(*items, share=0, human_only=False):
    return Disclosure.model_validate({
        "human_only": human_only, "assistance": [{"kind": k, "extent": e} for k, e in items],
        "ai_share_percent": share, "process": "" if human_only else PROCESS,
        "verification": "I read every source." if not human_only else "",
    }, context={"defer_rules": True})


@pytest.mark.parametrize("items, share, blocks, expected", [
    ((), 0, False, ("human_only", "none", False)),
    ((("research", "substantial"),), 0, False, ("ai_supported", "ai", False)),
    ((("ideation", "most"), ("code_analysis", "minor"), ("data_figures", "minor")), 0, False,
     ("ai_supported", "ai", False)),
    ((("other", "minor"),), 0, False, ("ai_supported", "ai", False)),
    ((("editing", "minor"),), 0, False, ("ai_edited_minor", "ai", False)),
    ((("editing", "minor"), ("research", "most")), 0, False, ("ai_edited_minor", "ai", False)),
    ((("editing", "substantial"),), 0, False, ("ai_modified", "ai_modified", True)),
    ((("editing", "most"),), 0, False, ("ai_modified", "ai_modified", True)),
    ((("translation", "minor"),), 0, False, ("ai_modified", "ai_modified", True)),
    ((("drafting", "minor"),), 10, False, ("ai_assisted", "ai_modified", True)),
    ((("drafting", "substantial"),), 40, False, ("ai_assisted", "ai_modified", True)),
    ((("drafting", "most"),), 40, False, ("ai_generated", "ai_generated", True)),
    ((("drafting", "substantial"),), 50, False, ("ai_generated", "ai_generated", True)),
    ((("editing", "minor"),), 0, True, ("ai_assisted", "ai_modified", True)),
    ((("research", "minor"),), 0, True, ("ai_assisted", "ai_modified", True)),
])
def test_default_table(items, share, blocks, expected):
    human_only = not items
    grade = grade_for(disclosure(*items, share=share, human_only=human_only), has_ai_blocks=blocks)
    assert (grade.grade, grade.eu_variant, grade.label_required) == expected


def test_no_disclosure_is_not_disclosed_and_unknown_never_none():
    grade = grade_for(None)
    assert grade.grade == "not_disclosed"
    assert grade.eu_variant == "unknown"


items_strategy = st.lists(st.tuples(st.sampled_from(list(ASSISTANCE_KINDS)), st.sampled_from(list(EXTENTS))),
                          max_size=4, unique_by=lambda t: t[0])


@given(items=items_strategy, extra=st.tuples(st.sampled_from(list(ASSISTANCE_KINDS)), st.sampled_from(list(EXTENTS))),
       share=st.integers(0, 100), blocks=st.booleans())
def test_adding_assistance_never_lowers_the_grade(items, extra, share, blocks):
    assume(extra[0] not in {kind for kind, _ in items})
    before = grade_for(disclosure(*items, share=share, human_only=not items), has_ai_blocks=blocks)
    after = grade_for(disclosure(*items, extra, share=share), has_ai_blocks=blocks)
    assert GRADE_ORDER.index(after.grade) >= GRADE_ORDER.index(before.grade)


@given(kind=st.sampled_from(list(ASSISTANCE_KINDS)), share=st.integers(0, 100))
def test_a_larger_extent_never_lowers_the_grade(kind, share):
    grades = [GRADE_ORDER.index(grade_for(disclosure((kind, extent), share=share)).grade) for extent in EXTENTS]
    assert grades == sorted(grades)


def test_operator_overrides_are_validated():
    assert grade_table_errors({"drafting": {"minor": "ai_generated", "substantial": "ai_generated",
                                            "most": "ai_generated"}}, None) == []
    assert grade_table_errors({"drafting": {"minor": "bogus"}}, None)
    assert grade_table_errors({"nonsense": {}}, None)
    assert grade_table_errors(None, {"not_disclosed": {"eu_variant": "none", "label_required": False}})
    assert grade_table_errors(None, {"ai_modified": {"eu_variant": "ai_modified", "label_required": "yes"}})


def test_a_bad_override_fails_the_system_check(settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "GRADE_TABLE": {"drafting": {"minor": "bogus"}}}
    assert any(m.id == "disclosure.E001" for m in run_checks())


def test_operator_override_changes_the_grade(settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "GRADE_TABLE": {
        "editing": {"minor": "ai_modified", "substantial": "ai_modified", "most": "ai_modified"}}}
    assert grade_for(disclosure(("editing", "minor"))).grade == "ai_modified"
