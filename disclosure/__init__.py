"""The author's side of AI disclosure: schema, AI-written blocks, rendering, labels, the recorder.

A host forum imports from :mod:`disclosure.public` (docs/integrating.md).
"""

__version__ = "0.2.0"


def record_assistance(draft, **kwargs):
    """Record on a draft that an AI tool helped (see :mod:`disclosure.recorder`)."""
    from .recorder import record_assistance as record

    return record(draft, **kwargs)
