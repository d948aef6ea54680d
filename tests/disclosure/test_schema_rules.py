"""The disclosure schema's rules, each with the field path its message names.

Table-driven over every rule, then properties checked with hypothesis over generated disclosures.
"""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from disclosure.schema import (
    ASSISTANCE_KINDS,
    EXTENTS,
    KINDS_NEEDING_VERIFICATION,
    MIN_PROCESS_CHARS,
    SCHEMA_VERSION,
    Disclosure,
    json_schema,
    load_stored,
    tool_key,
    validate_disclosure,
)

PROCESS = "The model drafted one paragraph from my outline; I rewrote it."
assert len(PROCESS) >= MIN_PROCESS_CHARS


def ai(**fields):
    """A valid AI-assisted disclosure; keyword arguments replace fields."""
    data = {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}], "tools": ["Claude"],
            "ai_share_percent": 0, "process": PROCESS, "verification": ""}
    data.update(fields)
    return data


def human(**fields):
    return {"human_only": True, **fields}


def errors_of(data) -> list[tuple[str, str]]:
    disclosure, errors = validate_disclosure(data)
    assert (disclosure is None) == bool(errors)
    return [(e.field, e.message) for e in errors]


# --- Valid inputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    human(),
    human(process="I wrote it on a train.", verification="n/a"),  # free text does not contradict human_only
    ai(),
    ai(assistance=[{"kind": "drafting", "extent": "most", "details": "two sections"}], ai_share_percent=80),
    ai(assistance=[{"kind": "research", "extent": "substantial"}], verification="I read every source it cited."),
    ai(assistance=[{"kind": k, "extent": "minor"} for k in ASSISTANCE_KINDS], ai_share_percent=5,
       verification="Checked the numbers against the paper."),
    ai(process="x" * MIN_PROCESS_CHARS),
    ai(tools=[]),
    ai(schema_version=1),  # an older version is upcast
    ai(schema_version=SCHEMA_VERSION),
], ids=lambda d: json.dumps(d)[:60])
def test_valid_disclosures_are_accepted(data):
    assert errors_of(data) == []


# --- Every rule, with the field it names ---------------------------------------------------------

