"""Body and disclosure must agree: one function the form, the API and the intake service all call."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext

from .blocks import BlockSyntaxError, ParsedBody, parse_body
from .schema import Disclosure, FieldError, validate_disclosure


def blocks_vs_disclosure_errors(parsed: ParsedBody, disclosure: Disclosure) -> list[FieldError]:
    """AI-written blocks in the body require a disclosure that declares drafting and a share above 0."""
    count = len(parsed.blocks)
    if not count:
        return []
    sections = ngettext("%(count)s AI-written section", "%(count)s AI-written sections", count) % {"count": count}
    if disclosure.human_only:
        return [FieldError("human_only", gettext(
            "Your post contains %(sections)s, so it cannot be marked entirely human-written. Untick the box and "
            "describe how AI helped, or remove the AI-written sections.") % {"sections": sections})]
    errors = []
    if "drafting" not in disclosure.kinds:
        errors.append(FieldError("assistance", gettext(
            "Your post contains %(sections)s: declare “drafting” as one kind of help.") % {"sections": sections}))
    if disclosure.ai_share_percent == 0:
        errors.append(FieldError("ai_share_percent", gettext(
            "Your post contains %(sections)s: estimate the share of the text AI wrote (more than 0%%).")
            % {"sections": sections}))
    return errors


def check_post(*, body: str, fmt: str, disclosure_data: Any | None
               ) -> tuple[Disclosure | None, ParsedBody | None, list[dict[str, str]]]:
    """Parse the body, validate the disclosure and check that they agree.

    Returns ``(disclosure, parsed, errors)``; errors are ``{"field", "message"}`` with fields named as the
    API names them (``body``, ``disclosure.process``, …). ``disclosure_data=None`` means "not disclosed".
    """
    errors: list[dict[str, str]] = []
    parsed = None
    try:
        parsed = parse_body(body, fmt)
    except BlockSyntaxError as exc:
        errors.append({"field": "body", "message": exc.message})
    if disclosure_data is None:
        return None, parsed, errors
    disclosure, disclosure_errors = validate_disclosure(disclosure_data)
    errors += [e.as_dict("disclosure.") for e in disclosure_errors]
    if disclosure is not None and parsed is not None:
        errors += [e.as_dict("disclosure.") for e in blocks_vs_disclosure_errors(parsed, disclosure)]
    return (disclosure if not errors else None), parsed, errors
