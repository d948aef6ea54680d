"""The compliance report counts posts by grade, required vs shown labels, review exemptions and overrides."""
import csv
import io
from datetime import timedelta

import pytest

from moderation.models import LabelSource

pytestmark = pytest.mark.django_db

PROCESS = "The assistant helped exactly as declared here, and I checked its output."


def ai(kind, extent, share=0, review=None):
    data = {"human_only": False, "assistance": [{"kind": kind, "extent": extent}], "ai_share_percent": share,
            "process": PROCESS, "verification": "I checked every source it found."}
    if review:
        data["human_review"] = review
    return data


@pytest.fixture
def seeded(make_post):
    make_post(title="human", disclosure={"human_only": True})
    make_post(title="research", disclosure=ai("research", "substantial"))
    make_post(title="edited", disclosure=ai("editing", "minor"))
    make_post(title="translated", disclosure=ai("translation", "substantial"))
    make_post(title="drafted", disclosure=ai("drafting", "substantial", 30))
    make_post(title="generated", disclosure=ai("drafting", "most", 80,
                                                review={"reviewed": True, "responsible": "Desk editor"}))
    overridden = make_post(title="overridden", disclosure={"human_only": True})
    submission = overridden.submission
    submission.label_value, submission.label_source, submission.label_locked = "ai_generated", \
        LabelSource.MODERATOR, True
    submission.save()


def test_report_requires_a_moderator(client, author, seeded):
    assert client.get("/moderation/compliance/").status_code == 302
    client.force_login(author)
    assert client.get("/moderation/compliance/").status_code == 403
    assert client.get("/moderation/compliance/export.csv").status_code == 403


def test_csv_counts_posts_by_grade_and_labels(client, moderator, seeded):
    client.force_login(moderator)
    response = client.get("/moderation/compliance/export.csv", {"period": "month"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = {k: (int(v) if v.isdigit() else v) for k, v in rows[0].items()}
    assert row["posts"] == 7
    assert (row["human_only"], row["ai_supported"], row["ai_edited_minor"], row["ai_modified"],
            row["ai_assisted"], row["ai_generated"]) == (1, 1, 1, 1, 1, 2)
    assert row["labels_required"] == 4  # translated, drafted, generated, overridden
    assert row["labels_shown"] == 4
    assert row["exempt_by_review"] == 1
    assert row["moderator_overrides"] == 1


def test_reviewed_posts_can_hide_their_label_by_operator_setting(client, moderator, seeded, settings):
    settings.DISCLOSURE = {**settings.DISCLOSURE, "SHOW_LABEL_WHEN_REVIEWED": False}
    client.force_login(moderator)
    response = client.get("/moderation/compliance/export.csv", {"period": "month"})
    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert int(row["labels_shown"]) == 3
    assert int(row["required_not_shown"]) == 1


def test_report_page_shows_chart_and_rejects_bad_ranges(client, moderator, seeded):
    client.force_login(moderator)
    page = client.get("/moderation/compliance/")
    assert page.status_code == 200
    assert b"data-compliance-chart" in page.content
    bad = client.get("/moderation/compliance/", {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 400
    assert b"start date must be on or before" in bad.content
    assert client.get("/moderation/compliance/export.csv", {"start": "not-a-date"}).status_code == 400


@pytest.mark.parametrize("query", [{"period": "year"}, {"category": "x" * 500}])
def test_a_bad_period_or_category_is_refused_with_its_message_where_the_select_points(client, moderator, seeded,
                                                                                       query):
    client.force_login(moderator)
    bad = client.get("/moderation/compliance/", query)
    assert bad.status_code == 400
    field = next(iter(query))
    page = bad.content.decode()
    assert f'aria-describedby="id_{field}_error"' in page and f'id="id_{field}_error"' in page


def test_report_page_sits_in_the_moderation_frame_with_a_scrolling_table(client, moderator, seeded):
    """It had the plain forum frame: no moderation navigation, and its 16-column table widened the page."""
    client.force_login(moderator)
    html = client.get("/moderation/compliance/").content.decode()
    assert 'class="mod-nav"' in html
    assert 'aria-current="page">Compliance</a>' in html
    assert '<div class="table-scroll"><table class="compliance-table">' in html


def test_csv_keeps_a_formula_like_category_as_text(client, moderator):
    """Categories come from API clients; a spreadsheet opening the export must not run one as a formula."""
    from moderation.services.apikeys import api_client_create
    from moderation.services.intake import submission_submit

    other = api_client_create(name="other", scopes=["submit"])
    submission_submit(client=other, external_id="p-1", author_external_id="u-1", category='=HYPERLINK("x","y")',
                      title="A post", body="Written by me.", disclosure_data={"human_only": True})
    client.force_login(moderator)
    response = client.get("/moderation/compliance/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["category"] for row in rows] == ["'=HYPERLINK(\"x\",\"y\")"]


def test_the_filter_shows_the_period_and_range_the_report_used(client, moderator, seeded):
    """With no filter the report groups by week over the last 90 days: the form says so, not "Day" and
    empty dates (what the demo showed above rows grouped by week)."""
    from django.utils import timezone

    from tests.forum.conftest import parse_html

    client.force_login(moderator)
    form = parse_html(client.get("/moderation/compliance/").content).find("form", class_="compliance-filter")

    selected = [o.attrs.get("value") for o in form.find("select", name="period").find_all("option")
                if "selected" in o.attrs]
    assert selected == ["week"]
    today = timezone.localdate()
    assert form.find("input", name="end").attrs.get("value") == today.isoformat()
    assert form.find("input", name="start").attrs.get("value") == (today - timedelta(days=90)).isoformat()

    chosen = parse_html(client.get("/moderation/compliance/", {"period": "month", "start": "2026-01-01"}).content)
    form = chosen.find("form", class_="compliance-filter")
    assert [o.attrs.get("value") for o in form.find("select", name="period").find_all("option")
            if "selected" in o.attrs] == ["month"]
    assert form.find("input", name="start").attrs.get("value") == "2026-01-01"


def test_a_post_flagged_as_a_whole_counts_as_the_classifiers_disagreeing_with_a_low_grade():
    """Detector version 9's post rule: no passage over the threshold, the post's score over its post threshold."""
    from types import SimpleNamespace

    from moderation.compliance.selectors import _classifiers_disagree

    def result(score, post_threshold):
        passages = [{"kind": "author", "status": "ok", "probability": p} for p in (0.80, 0.85)]
        return SimpleNamespace(status="ok", classifier="stylometric", score=score, passage_scores=passages,
                               details={"threshold": 0.93, "post_threshold": post_threshold})

    assert _classifiers_disagree("human_only", [result(0.82, 0.71)])
    assert not _classifiers_disagree("human_only", [result(0.82, None)])
    assert not _classifiers_disagree("human_only", [result(0.70, 0.71)])
    assert not _classifiers_disagree("ai_generated", [result(0.82, 0.71)])