RULES = [
    # human_only ⇒ no assistance, no tools, share 0
    ("human-only with assistance", human(assistance=[{"kind": "editing", "extent": "minor"}]),
     [("assistance", "cannot list AI assistance")]),
    ("human-only with tools", human(tools=["Claude"]), [("tools", "cannot name AI tools")]),
    ("human-only with a share", human(ai_share_percent=10), [("ai_share_percent", "AI share of 0%")]),
    ("human-only contradicted thrice",
     human(assistance=[{"kind": "drafting", "extent": "most"}], tools=["GPT"], ai_share_percent=90),
     [("assistance", "cannot list"), ("tools", "cannot name"), ("ai_share_percent", "0%")]),
    # not human_only ⇒ at least one kind of help, and a process of at least a sentence
    ("no kind of help", ai(assistance=[]), [("assistance", "choose at least one kind")]),
    ("nothing at all", {"human_only": False},
     [("assistance", "choose at least one kind"), ("process", "at least a sentence")]),
    ("process too short", ai(process="x" * (MIN_PROCESS_CHARS - 1)), [("process", f"{MIN_PROCESS_CHARS}+ char")]),
    ("process only padded", ai(process="  " + "x" * (MIN_PROCESS_CHARS - 1) + "      "),
     [("process", "at least a sentence")]),
    # verification when research or code/analysis is declared
    ("research unverified", ai(assistance=[{"kind": "research", "extent": "minor"}]),
     [("verification", "AI help with research: say how you checked")]),
    ("code unverified", ai(assistance=[{"kind": "code_analysis", "extent": "most"}], verification="   "),
     [("verification", "AI help with code or analysis")]),
    ("both unverified", ai(assistance=[{"kind": "research", "extent": "minor"},
                                       {"kind": "code_analysis", "extent": "minor"}]),
     [("verification", "research and code or analysis")]),
    # drafting ⇒ a share above 0
    ("drafting without a share", ai(assistance=[{"kind": "drafting", "extent": "minor"}]),
     [("ai_share_percent", "estimate its share")]),
    # each kind once
    ("duplicate kinds", ai(assistance=[{"kind": "editing", "extent": "minor"},
                                       {"kind": "editing", "extent": "most"}]),
     [("assistance.1.kind", "listed twice")]),
    # tool names
    ("blank tool name", ai(tools=["Claude", "  "]), [("tools.1", "1–100 characters")]),
    ("tool name too long", ai(tools=["x" * 101]), [("tools.0", "1–100 characters")]),
    ("invisible tool name", ai(tools=["\u200b\u2060"]), [("tools.0", "1–100 characters")]),
    # a variation selector is as invisible as a zero-width space, as titles and categories already read it
    ("tool name of variation selectors", ai(tools=["\ufe0f\ufe0e"]), [("tools.0", "1–100 characters")]),
    ("the same tool with a variation selector", ai(tools=["ChatGPT", "ChatGPT\ufe0f"]),
     [("tools.1", "named twice")]),
    ("the same tool twice", ai(tools=["Claude", "DeepL", "Claude"]), [("tools.2", "“Claude” is named twice")]),
    ("the same tool in other case and spacing", ai(tools=["ChatGPT", " chat gpt", "Chat\u200bGPT"]),
     [("tools.1", "“chat gpt” is named twice"), ("tools.2", "named twice")]),
    # ranges and sizes
    ("share above 100", ai(ai_share_percent=101), [("ai_share_percent", "less than or equal to 100")]),
    ("share below 0", ai(ai_share_percent=-1), [("ai_share_percent", "greater than or equal to 0")]),
    ("details too long", ai(assistance=[{"kind": "editing", "extent": "minor", "details": "x" * 501}]),
     [("assistance.0.details", "at most 500 characters")]),
    ("too many items", ai(assistance=[{"kind": "editing", "extent": "minor"}] * 9),
     [("assistance", "At most 8 items.")]),
    # unknown fields are rejected, not ignored
    ("unknown top-level field", ai(confidence="high"), [("confidence", "Unknown field")]),
    ("unknown nested field", ai(assistance=[{"kind": "editing", "extent": "minor", "note": "x"}]),
     [("assistance.0.note", "Unknown field")]),
    # wrong types, strictly: no coercion from strings or numbers
    ('"true" for a boolean', {"human_only": "true"}, [("human_only", "valid boolean")]),
    ("1 for a boolean", {"human_only": 1}, [("human_only", "valid boolean")]),
    ("missing human_only", {}, [("human_only", "required")]),
    ('"30" for a number', ai(ai_share_percent="30"), [("ai_share_percent", "valid integer")]),
    ("30.0 for an integer", ai(ai_share_percent=30.0), [("ai_share_percent", "valid integer")]),
    ("a string for a list", ai(tools="Claude, GPT"), [("tools", "valid list")]),
    ("an object for a list", ai(assistance={"kind": "editing", "extent": "minor"}), [("assistance", "valid list")]),
    ("a number for text", ai(process=12345), [("process", "valid string")]),
    ("unknown kind", ai(assistance=[{"kind": "vibes", "extent": "minor"}]),
     [("assistance.0.kind", "Not an allowed value")]),
    ("unknown extent", ai(assistance=[{"kind": "editing", "extent": "huge"}]),
     [("assistance.0.extent", "Not an allowed value")]),
    ("missing extent", ai(assistance=[{"kind": "editing"}]), [("assistance.0.extent", "required")]),
    # versions
    ("unknown version", human(schema_version=99), [("schema_version", "Unsupported disclosure schema version 99")]),
    ("a boolean version", human(schema_version=True), [("schema_version", "Unsupported")]),
    ("a string version", human(schema_version="1"), [("schema_version", "Unsupported")]),
    # not an object at all
    ("a list", [], [("", "must be a JSON object")]),
    ("a string", "human_only", [("", "must be a JSON object")]),
]


@pytest.mark.parametrize("data, expected", [(d, e) for _, d, e in RULES], ids=[name for name, _, _ in RULES])
def test_each_rule_names_its_field_with_a_message_a_person_understands(data, expected):
    errors = errors_of(data)

    assert [field for field, _ in errors] == [field for field, _ in expected]
    for (_, message), (_, fragment) in zip(errors, expected):
        assert fragment in message


def test_a_reviewed_disclosure_must_name_who_is_responsible():
    errors = errors_of(ai(human_review={"reviewed": True, "responsible": " "}))

    assert [field for field, _ in errors] == ["human_review.responsible"]


def test_model_validate_alone_enforces_the_rules_too():
    with pytest.raises(ValidationError, match="assistance: A post marked entirely human-written"):
        Disclosure.model_validate(human(assistance=[{"kind": "editing", "extent": "minor"}]))


def test_a_stored_disclosure_loads_without_rechecking_rules_written_by_an_older_version():
    stored = {"schema_version": 1, "human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
              "process": "short"}  # rules were different once; the stored record must still load

    disclosure = load_stored(stored)

    assert disclosure.schema_version == SCHEMA_VERSION and disclosure.process == "short"
    assert load_stored(None) is None


def test_the_json_schema_names_its_version_and_forbids_unknown_fields():
    schema = json_schema()

    assert schema["x-schema-version"] == SCHEMA_VERSION
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"human_only"}
    assert set(ASSISTANCE_KINDS) == set(schema["$defs"]["Assistance"]["properties"]["kind"]["enum"])
    # the limits rule_errors enforces on tool names, for clients generated from the schema
    assert schema["properties"]["tools"]["items"] == {"type": "string", "minLength": 1, "maxLength": 100}
    assert schema["properties"]["tools"]["uniqueItems"] is True  # the rule also folds case and spaces


