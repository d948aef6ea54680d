"""The stats page's charts read at a glance: counts are whole numbers on a handful of ticks, and the hours
axis shows short numbers, not 0.08333336667 (what the demo forum showed after its first decisions)."""
from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from moderation.charts import chart_precision, chart_queue, chart_reasons
from moderation.selectors.stats import ClassifierPrecision

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [date(2026, 11, 6) + timedelta(days=i) for i in range(30)]


def axis_labels(data_uri: str) -> dict[str, list[str]]:
    """Tick labels of each axis of a chart rendered as a data: URI, by the axis's class ("y", "y2", "x")."""
    root = ET.fromstring(base64.b64decode(data_uri.split(",", 1)[1]))
    axes = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if classes[:1] == ["axis"]:
            axes[classes[1]] = [t.text for t in group.iter(f"{SVG}text") if t.text]
    return axes


def assert_whole_counts(labels: list[str]) -> None:
    assert labels and all(label.isdigit() for label in labels), labels
    assert len(labels) <= 7, labels


def test_the_queue_chart_counts_items_in_whole_numbers_and_hours_in_short_numbers():
    queue = [(d, 0) for d in DAYS[:-1]] + [(DAYS[-1], 3)]
    hours = [(d, None) for d in DAYS[:-1]] + [(DAYS[-1], 1 / 60)]  # one decision a minute after it was queued

    axes = axis_labels(chart_queue(queue, hours))

    assert_whole_counts(axes["y"])
    assert axes["y"][0] == "0" and int(axes["y"][-1]) >= 3
    assert axes["y2"] and len(axes["y2"]) <= 7
    assert all(len(label) <= 5 for label in axes["y2"]), axes["y2"]


def test_a_large_queue_still_gets_a_few_whole_ticks():
    axes = axis_labels(chart_queue([(d, 40 * i) for i, d in enumerate(DAYS)], [(d, None) for d in DAYS]))
    assert_whole_counts(axes["y"])
    assert int(axes["y"][-1]) >= 40 * 29


def test_the_reasons_and_precision_charts_count_in_whole_numbers():
    reasons = axis_labels(chart_reasons({"undisclosed_ai_suspected": {"approve": 1, "reject": 1},
                                         "reader_report": {"request_changes": 1}}))
    precision = axis_labels(chart_precision([ClassifierPrecision(classifier="statistical", threshold=0.96,
                                                                 confirmed=1, overturned=1)]))
    for axes in (reasons, precision):
        counts = [axis for name, axis in axes.items() if all(label.replace(".", "").isdigit() for label in axis)]
        assert counts, axes
        for axis in counts:
            assert_whole_counts(axis)


def test_the_reasons_chart_names_reasons_in_words():
    axes = axis_labels(chart_reasons({"undisclosed_ai_suspected": {"reject": 2}, "reader_report": {"approve": 1}}))
    names = [label for axis in axes.values() for label in axis]
    assert "Undisclosed AI suspected" in names and "Reader report" in names
    assert "undisclosed_ai_suspected" not in names
