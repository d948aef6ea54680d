"""Finding the plugin's submissions from the host's side, by the ids the host gave them."""
from __future__ import annotations

from collections.abc import Iterable

from ..models import ApiClient, Submission


def submissions_by_external_id(*, client: ApiClient, external_ids: Iterable[str]) -> dict[str, Submission]:
    """``{external_id: Submission}`` for those of ``external_ids`` the client has submitted, in one query.

    For a host that cannot add a field to its own models (a third-party forum): it keeps its object's id as the
    submission's ``external_id`` and looks a whole page of objects up at once. Ids never submitted are absent
    from the result. The current revision is fetched with each submission.
    """
    ids = list(dict.fromkeys(external_ids))
    if not ids:
        return {}
    rows = Submission.objects.select_related("current_revision", "client").filter(client=client,
                                                                                  external_id__in=ids)
    return {row.external_id: row for row in rows}
