"""The recorder: AI tools built into a host forum's editor (a "rewrite with AI" button, a translator)
record what they did on the draft, so the disclosure form arrives pre-filled. The author still confirms it.

``record_assistance(draft, kind="translation", extent="substantial", tool="DeepL")`` in Python, or
``POST /api/v1/drafts/{id}/assistance`` over REST.
"""
from __future__ import annotations

import uuid
from typing import Any, get_args

from django.db import transaction
from django.utils import timezone

from .errors import InputInvalid
from .models import Draft
from .schema import EXTENTS, MAX_TOOLS, AssistanceKind, tool_key
from .text import storable, unstorable_message

KINDS = get_args(AssistanceKind)
#: recordings one draft keeps: an editor's tools record each use, and a runaway one must not grow a row forever
MAX_EVENTS = 500


class RecorderError(InputInvalid):
    """A recording that cannot be stored; ``field`` names the culprit. Nothing was written."""


def draft_create(*, owner_key: str) -> Draft:
    return Draft.objects.create(owner_key=owner_key)


def record_assistance(draft: Draft | uuid.UUID | str, *, kind: str, extent: str, tool: str | None = None,
                      details: str | None = None) -> Draft:
    """Append one use of AI to a draft. Raises :class:`RecorderError` for an unknown kind or extent, a bad tool
    name or details, a full draft, or a tool past the disclosure's limit (the pre-filled disclosure must pass
    the schema)."""
    if kind not in KINDS:
        raise RecorderError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.", field="kind")
    if extent not in EXTENTS:
        raise RecorderError(f"Unknown extent {extent!r}; use one of {', '.join(EXTENTS)}.", field="extent")
    if tool is not None and not (tool_key(tool) and len(tool.strip()) <= 100):  # as the schema's rule: no
        # invisible-only name (a zero-width space), or the pre-filled disclosure would fail the schema
        raise RecorderError("A tool name must be 1–100 characters.", field="tool")
    if details is not None and len(details) > 500:
        raise RecorderError("Details must be at most 500 characters.", field="details")
    for name, value in (("tool", tool), ("details", details)):
        if value is not None and not storable(value):
            raise RecorderError(unstorable_message(), field=name)
    public_id = draft.public_id if isinstance(draft, Draft) else draft
    tool = (tool or "").strip() or None
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(public_id=public_id)
        if len(locked.events) >= MAX_EVENTS:
            raise RecorderError(f"A draft keeps at most {MAX_EVENTS} recordings; this one is full.", field="")
        tools = {tool_key(event["tool"]) for event in locked.events if event.get("tool")}
        if tool is not None and tool_key(tool) not in tools and len(tools) >= MAX_TOOLS:
            # the pre-filled disclosure lists every tool, and a disclosure names at most MAX_TOOLS
            raise RecorderError(f"A disclosure names at most {MAX_TOOLS} tools, and this draft has recorded "
                                f"{MAX_TOOLS} already; record this use under one of them.", field="tool")
        locked.events = [*locked.events, {"kind": kind, "extent": extent, "tool": tool,
                                          "details": details, "at": timezone.now().isoformat()}]
        locked.save(update_fields=["events", "updated_at"])
    return locked


def draft_mark_used(*, draft: Draft, used_for: str) -> dict[str, Any]:
    """Link a draft to the post it became (``used_for``: the post's key) and return what its tools recorded
    (:func:`draft_prefill`), which intake keeps on the revision to compare with the final disclosure."""
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        locked.used_at = timezone.now()
        locked.used_for = used_for[:300]
        locked.save(update_fields=["used_at", "used_for", "updated_at"])
    return draft_prefill(locked)


def recorded_vs_declared(recorded: dict[str, Any] | None, disclosure) -> list[str]:
    """What the editor's tools recorded that the final disclosure does not declare: one line per gap.

    Empty when nothing was recorded or the disclosure declares at least as much (each recorded kind of help,
    at the recorded extent or more). ``disclosure`` is a :class:`~disclosure.schema.Disclosure` or None.
    """
    assistance = (recorded or {}).get("assistance") or []
    if not assistance:
        return []
    if disclosure is None:
        return ["the tools recorded AI help, and the post carries no disclosure"]
    if disclosure.human_only:
        kinds = ", ".join(a["kind"] for a in assistance)
        return [f"the tools recorded AI help ({kinds}), and the post is declared human-written"]
    order = list(EXTENTS)
    declared = {a.kind: a.extent for a in disclosure.assistance}
    gaps = []
    for entry in assistance:
        kind, extent = entry["kind"], entry["extent"]
        if kind not in declared:
            gaps.append(f"{kind}: recorded {extent}, not declared")
        elif order.index(declared[kind]) < order.index(extent):
            gaps.append(f"{kind}: recorded {extent}, declared {declared[kind]}")
    return gaps


def draft_prefill(draft: Draft) -> dict[str, Any]:
    """A disclosure suggestion from what the tools recorded: each kind at the largest extent recorded, the
    tools named. ``process`` is left for the author to write: spelling out AI's role is the author's job."""
    order = list(EXTENTS)
    extents: dict[str, str] = {}
    tools: list[str] = []
    named: set[str] = set()
    for event in draft.events:
        kind, extent = event["kind"], event["extent"]
        if kind not in extents or order.index(extent) > order.index(extents[kind]):
            extents[kind] = extent
        if event.get("tool") and tool_key(event["tool"]) not in named:
            tools.append(event["tool"])  # the first spelling recorded; "DeepL" and "deepl" are one tool
            named.add(tool_key(event["tool"]))
    if not extents:
        return {}
    return {"human_only": False, "assistance": [{"kind": k, "extent": e} for k, e in extents.items()],
            "tools": tools[:MAX_TOOLS]}  # a draft recorded before the recorder kept to the limit
