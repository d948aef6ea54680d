"""``/moderation/compliance/``: the report with a chart, and ``export.csv`` streaming the same rows."""
import csv
from datetime import timedelta

import pygal
from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from ..conf import app_settings
from ..frame import render
from .selectors import GRADES, PERIODS, SummaryRow, compliance_summary


class ReportFilter(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(choices=[(p, p.title()) for p in PERIODS], required=False)
    category = forms.CharField(required=False, max_length=100)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["end"] = cleaned.get("end") or today
        cleaned["start"] = cleaned.get("start") or cleaned["end"] - timedelta(days=90)
        cleaned["period"] = cleaned.get("period") or "week"
        if cleaned["start"] > cleaned["end"]:
            self.add_error("start", "The start date must be on or before the end date.")
        elif (cleaned["end"] - cleaned["start"]).days > 3660:
            self.add_error("start", "Choose a range of at most ten years.")
        return cleaned


def _require_moderator(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff or app_settings.adapter.is_moderator(request.user)):
        raise PermissionDenied(gettext("Moderators and staff only."))
    return None


def _chart(rows: list[SummaryRow]) -> str:
    # Rendered as a data: URI image: no script, and the SVG's own styles stay outside the page's CSP.
    chart = pygal.StackedBar(height=320, legend_at_bottom=True, show_y_guides=True, js=[],
                             x_label_rotation=30, title="Posts by AI-involvement grade",
                             x_title="Period starting", y_title="Posts")
    periods = sorted({row.period for row in rows})
    chart.x_labels = [p.isoformat() for p in periods]
    for grade in GRADES:
        chart.add(grade, [sum(r.by_grade[grade] for r in rows if r.period == p) for p in periods])
    return chart.render_data_uri()


def compliance_report(request):
    if (denied := _require_moderator(request)) is not None:
        return denied
    form = ReportFilter(request.GET)
    rows = []
    if form.is_valid():
        params = form.cleaned_data
        rows = compliance_summary(start=params["start"], end=params["end"], period=params["period"],
                                  category=params["category"] or None)
        # Show the range and period the report used (the defaults fill in what was left empty), not an empty
        # form whose period select falls back to its first choice, "Day", above rows grouped by week.
        form = ReportFilter(initial={name: params[name] for name in ("start", "end", "period", "category")})
    totals = {field: sum(getattr(r, field) for r in rows) for field in (
        "posts", "labels_required", "labels_shown", "required_not_shown", "exempt_by_review",
        "classifiers_disagree", "moderator_overrides")}
    return render(request, "moderation/compliance/report.html", {
        "form": form, "rows": rows, "grades": GRADES, "totals": totals, "chart": _chart(rows) if rows else "",
        "query": request.GET.urlencode(),
    }, status=400 if form.errors else 200)


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value):
    """A text cell a spreadsheet would run as a formula (categories come from API clients) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def compliance_export_csv(request):
    if (denied := _require_moderator(request)) is not None:
        return denied
    form = ReportFilter(request.GET)
    if not form.is_valid():
        return render(request, "moderation/compliance/report.html", {"form": form, "rows": [], "grades": GRADES,
                                                                      "totals": {}, "chart": ""}, status=400)
    params = form.cleaned_data
    writer = csv.writer(_Echo())

    def stream():
        yield writer.writerow(SummaryRow.CSV_HEADER)
        for row in compliance_summary(start=params["start"], end=params["end"], period=params["period"],
                                      category=params["category"] or None):
            yield writer.writerow([_csv_safe(value) for value in row.as_csv_row()])

    filename = f"ai-compliance-{params['start']:%Y%m%d}-{params['end']:%Y%m%d}.csv"
    return StreamingHttpResponse(stream(), content_type="text/csv",
                                 headers={"Content-Disposition": f'attachment; filename="{filename}"'})
