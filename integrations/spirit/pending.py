"""The disclosure the author is submitting with the comment Spirit is about to save (request-scoped)."""
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class PendingDisclosure:
    data: dict | None


pending_disclosure: ContextVar[PendingDisclosure | None] = ContextVar("ai_spirit_pending_disclosure",
                                                                      default=None)
