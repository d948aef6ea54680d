"""The disclosure form shown under the post editor (works with and without JavaScript).

One select per kind of help ("not used", minor, substantial, most) keeps the form short and makes every
kind visible, so authors are reminded that research, ideas and translation count too. The form turns its
fields into the schema's JSON and reports the schema's rule errors next to the fields they concern.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .blocks import BlockSyntaxError, parse_body
from .schema import (ASSISTANCE_KINDS, EXTENTS, Disclosure, kind_name, kind_phrase, load_stored,
                     validate_disclosure)
from .validation import blocks_vs_declared_errors

EXTENT_CHOICES = [("", _("Not used")), *EXTENTS.items()]


def _assist_field(kind: str) -> str:
    return f"assist_{kind}"


def _details_field(kind: str) -> str:
    return f"assist_{kind}_details"


class ReaderPreferenceForm(forms.Form):
    ai_assisted_in_listings = forms.ChoiceField(
        label=_("AI-assisted posts in listings"), choices=[], widget=forms.RadioSelect)
    expand_ai_blocks = forms.BooleanField(label=_("Show AI-written sections expanded"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import ListingMode

        super().__init__(*args, **kwargs)
        self.fields["ai_assisted_in_listings"].choices = ListingMode.choices


def _canonical(disclosure: Disclosure) -> dict[str, Any]:
    """What a disclosure says, whatever order or spacing it was written in (an API client's order of the kinds
    of help or of the tools, or spaces the form trims, are no change the author made)."""
    data = disclosure.model_dump(mode="json")
    data["assistance"] = sorted(({k: v.strip() if isinstance(v, str) else v for k, v in item.items()}
                                 for item in data["assistance"]), key=lambda item: item["kind"])
    data["tools"] = sorted(tool.strip().casefold() for tool in data["tools"])
    for field in ("process", "verification"):
        data[field] = " ".join((data.get(field) or "").split())
    return data


class DisclosureForm(forms.Form):
    human_only = forms.BooleanField(label=_("This post is entirely human-written"), required=False)
    tools = forms.CharField(label=_("Which tools or models?"), required=False, max_length=1000,
                            help_text=_("Comma-separated, e.g. “Claude Opus 4.5, DeepL”."))
    ai_share_percent = forms.IntegerField(label=_("About how much of the final text did AI write? (%)"),
                                          min_value=0, max_value=100, required=False, initial=0)
    process = forms.CharField(label=_("How did you use AI?"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("At least a sentence: what you asked it to do, and what you kept."))
    verification = forms.CharField(label=_("How did you check the AI's work?"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Required when AI helped with research or code/analysis."))

    #: EU AI Act Art. 50(4): shown (by the editor's script) only when the post's grade requires a label.
    reviewed = forms.BooleanField(label=_("A person reviewed the AI-generated text before publication"),
                                  required=False)
    responsible = forms.CharField(label=_("Who holds editorial responsibility for it?"), required=False,
                                  max_length=200, help_text=_("A name or an editorial role, e.g. “the news desk”."))

    #: Shown on edit: the author confirms the disclosure still holds for the new revision.
    confirm = forms.BooleanField(label=_("I confirm this disclosure still describes the edited post"),
                                 required=False)

    ERROR_FIELDS = {"human_only": "human_only", "tools": "tools", "ai_share_percent": "ai_share_percent",
                    "process": "process", "verification": "verification", "human_review": "responsible"}

    def __init__(self, *args, body: str | None = None, fmt: str = "markdown", require_confirm: bool = False,
                 previous: dict | None = None, **kwargs):
        """``require_confirm``: an edit, whose author confirms the disclosure still holds, or changes it;
        ``previous``: the stored disclosure being edited, so that a changed one needs no confirmation (the
        author has just said what holds)."""
        super().__init__(*args, **kwargs)
        self.body, self.fmt, self.require_confirm, self.previous = body, fmt, require_confirm, previous
        for kind, label in ASSISTANCE_KINDS.items():
            self.fields[_assist_field(kind)] = forms.ChoiceField(label=label, choices=EXTENT_CHOICES,
                                                                 required=False)
            # optional specifics ("translated the German quotes"): the API accepts them, so the form must
            # show and keep them, or an edit in the forum would silently drop what the author said
            self.fields[_details_field(kind)] = forms.CharField(
                label=format_lazy(_("{kind}: what exactly? (optional)"), kind=kind_name(kind)), required=False,
                max_length=500, widget=forms.Textarea(attrs={"rows": 1, "placeholder": _("What exactly? (optional)")}))
            # no maxlength: a browser would cut a long paste silently; the server says "at most 500"
            self.fields[_details_field(kind)].widget.attrs.pop("maxlength", None)
        if not require_confirm:
            del self.fields["confirm"]
        self.disclosure: Disclosure | None = None

    @classmethod
    def initial_from(cls, stored: dict | None) -> dict[str, Any]:
        disclosure = load_stored(stored)
        if disclosure is None:
            return {}
        initial = {"human_only": disclosure.human_only, "tools": ", ".join(disclosure.tools),
                   "ai_share_percent": disclosure.ai_share_percent, "process": disclosure.process,
                   "verification": disclosure.verification}
        if disclosure.human_review is not None:
            initial["reviewed"] = disclosure.human_review.reviewed
            initial["responsible"] = disclosure.human_review.responsible
        for item in disclosure.assistance:
            initial[_assist_field(item.kind)] = item.extent
            if item.details:
                initial[_details_field(item.kind)] = item.details
        return initial

    def assistance_rows(self):
        """(extent select, details input) per kind of help, in the schema's order."""
        return [(self[_assist_field(kind)], self[_details_field(kind)]) for kind in ASSISTANCE_KINDS]

    def to_data(self) -> dict[str, Any]:
        """The schema's JSON. With "entirely human-written" ticked, any help still selected is kept, so the
        contradiction is reported rather than silently dropped (the editor's script disables hidden fields)."""
        data = self.cleaned_data
        human_only = bool(data.get("human_only"))
        result = {
            "human_only": human_only,
            "assistance": [self._assistance_item(kind) for kind in ASSISTANCE_KINDS
                           if data.get(_assist_field(kind))],
            "tools": [t.strip() for t in (data.get("tools") or "").split(",") if t.strip()],
            "ai_share_percent": data.get("ai_share_percent") or 0,
        }
        if not human_only:
            result["process"] = data.get("process") or ""
            result["verification"] = data.get("verification") or ""
            if data.get("reviewed") or (data.get("responsible") or "").strip():
                result["human_review"] = {"reviewed": bool(data.get("reviewed")),
                                          "responsible": (data.get("responsible") or "").strip()}
        return result

    def _assistance_item(self, kind: str) -> dict[str, str]:
        item = {"kind": kind, "extent": self.cleaned_data[_assist_field(kind)]}
        details = (self.cleaned_data.get(_details_field(kind)) or "").strip()
        if details:
            item["details"] = details
        return item

    def _field_for(self, error_field: str) -> str | None:
        head = error_field.split(".")[0]
        if head == "assistance":
            return _assist_field("drafting")
        return self.ERROR_FIELDS.get(head)

    def add_disclosure_error(self, path: str, message: str) -> None:
        """Show a schema error (``process``, ``assistance.0.kind``, …) next to the field a person fixes.

        Errors about the kinds of help as a whole go to the "What did AI help with" group
        (``form.errors.assistance``), not to one select, so they never read as a complaint about "drafting".
        """
        head = path.split(".")[0]
        if head == "assistance":
            self.errors.setdefault("assistance", self.error_class()).append(message)
            return
        field = self.ERROR_FIELDS.get(head)
        self.add_error(field if field in self.fields else None, message)

    @property
    def assistance_errors(self):
        return self.errors.get("assistance", self.error_class())

    def clean(self):
        """Every error at once, so an author fixes the form in one go: the schema's rules and the agreement
        with the body's AI-written sections are checked even when a field failed, and reported on the fields
        that have no error yet (a failed field reads as empty to them)."""
        cleaned = super().clean()
        for kind in ASSISTANCE_KINDS:
            if (cleaned.get(_details_field(kind)) or "").strip() and not cleaned.get(_assist_field(kind)):
                self.add_error(_details_field(kind), gettext(
                    "Choose how much AI helped with %(kind)s, or clear this.") % {"kind": kind_phrase(kind)})
        if cleaned.get("human_only"):  # without JavaScript these stay visible: what was typed is never dropped
            for field, message in (
                    ("process", gettext("A post that is entirely human-written has no AI use to describe: clear "
                                        "this, or untick “entirely human-written”.")),
                    ("verification", gettext("A post that is entirely human-written has no AI work to check: "
                                             "clear this, or untick “entirely human-written”.")),
                    ("reviewed", gettext("A post that is entirely human-written has no AI text to review: "
                                         "untick this, or untick “entirely human-written”.")),
                    ("responsible", gettext("A post that is entirely human-written has no AI text to review: "
                                            "clear this, or untick “entirely human-written”."))):
                value = cleaned.get(field)
                if (value.strip() if isinstance(value, str) else value) and field not in self.errors:
                    self.add_error(field, message)
        data = self.to_data()
        disclosure, errors = validate_disclosure(data)
        if self.require_confirm and not cleaned.get("confirm") and not self._changes_previous(disclosure):
            self.add_error("confirm", gettext(
                "You edited the post: confirm the disclosure still holds, or change it."))
        failed = set(self.errors)
        if self.body is not None:
            try:
                parsed = parse_body(self.body, self.fmt)
            except (BlockSyntaxError, ValueError):
                parsed = None  # a bad body or format is reported on its own field by the post form
            if parsed is not None:
                said = {self._error_target(e.field) for e in errors}
                errors = errors + [e for e in blocks_vs_declared_errors(
                    parsed, human_only=data["human_only"], kinds={a["kind"] for a in data["assistance"]},
                    ai_share_percent=data["ai_share_percent"]) if self._error_target(e.field) not in said]
        for error in errors:
            if self._error_target(error.field) not in failed:
                self.add_disclosure_error(error.field, error.message)
        if not errors and not self.errors:
            self.disclosure = disclosure
        return cleaned

    def _changes_previous(self, disclosure: Disclosure | None) -> bool:
        """A valid disclosure that differs from the one being edited (asking to confirm it as well refused an
        edit whose author had just changed the disclosure)."""
        previous = load_stored(self.previous) if self.previous is not None else None
        return disclosure is not None and previous is not None and _canonical(disclosure) != _canonical(previous)

    def _error_target(self, path: str) -> str | None:
        """The form field (or the "assistance" group) where :meth:`add_disclosure_error` shows ``path``."""
        head = path.split(".")[0]
        return "assistance" if head == "assistance" else self.ERROR_FIELDS.get(head)