@pytest.mark.parametrize("version, accepted", [(1, True), (2, True), (3, False), (0, False), ("2", False)])
def test_the_json_schema_accepts_the_versions_the_server_reads(version, accepted):
    """It said ``const: 2`` while version 1 is accepted (read as 2), so a validating client refused what the
    server takes."""
    import jsonschema

    data = human(schema_version=version)
    assert (not errors_of(data)) is accepted
    assert jsonschema.Draft202012Validator(json_schema()).is_valid(data) is accepted


def test_the_summary_lists_the_kinds_of_help():
    assert Disclosure.model_validate(human()).summary() == "Human-written"
    both = ai(assistance=[{"kind": "editing", "extent": "minor"}, {"kind": "research", "extent": "minor"}],
              verification="Read the sources.")
    assert Disclosure.model_validate(both).summary() == "AI-assisted: editing, research"


# --- Properties ----------------------------------------------------------------------------------

short_text = st.text(max_size=60)
tool_names = st.text(min_size=1, max_size=100).filter(tool_key)
long_enough = st.text(min_size=MIN_PROCESS_CHARS, max_size=300).filter(lambda s: len(s.strip()) >= MIN_PROCESS_CHARS)
reviews = st.one_of(
    st.none(),
    st.builds(lambda r: {"reviewed": False, "responsible": r}, st.text(max_size=50)),
    st.builds(lambda r: {"reviewed": True, "responsible": r},
              st.text(min_size=2, max_size=50).filter(lambda s: len(s.strip()) >= 2)),
)


@st.composite
def valid_ai_disclosures(draw):
    kinds = draw(st.lists(st.sampled_from(list(ASSISTANCE_KINDS)), min_size=1, max_size=8, unique=True))
    assistance = [{"kind": k, "extent": draw(st.sampled_from(list(EXTENTS))),
                   **({"details": draw(st.text(max_size=100))} if draw(st.booleans()) else {})} for k in kinds]
    needs_check = any(k in KINDS_NEEDING_VERIFICATION for k in kinds)
    data = {
        "human_only": False,
        "assistance": assistance,
        "tools": draw(st.lists(tool_names, max_size=5, unique_by=tool_key)),
        "ai_share_percent": draw(st.integers(1 if "drafting" in kinds else 0, 100)),
        "process": draw(long_enough),
        "verification": draw(st.text(min_size=1, max_size=200).filter(str.strip) if needs_check else short_text),
    }
    review = draw(reviews)
    if review is not None:
        data["human_review"] = review
    return data


valid_human_disclosures = st.fixed_dictionaries(
    {"human_only": st.just(True)}, optional={"process": short_text, "verification": short_text})
valid_disclosures = st.one_of(valid_ai_disclosures(), valid_human_disclosures)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(valid_disclosures)
def test_any_valid_disclosure_round_trips_through_json_and_validates_again(data):
    disclosure, errors = validate_disclosure(data)
    assert errors == []

    stored = json.loads(json.dumps(disclosure.model_dump(mode="json")))
    again, errors_again = validate_disclosure(stored)

    assert errors_again == []
    assert again == disclosure
    assert Disclosure.model_validate_json(disclosure.model_dump_json()) == disclosure


@FAST
@given(valid_ai_disclosures())
def test_any_human_only_disclosure_that_lists_assistance_is_rejected(data):
    errors = errors_of({**data, "human_only": True})

    assert "assistance" in [field for field, _ in errors]


@FAST
@given(valid_ai_disclosures(), st.sampled_from([
    ("human_only", "false"), ("human_only", 0), ("human_only", None), ("ai_share_percent", "30"),
    ("ai_share_percent", 30.5), ("ai_share_percent", True), ("tools", "Claude"), ("tools", {"x": 1}),
    ("process", 12345), ("process", ["a", "list"]), ("verification", False), ("assistance", "editing"),
]))
def test_a_wrongly_typed_field_is_rejected_on_that_field(data, bad_field):
    field, bad = bad_field
    errors = errors_of({**data, field: bad})

    assert field in [f for f, _ in errors]


@FAST
@given(valid_disclosures)
def test_the_json_schema_accepts_what_the_model_accepts(data):
    jsonschema = pytest.importorskip("jsonschema")

    jsonschema.Draft202012Validator(json_schema()).validate(data)


@FAST
@given(valid_disclosures, st.text(min_size=1, max_size=20).filter(
    lambda k: k not in Disclosure.model_fields))
def test_the_json_schema_and_the_model_both_reject_unknown_fields(data, key):
    jsonschema = pytest.importorskip("jsonschema")

    assert errors_of({**data, key: "x"})
    assert not jsonschema.Draft202012Validator(json_schema()).is_valid({**data, key: "x"})
