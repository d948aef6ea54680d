from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from disclosure.public import BlockSyntaxError, check_body

from .models import Category


class TextareaField(forms.CharField):
    """Text from a textarea with its lines ending in LF. Browsers submit CRLF (HTML spec), and a length limit
    must count the characters the author sees: a 136,920-character body with 118 line breaks was told it had
    137,035."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


#: Said before the submit, not only in the error after it: the textarea has no maxlength (see below).
LENGTH_HELP = _("At most 100,000 characters.")


class PostForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("Title"))
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label=None, label=_("Category"))
    format = forms.ChoiceField(choices=[("markdown", "Markdown"), ("html", "HTML")], initial="markdown",
                               widget=forms.HiddenInput)
    body = TextareaField(widget=forms.Textarea(attrs={"rows": 16, "data-editor-body": ""}), max_length=100_000,
                         label=_("Body"),
                         help_text=format_lazy("{} {}", _('Put AI-written text inside an AI-written section: '
                                                          '<code>:::ai-written model="…"</code> … <code>:::</code>.'),
                                               LENGTH_HELP))

    HTML_HELP = _('Put AI-written text inside an AI-written section: '
                  '<code>&lt;section data-ai-written data-model="…"&gt;</code> … <code>&lt;/section&gt;</code>.')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength on the textarea: a browser would silently cut a long paste.
        # The server says "at most 100,000 characters" and gives the text back instead.
        self.fields["body"].widget.attrs.pop("maxlength", None)
        # the editor script says so before sending a body far over it (disclosure/editor.js, guardLength)
        self.fields["body"].widget.attrs["data-max-length"] = str(self.fields["body"].max_length)
        fmt = self.data.get("format") if self.is_bound else self.initial.get("format")
        if fmt == "html":
            self.fields["body"].help_text = format_lazy("{} {}", self.HTML_HELP, LENGTH_HELP)

    def clean(self):
        cleaned = super().clean()
        body, fmt = cleaned.get("body"), cleaned.get("format") or "markdown"
        if body:
            try:
                check_body(body, fmt)
            except BlockSyntaxError as exc:
                self.add_error("body", exc.message)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's log-in form, whose refusal (a wrong username or password: one error about both fields) marks
    both fields invalid and points them at it, so a screen reader says why when either field has the focus."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field is None:
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "login-error"})
