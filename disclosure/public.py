"""What a host forum may import from ``disclosure``: the supported surface (docs/integrating.md).

Everything else in the package is internal and may move between releases. Import from here::

    from disclosure.public import DisclosureForm, parse_body, load_stored
"""
from __future__ import annotations

from .blocks import BlockSyntaxError, parse_body
from .errors import InputInvalid
from .forms import DisclosureForm, ReaderPreferenceForm
from .labels import AI_LABELS, LABELS, Label
from .models import Draft, ListingMode, ReaderPreference
from .recorder import draft_mark_used, draft_prefill, record_assistance, recorded_vs_declared
from .schema import Disclosure, load_stored
from .validation import check_body

__all__ = [
    "AI_LABELS", "LABELS", "BlockSyntaxError", "Disclosure", "check_body", "DisclosureForm", "Draft", "InputInvalid", "Label",
    "ListingMode", "ReaderPreference", "ReaderPreferenceForm", "draft_prefill", "load_stored", "parse_body",
    "draft_mark_used", "record_assistance", "recorded_vs_declared",
]
