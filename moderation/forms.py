"""Forms of the moderator queue: typed input for the filters and for each action. Views stay thin."""
from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils import timezone

from disclosure.labels import LABELS

from .models import AuthorStanding, ReviewItemKind, RejectionTemplate
from .selectors.queue import SORTS, STATUS_FILTERS, QueueFilters

#: the badges' own words (disclosure.labels): the menu said "AI-generated" where the post then read "Mostly
#: AI-written"
LABEL_CHOICES = [("", _("Keep the current label"))] + [
    (value, _(LABELS[value])) for value in ("ai_assisted", "ai_generated", "human_only")]
SNOOZE_CHOICES = [("next_revision", _("Until the author posts again")), ("1", _("1 hour")), ("24", _("1 day")),
                  ("168", _("1 week"))]
#: The queue's status filters and sort orders, for people.
STATUS_FILTER_LABELS = {"active": _("Active"), "open": _("Open"), "claimed": _("Claimed"), "snoozed": _("Snoozed"),
                        "decided": _("Decided"), "undecided": _("Undecided")}
SORT_LABELS = {"priority": _("Priority"), "age": _("Oldest first"), "newest": _("Newest first"), "score": _("Score")}


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[(k, STATUS_FILTER_LABELS.get(k, k.title())) for k in STATUS_FILTERS])
    #: a reason is picked by its name (:meth:`offer_reasons`); any slug is accepted, so that a bookmarked
    #: filter on an operator's own reason code keeps working when no item holds it today
    reason = forms.SlugField(required=False, max_length=60, label=_("Reason"), widget=forms.Select)
    #: any text: a Spirit slug may be Unicode ("übersetzungen"), and a category sent through the API is free text
    category = forms.CharField(required=False, max_length=100, label=_("Category"),
                               widget=forms.TextInput(attrs={"list": "category-names"}))
    standing = forms.ChoiceField(required=False, label=_("Standing"),
                                 choices=[("", _("Any standing")), *AuthorStanding.choices])
    classifier = forms.CharField(required=False, max_length=100, label=_("Classifier"),
                                 widget=forms.TextInput(attrs={"list": "classifier-names"}))
    kind = forms.ChoiceField(required=False, label=_("Kind"),
                             choices=[("", _("Flags and appeals")), *ReviewItemKind.choices])
    since = forms.DateField(required=False, label=_("Since"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(required=False, label=_("Sort"), choices=[(k, SORT_LABELS.get(k, k.title())) for k in SORTS])
    removed = forms.ChoiceField(required=False, label=_("Removed in the forum"), choices=[
        ("", _("Shown too")), ("hide", _("Hidden")), ("only", _("Only those"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_reasons(())

    def offer_reasons(self, codes) -> None:
        """The reason menu: the built-in reasons, then the codes present in the queue (an operator's own) and
        the one asked for, each by its name. It used to be a text box that wanted the code."""
        from .policy.reasons import REASON_LABELS, reason_label
        asked = self.data.get("reason", "") if self.is_bound else ""
        extra = sorted(({str(c) for c in codes} | ({asked} if asked else set())) - set(REASON_LABELS))
        self.fields["reason"].widget.choices = [("", gettext("Any reason"))] + [
            (code, reason_label(code)) for code in [*REASON_LABELS, *extra]]

    def to_filters(self) -> QueueFilters:
        data = self.cleaned_data
        return QueueFilters(status=data.get("status") or "active", reason=data.get("reason") or "",
                            category=data.get("category") or "", standing=data.get("standing") or "",
                            classifier=data.get("classifier") or "", kind=data.get("kind") or "",
                            since=data.get("since"), until=data.get("until"), sort=data.get("sort") or "priority",
                            removed=data.get("removed") or "")


class VersionedForm(forms.Form):
    """Every action carries the item's version, so a stale page cannot overwrite a newer decision."""

    version = forms.IntegerField(min_value=1)


def message_with_template(template_code: str, note: str) -> str:
    """The template's text followed by the moderator's note, so the author reads the reason and the note
    (the service uses the template's text alone when no message is given)."""
    note = note.strip()
    if not template_code or not note:
        return note
    template = RejectionTemplate.objects.filter(code=template_code, is_active=True).first()
    return f"{template.message}\n\n{note}" if template else note


class DecisionForm(VersionedForm):
    #: The revision number on the page: a decision applies to the revision the moderator read.
    revision = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    template = forms.ChoiceField(required=False, label=_("Reason"))
    message = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                              label=_("Note to the author"))
    label = forms.ChoiceField(required=False, choices=LABEL_CHOICES, label=_("Label the post"))
    #: set by the item page's form: its note goes with an approval (a queue row's Approve sends the bulk form's)
    from_item_page = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", gettext("— choose a reason —"))] + [
            (t.code, t.title) for t in RejectionTemplate.objects.filter(is_active=True).order_by("title")]


class SnoozeForm(VersionedForm):
    snooze = forms.ChoiceField(choices=SNOOZE_CHOICES, initial="next_revision")

    def until(self):
        value = self.cleaned_data["snooze"]
        return None if value == "next_revision" else timezone.now() + timedelta(hours=int(value))


class NoteForm(forms.Form):
    #: no maxlength on the textarea: a browser would cut a long paste silently; the service says "at most"
    text = forms.CharField(label=_("Add a note for the other moderators (not shown to the author on the post or "
                                   "in messages; part of their data if they ask for it)"),
                           widget=forms.Textarea(attrs={"rows": 2}), strip=True,
                           error_messages={"required": _("Write the note first.")})


class MarkResultForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("confirmed", _("Confirmed")), ("false_positive", _("False positive")),
                                         ("", _("Clear"))], required=False)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    template = forms.ChoiceField(required=False)
    message = forms.CharField(required=False, max_length=5000)
    #: "<public id>:<version>" per selected item.
    items = forms.MultipleChoiceField(required=True, error_messages={"required": _("Select at least one item.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", gettext("— choose a reason —"))] + [
            (t.code, t.title) for t in RejectionTemplate.objects.filter(is_active=True)]
        self.fields["items"].choices = [(v, v) for v in (self.data.getlist("items") if self.data else [])]

    def clean_items(self):
        import uuid

        parsed = []
        for value in self.cleaned_data["items"][:200]:
            public_id, _, version = value.partition(":")
            try:
                parsed.append((uuid.UUID(public_id), int(version)))
            except ValueError:
                raise forms.ValidationError(f"Not an item: {value!r}.") from None
        return parsed

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not data.get("template") and not (data.get("message") or "").strip():
            self.add_error("template", gettext("Pick a reason to reject the selected items."))
        return data


class AuditFilterForm(forms.Form):
    """Labelled as the page labels them, so that an error names the field the moderator sees."""
    verb = forms.CharField(required=False, max_length=40, label=_("Verb"))
    actor = forms.CharField(required=False, max_length=200, label=_("Who"))
    submission = forms.UUIDField(required=False, label=_("Post id"))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("From"))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("To"))
