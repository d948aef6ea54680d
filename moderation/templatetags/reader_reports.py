"""Template tags for reader reports and statements of reasons (``{% load reader_reports %}``).

``{% item_reports item %}``: the reports behind a review item, each with its reporter's accuracy, on the
moderator's item page. ``{% reports_weekly_table %}``: reports per week and the share upheld, on the stats
page. The author's statement of reasons is the ``moderation/_statement_of_reasons.html`` partial.
"""
from django import template

from ..selectors.reports import reports_for_item, reports_weekly

register = template.Library()


@register.inclusion_tag("moderation/_reports.html")
def item_reports(item):
    return {"rows": reports_for_item(item)}


@register.inclusion_tag("moderation/_reports_weekly.html")
def reports_weekly_table(weeks=12):
    return {"rows": reports_weekly(weeks=weeks), "weeks": weeks}
