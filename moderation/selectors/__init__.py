"""Read-side queries, one module per feature, mirroring ``moderation/services/`` (the write
side). Selectors never change state and never import the web layer (views, the API, tasks).

- :mod:`.labels` — the label readers see;
- :mod:`.passage_report` — the per-passage score report on the item page;
- :mod:`.queue` — the review queue, its filters, cursor and item detail;
- :mod:`.stats` — the flag statistics (the charts are drawn in ``moderation/charts.py``);
- :mod:`.reports` — reporters' accuracy, the reports behind an item, reports per week;
- :mod:`.statements` — statements of reasons as served and exported (JSON Lines);
- :mod:`.results` — the classifier log's standing result per classifier, and the log with its marks;
- :mod:`.api` — what the REST API reads, scoped to the calling client (``moderation/api/serializers.py``
  writes it out).
"""
