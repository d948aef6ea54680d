"""The operator's commands answer a mistake with one line and a non-zero exit, never a traceback, and write
nothing: impossible dates, unwritable outputs, negative counts, text that is not UTF-8, the demo outside the
demo."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("command, option, value", [
    ("export_statements", "--since", "2026-02-30"),
    ("export_statements", "--since", "2026-13-01"),
    ("export_statements", "--until", "2026-01-01T00:00:00+25:00"),
    ("reevaluate", "--since", "2026-12-01T25:00"),
])
def test_an_impossible_date_is_a_one_line_error(command, option, value):
    with pytest.raises(CommandError, match="is not a real date"):
        call_command(command, option, value, stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("since", ["2026-13-01", "2026-02-30"])
def test_the_web_export_answers_400_for_an_impossible_date(client, moderator, since):
    client.force_login(moderator)
    response = client.get("/moderation/statements.jsonl", {"since": since})
    assert response.status_code == 400 and "not a real date" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("target", ["/nonexistent/dir/x.jsonl", "/tmp"])
def test_export_statements_to_an_unwritable_path_is_a_one_line_error(target):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_statements", "--output", target, stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("option", ["--limit", "--examples"])
def test_policy_dryrun_refuses_a_negative_count(option):
    with pytest.raises(CommandError, match=f"{option} must be"):
        call_command("policy_dryrun", option, "-5", stdout=StringIO(), stderr=StringIO())


def test_score_texts_reads_a_byte_order_mark_and_names_text_that_is_not_utf8(tmp_path, settings):
    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["moderation.classifiers.stylometric.StylometricClassifier"]}
    with_bom = tmp_path / "bom.jsonl"
    with_bom.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "I wrote this line myself, slowly, on the train home."}\n')
    out = StringIO()
    call_command("score_texts", str(with_bom), "--no-progress", stdout=out, stderr=StringIO())
    assert '"id": "a"' in out.getvalue()
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'\xff\xfe{"id": "b"}\n')
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("score_texts", str(latin), "--no-progress", stdout=StringIO(), stderr=StringIO())


def test_seed_demo_refuses_outside_the_demo(settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="author").exists()


@pytest.mark.parametrize("command", ["evaluate_detector", "train_detector", "fill_lm_cache"])
def test_the_detector_commands_name_data_they_cannot_read_in_one_line(command, tmp_path):
    unlabelled = tmp_path / "texts.jsonl"
    unlabelled.write_text('{"id": "a", "text": "no label here"}\n', encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x", "label": 1}\n{"text": \n', encoding="utf-8")
    cache = [str(tmp_path / "cache.jsonl")] if command == "fill_lm_cache" else []
    for data, message in ((str(tmp_path / "nowhere"), "expected a Liang folder"),
                          (str(unlabelled), "cannot tell the label"), (str(broken), "line 2: not valid JSON")):
        with pytest.raises(CommandError, match=message):
            call_command(command, *cache, "--data", data, stdout=StringIO(), stderr=StringIO())


def test_train_detector_names_a_gbt_value_that_is_not_a_number():
    with pytest.raises(CommandError, match="'abc' is not a number"):
        call_command("train_detector", "--data", "x", "--cheap-model", "gbt", "--gbt", "max_depth=abc",
                     stdout=StringIO(), stderr=StringIO())
