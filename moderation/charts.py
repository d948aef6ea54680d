"""The pygal charts of the moderators' stats page (server-rendered SVG, no JavaScript), drawn from the numbers
of :mod:`moderation.selectors.stats`."""
from __future__ import annotations

import base64
from datetime import date

from .models import DecisionAction
from .selectors.stats import ClassifierPrecision


def _config():
    import pygal
    from pygal.style import Style

    style = Style(background="transparent", plot_background="transparent", font_family="system-ui, sans-serif",
                  colors=("#1a5fb4", "#c64600", "#26a269", "#a51d2d", "#613583"))
    return pygal, dict(style=style, js=[], disable_xml_declaration=True, height=280, width=760,
                       show_legend=True, legend_at_bottom=True, x_label_rotation=30, truncate_label=-1,
                       print_values=False, no_data_text="No data yet")


def _data_uri(chart) -> str:
    """A data: URI (allowed by our CSP for images), so the SVG's own inline styles never meet the page's
    style-src, and the page needs no script."""
    return "data:image/svg+xml;base64," + base64.b64encode(chart.render(is_unicode=True).encode()).decode()


def chart_queue(queue: list[tuple[date, int]], hours: list[tuple[date, float | None]]) -> str:
    pygal, config = _config()
    chart = pygal.Line(**config, title="Queue size and median hours to decision", x_title="Day (month-day)",
                       y_title="Items")
    chart.x_labels = [d.strftime("%m-%d") for d, _ in queue]
    chart.add("Undecided items", [n for _, n in queue])
    if any(h is not None for _, h in hours):  # pygal cannot scale an all-empty secondary axis
        chart.add("Median hours to decision", [h for _, h in hours], secondary=True)
    return _data_uri(chart)


def chart_reasons(table: dict[str, dict[str, int]]) -> str:
    pygal, config = _config()
    chart = pygal.HorizontalStackedBar(**config, title="Decisions per reason (last 30 days)",
                                       x_title="Decisions")  # horizontal: the value axis is at the bottom
    reasons = list(table)[:12]
    chart.x_labels = reasons
    for action in DecisionAction.values:
        chart.add(action.replace("_", " "), [table[r].get(action, 0) for r in reasons])
    return _data_uri(chart)


def chart_precision(rows: list[ClassifierPrecision]) -> str:
    pygal, config = _config()
    chart = pygal.Bar(**config, title="Classifier flags: confirmed vs overturned by moderators",
                      x_title="Classifier", y_title="Flags")
    chart.x_labels = [r.classifier for r in rows]
    chart.add("confirmed", [r.confirmed for r in rows])
    chart.add("overturned", [r.overturned for r in rows])
    return _data_uri(chart)


def stats_charts(stats: dict) -> dict[str, str]:
    """Data URIs of the three charts for a :func:`~moderation.selectors.stats.stats_summary`."""
    return {"queue": chart_queue(stats["queue"], stats["hours"]), "reasons": chart_reasons(stats["reasons"]),
            "precision": chart_precision(stats["precision"])}
