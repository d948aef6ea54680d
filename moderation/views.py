"""The moderator queue's pages. Thin: parse a form, call one service or selector, answer.

Every action is a POST carrying the item's ``version``; the same service functions serve the API. A
:class:`~moderation.services.review.ReviewConflict` becomes HTTP 409 for htmx/JSON callers and a flash message
plus a redirect for plain form posts.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy as _, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from disclosure.schema import load_stored

from .classifiers.registry import configured_classifiers
from .conf import app_settings
from .frame import render
from .forms import (
    AuditFilterForm,
    BulkForm,
    DecisionForm,
    MarkResultForm,
    NoteForm,
    SORT_LABELS,
    QueueFilterForm,
    SnoozeForm,
    VersionedForm,
    message_with_template,
)
from .models import Action, ClassifierResult, ReviewItem, ReviewStatus
from .policy.evidence import result_findings
from .charts import stats_charts
from .selectors import queue as queue_selectors
from .selectors.labels import submission_label
from .selectors.stats import stats_summary
from .selectors.submissions import removed_in_forum
from .services.review import (
    Actor,
    ReviewActionInvalid,
    ReviewConflict,
    classifier_result_mark,
    review_item_claim,
    review_item_decide,
    review_item_note,
    review_item_release,
    review_item_snooze,
    review_item_wake,
)


def moderator_required(view):
    """Anonymous users go to the login page; signed-in users who are not moderators get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not app_settings.adapter.is_moderator(request.user):
            raise PermissionDenied(gettext("Only moderators can see the review queue."))
        return view(request, *args, **kwargs)

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _is_htmx(request) -> bool:
    """An htmx request (the queue's row actions); read from the headers, so the host needs no middleware."""
    return bool(getattr(request, "htmx", None) or HtmxDetails(request))


def _live_refusal(request, message: str, *, status: int):
    """htmx: a refused row action changes no row; its reason replaces the queue's #mod-live line."""
    response = render(request, "moderation/_live.html", {"live_message": message, "live_error": True}, status=status)
    return reswap(retarget(response, "#mod-live"), "outerHTML")


#: session key: the public ids of the rows ticked for a refused bulk action, ticked again on the next queue page
BULK_SELECTED = "moderation_bulk_selected"


def _safe_next(request) -> str:
    """The request's ``next``, when it is a page of this site ("" otherwise: no redirect elsewhere)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else ""


def _back(request, fallback: str):
    return redirect(_safe_next(request) or fallback)


def _item_json(item: ReviewItem) -> dict:
    return {"id": str(item.public_id), "status": item.status, "version": item.version,
            "decision": item.decision_action or None}


# --- Pages ----------------------------------------------------------------------------------------

def _page_filters(request) -> queue_selectors.QueueFilters:
    """The status and reason filters of the queue page an htmx row action came from (its ``HX-Current-URL``),
    for the counts drawn again with the row; the defaults when it cannot tell."""
    from urllib.parse import urlsplit

    from django.http import QueryDict

    form = QueueFilterForm(QueryDict(urlsplit(request.headers.get("HX-Current-URL", "")).query))
    return form.to_filters() if form.is_valid() else queue_selectors.QueueFilters()  # as the page itself does


def _mark_rows(items, user) -> None:
    """What each queue row needs from the host, asked once per page: whether the forum already took its post
    away itself (through the API, or the adapter's ``removed_by_host``), so that a moderator triaging the queue
    does not open a post already gone; its category's name, as the item page shows it (the row showed the
    slug, which a moderator then typed into the filter); and whether ``user`` wrote it (no actions then)."""
    removed = removed_in_forum([item.submission for item in items])
    own = queue_selectors.own_post_ids(items, user)
    names = app_settings.adapter.category_names([item.submission.category for item in items
                                                 if item.submission.category])
    for item in items:
        item.removed_by_host = removed.get(item.submission_id, "")
        item.category_name = names.get(item.submission.category, item.submission.category)
        item.own_post = item.pk in own


@require_GET
@never_cache  # Back after an action showed the browser's copy: decided rows as open, the counts of before
@moderator_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        filters = queue_selectors.QueueFilters()
        status = 400
    else:
        filters = form.to_filters() if form.is_bound else queue_selectors.QueueFilters()
        status = 200
    page = queue_selectors.queue_page(filters, cursor=request.GET.get("cursor"))
    _mark_rows(page.items, request.user)
    counts = queue_selectors.queue_counts(status=filters.status)
    form.offer_reasons(counts["by_reason"])
    # the filter form was just sent (and accepted): the summary takes the focus, so a screen reader hears what
    # it found; this page's address, the pager's and the actions' links leave the mark out, so that they do not
    # do it again
    here = request.GET.copy()
    results_focus = here.pop("applied", None) == ["1"] and status == 200
    params = here.copy()
    params.pop("cursor", None)
    sorted_by, sort_direction = QUEUE_SORT_COLUMNS.get(filters.sort, QUEUE_SORT_COLUMNS["priority"])
    return render(request, "moderation/queue.html", {
        "results_summary": _queue_results_summary(page, filters),
        "results_focus": results_focus,
        "sorted_by": sorted_by, "sort_direction": sort_direction,
        "form": form, "page": page, "counts": counts, "filters": filters,
        "query": params.urlencode(), "bulk_form": BulkForm(),
        # the rows ticked for a bulk action the server refused (no JavaScript): ticked again, not lost
        "bulk_selected": set(request.session.pop(BULK_SELECTED, [])),
        "next_url": f"?{params.urlencode()}&cursor={page.next_cursor}" if page.next_cursor else None,
        "this_url": f"{request.path}?{here.urlencode()}" if here else request.path, "section": "queue",
        "classifier_names": [c.name for c in configured_classifiers()],
        "category_names": dict(sorted({item.submission.category: item.category_name for item in page.items
                                       if item.submission.category}.items(), key=lambda kv: kv[1].casefold())),
    }, status=status)


#: the column each sort orders, and how (aria-sort on its header): "age" is oldest first, the largest age first
QUEUE_SORT_COLUMNS = {"priority": ("priority", "descending"), "age": ("age", "descending"),
                      "newest": ("age", "ascending"), "score": ("score", "descending")}


def _queue_results_summary(page, filters) -> str:
    """What the filters found, in words: the page's count, the order, and whether more pages follow."""
    n = len(page.items)
    text = ngettext("%(n)s item on this page", "%(n)s items on this page", n) % {"n": n}
    text += " · " + gettext("sorted: %(sort)s") % {"sort": SORT_LABELS.get(filters.sort, SORT_LABELS["priority"])}
    if page.next_cursor:
        text += " · " + gettext("more on the next page")
    return text


@require_GET
@never_cache
@moderator_required
def item_detail(request, public_id):
    item = get_object_or_404(ReviewItem.objects.select_related(
        "submission__client", "revision", "evaluation", "claimed_by", "decided_by", "decision_template"),
        public_id=public_id)
    revision = item.revision
    from .selectors.results import results_with_verdicts

    results = list(results_with_verdicts(revision))
    for result in results:
        result.finding_codes = sorted(result_findings(result))
    previous, following = queue_selectors.queue_neighbours(item)
    decision_form, decision_error = _decision_form(request, item)
    context = {
        "item": item, "submission": item.submission, "revision": revision, "results": results,
        "disclosure": load_stored(revision.disclosure), "label": submission_label(item.submission, revision),
        "history": queue_selectors.author_history(item.submission),
        "diff": queue_selectors.revision_diff(revision),
        "actions": item.actions.order_by("-at", "-id")[:50],
        "notes": queue_selectors.moderator_notes(item.submission), **_note_form(request, item),
        "decision_form": decision_form, "decision_error": decision_error,
        "snooze_form": SnoozeForm(initial={"version": item.version}),
        "previous": previous, "following": following,
        "post_url": app_settings.adapter.submission_url(item.submission),
        "removed_by_host": removed_in_forum([item.submission]).get(item.submission_id, ""),
        "category_name": app_settings.adapter.category_name(item.submission.category),
        "is_open": item.status in (ReviewStatus.OPEN, ReviewStatus.CLAIMED),
        "own_post": queue_selectors.is_own_post(item, request.user),
        "i_hold_claim": item.status == ReviewStatus.CLAIMED and item.claimed_by_id == request.user.pk,
        "section": "queue",
    }
    return render(request, "moderation/item_detail.html", context)


# --- Actions --------------------------------------------------------------------------------------

def _note_form(request, item: ReviewItem) -> dict:
    """The item page's note box, with a refused note put back and its error beside it (as the decision form)."""
    form = NoteForm(initial={"text": request.session.pop(f"moderation-note-text-{item.public_id}", "")})
    error = request.session.pop(f"moderation-note-error-{item.public_id}", "")
    if error:
        form.fields["text"].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "note-error"})
    return {"note_form": form, "note_error": error}


@require_POST
@moderator_required
def item_note(request, public_id):
    """A note for the other moderators, added on the item page (not shown to the author). A refused note is
    kept for the page to put back, so a long one is not lost."""
    item = get_object_or_404(ReviewItem, public_id=public_id)
    form = NoteForm(request.POST)
    detail = reverse("moderation:item_detail", args=[item.public_id])
    try:
        if not form.is_valid():
            raise ReviewActionInvalid(" ".join(str(e) for errors in form.errors.values() for e in errors),
                                      field="text")
        review_item_note(item_id=item.pk, actor=Actor.for_user(request.user), text=form.cleaned_data["text"])
    except ReviewActionInvalid as exc:
        request.session[f"moderation-note-text-{item.public_id}"] = \
            str(request.POST.get("text", "")).replace("\x00", "")[:20000]
        request.session[f"moderation-note-error-{item.public_id}"] = exc.message
    else:
        messages.success(request, gettext("Note added for the other moderators."))
    return redirect(f"{detail}#notes")


#: a refused decision's error, by the service's field name, goes beside this field of the item page's form
DECISION_ERROR_FIELDS = {"reason": "template", "template": "template", "message": "message", "label": "label"}


def _decision_form(request, item: ReviewItem) -> tuple[DecisionForm, dict | None]:
    """The item page's decision form, with the note of a refused decision put back and its error tied to the
    field (``aria-invalid``, ``aria-describedby``), instead of a message at the top of the page."""
    form = DecisionForm(initial={"version": item.version,
                                 "message": request.session.pop(f"moderation-note-{item.public_id}", ""),
                                 "template": request.session.pop(f"moderation-template-{item.public_id}", "")})
    error = request.session.pop(f"moderation-error-{item.public_id}", None)
    if error and error.get("field") in form.fields:
        form.fields[error["field"]].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "decision-error"})
    return form, error


def _keep_note(request, item: ReviewItem) -> None:
    """A refused action must not lose the moderator's note, nor the reason they picked: the item page puts both
    back in the form."""
    note = request.POST.get("message", "").strip()
    if note:
        request.session[f"moderation-note-{item.public_id}"] = note[:5000]
    template = request.POST.get("template", "").strip()
    if template:
        request.session[f"moderation-template-{item.public_id}"] = template[:100]


def _act(request, item: ReviewItem, run, *, success: str, form=None):
    """Run one service call and answer: JSON/409 for htmx and fetch, flash + redirect otherwise."""
    detail = reverse("moderation:item_detail", args=[item.public_id])
    htmx = _is_htmx(request)
    if not _wants_json(request) and not htmx:
        _keep_note(request, item)  # dropped again below when the action succeeds
    if form is not None and not form.is_valid():
        if htmx:
            return _live_refusal(request, " ".join(str(e) for errors in form.errors.values() for e in errors),
                                 status=400)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}" if field != "__all__" else error)
        return redirect(detail)
    try:
        updated = run()
    except ReviewConflict as exc:
        if htmx:
            return _live_refusal(request, exc.message, status=409)
        if _wants_json(request):
            return JsonResponse({"error": exc.message, "conflict": True}, status=409)
        messages.error(request, exc.message)
        return redirect(detail)
    except ReviewActionInvalid as exc:
        if htmx:
            return _live_refusal(request, exc.message, status=400)
        if _wants_json(request):
            return JsonResponse({"errors": {exc.field or "__all__": [{"message": exc.message}]}}, status=400)
        field = DECISION_ERROR_FIELDS.get(exc.field or "")
        if field and isinstance(form, DecisionForm):  # said beside the field it is about, which gets the focus
            request.session[f"moderation-error-{item.public_id}"] = {"field": field, "message": exc.message}
            return redirect(f"{detail}#decision-form")
        messages.error(request, exc.message)
        return redirect(detail)
    if htmx:  # the row drawn again, the outcome announced out of band in #mod-live
        row = queue_selectors.queue_row(updated.pk)
        _mark_rows([row], request.user)
        filters = _page_filters(request)
        return render(request, "moderation/_queue_row_answer.html",
                      {"item": row, "live_message": f"{row.revision.title or gettext('(untitled)')}: {success}",
                       "oob": True, "filters": filters, "counts": queue_selectors.queue_counts(status=filters.status)})
    if _wants_json(request):
        return JsonResponse({"ok": True, "item": _item_json(updated)})
    request.session.pop(f"moderation-note-{item.public_id}", None)
    request.session.pop(f"moderation-template-{item.public_id}", None)
    item = ReviewItem.objects.select_related("revision").get(pk=item.pk)  # as the action left it
    target, moving = _after_action(request, item, detail)
    messages.success(request, _outcome_message(item, success, moving=moving))
    return redirect(target)


def _after_action(request, item: ReviewItem, detail: str) -> tuple[str, bool]:
    """Where the moderator goes after an action, and whether it is another item's page. A "next" that names an
    item page is read as "the next item": the next one they can act on now, found now (the page's link was
    drawn before a colleague may have decided or claimed it), or the queue when none is left."""
    target = _safe_next(request)
    if not target:
        return detail, False
    path = urlsplit(target).path
    try:
        next_item = path != detail and resolve(path).url_name == "item_detail"
    except Resolver404:
        next_item = False
    if not next_item:
        return target, False
    following = queue_selectors.queue_next_for(item, request.user)
    if following is None:
        return reverse("moderation:queue"), False
    return reverse("moderation:item_detail", args=[following.public_id]), True


def _outcome_message(item: ReviewItem, success: str, *, moving: bool) -> str:
    """The flash after an action names the post it was about, and says when the page that follows is the next
    item's: a moderator who hid one post and pressed the next key on the page that loaded acted on another
    post without being told it had changed."""
    message = gettext("“%(title)s”: %(outcome)s") % {"title": item.revision.title or gettext("(untitled)"),
                                                        "outcome": success}
    if not moving:
        return message
    return " ".join([message, gettext("This is the next item in the queue.")])


def _item(public_id) -> ReviewItem:
    return get_object_or_404(ReviewItem.objects.only("id", "public_id"), public_id=public_id)


def _versioned_action(request, public_id, service, *, success: str):
    """Claim, release, wake: one service call with the item, the moderator and the version their page holds."""
    item, form = _item(public_id), VersionedForm(request.POST)
    return _act(request, item, lambda: service(item_id=item.pk, actor=Actor.for_user(request.user),
                                               expected_version=form.cleaned_data["version"]),
                success=success, form=form)


@require_POST
@moderator_required
def item_claim(request, public_id):
    return _versioned_action(request, public_id, review_item_claim, success=gettext("You claimed this item."))


@require_POST
@moderator_required
def item_release(request, public_id):
    return _versioned_action(request, public_id, review_item_release, success=gettext("You released this item."))


DECISION_MESSAGES = {"approve": _("Approved."), "reject": _("Rejected; the author was told why."),
                     "request_changes": _("Sent back to the author for a disclosure fix."), "hide": _("Hidden.")}


@require_POST
@moderator_required
def item_decide(request, public_id, action):
    if action not in DECISION_MESSAGES:
        raise Http404(gettext("No such action."))
    item, form = _item(public_id), DecisionForm(request.POST)

    def run():
        data = form.cleaned_data
        if action == "approve":
            # a rejection reason is for rejecting: the item page's form keeps the one a refused decision picked,
            # and Approve (a) submits that form. A queue row's Approve (without JavaScript) sends the page's whole
            # bulk form, whose note is for the selected rows; the item page's note goes to the author.
            data = {**data, "template": "", "message": data["message"] if data["from_item_page"] else ""}
        return review_item_decide(item_id=item.pk, actor=Actor.for_user(request.user), action=action,
                                  template_code=data["template"] or None,
                                  message=message_with_template(data["template"], data["message"]),
                                  label=data["label"] or None, expected_version=data["version"],
                                  expected_revision=data["revision"])

    return _act(request, item, run, success=str(DECISION_MESSAGES[action]), form=form)


@require_POST
@moderator_required
def item_snooze(request, public_id):
    item, form = _item(public_id), SnoozeForm(request.POST)

    def run():
        until = form.until()
        return review_item_snooze(item_id=item.pk, actor=Actor.for_user(request.user), until=until,
                                  until_next_revision=until is None,
                                  expected_version=form.cleaned_data["version"])

    return _act(request, item, run, success=gettext("Snoozed."), form=form)


@require_POST
@moderator_required
def item_wake(request, public_id):
    return _versioned_action(request, public_id, review_item_wake, success=gettext("Back in the queue."))


@require_POST
@moderator_required
def result_mark(request, result_id):
    result = get_object_or_404(ClassifierResult.objects.select_related("revision"), pk=result_id)
    form = MarkResultForm(request.POST)
    item = result.revision.review_items.order_by("-id").first()
    fallback = reverse("moderation:item_detail", args=[item.public_id]) if item else reverse("moderation:queue")
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        messages.error(request, gettext("Choose confirmed or false positive."))
        return _back(request, fallback)
    classifier_result_mark(result_id=result.pk, actor=Actor.for_user(request.user),
                           verdict=form.cleaned_data["verdict"])
    if _wants_json(request):
        return JsonResponse({"ok": True, "verdict": form.cleaned_data["verdict"]})
    messages.success(request, gettext("Marked %(classifier)s's result.") % {"classifier": result.classifier})
    return _back(request, fallback)


@require_POST
@moderator_required
def bulk(request):
    """Approve or reject the selected items, each through the same guarded service; conflicts are reported
    per item, never hidden by the others' success."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        request.session[BULK_SELECTED] = [value.partition(":")[0] for value in request.POST.getlist("items")[:200]]
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, reverse("moderation:queue"))
    data = form.cleaned_data
    if data["action"] == "approve":  # the reason fields are for rejecting
        data = {**data, "template": "", "message": ""}
    ids = dict(ReviewItem.objects.filter(public_id__in=[p for p, _ in data["items"]]).values_list("public_id", "id"))
    done, conflicts = [], []
    message = message_with_template(data["template"], data["message"])
    for public_id, version in data["items"]:
        if public_id not in ids:
            conflicts.append((str(public_id), "This review item does not exist."))
            continue
        try:
            review_item_decide(item_id=ids[public_id], actor=Actor.for_user(request.user), action=data["action"],
                               template_code=data["template"] or None, message=message,
                               expected_version=version)
            done.append(str(public_id))
        except (ReviewConflict, ReviewActionInvalid) as exc:
            conflicts.append((str(public_id), exc.message))
    if _wants_json(request):
        return JsonResponse({"done": done, "conflicts": [{"id": i, "error": m} for i, m in conflicts]},
                            status=409 if conflicts and not done else 200)
    if done:
        messages.success(request, (ngettext("Approved %(n)s item.", "Approved %(n)s items.", len(done))
                                   if data["action"] == "approve" else
                                   ngettext("Rejected %(n)s item.", "Rejected %(n)s items.", len(done))) % {"n": len(done)})
    known = {str(public_id) for public_id in ids}
    titles = {str(public_id): title for public_id, title in ReviewItem.objects.filter(
        public_id__in=[i for i, _ in conflicts if i in known]).values_list("public_id", "revision__title")}
    for public_id, message in conflicts:  # named by the post, as a single item's flash is
        name = titles.get(public_id) or (gettext("(untitled)") if public_id in titles else public_id[:8])
        messages.error(request, gettext("“%(title)s”: %(message)s") % {"title": name, "message": message})
    return _back(request, reverse("moderation:queue"))


# --- Audit, public log, stats ---------------------------------------------------------------------

#: What the audit log records (every verb the services write, in words); a fixed list, so the filter costs no scan.
AUDIT_VERBS = list(Action.VERB_LABELS.items())


@require_GET
@moderator_required
def audit(request):
    form = AuditFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    filters = {} if refused or not form.is_bound else form.cleaned_data
    rows, next_cursor = [], None  # a filter that cannot be read shows nothing: the whole log read as its answer
    if not refused:
        rows, next_cursor = queue_selectors.audit_page(
            verb=filters.get("verb") or "", actor=filters.get("actor") or "",
            submission=str(filters["submission"]) if filters.get("submission") else "",
            since=filters.get("since"), until=filters.get("until"), cursor=request.GET.get("cursor"))
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(request, "moderation/audit.html", {
        "form": form, "rows": rows, "verbs": AUDIT_VERBS,
        "next_url": f"?{params.urlencode()}&cursor={next_cursor}" if next_cursor else None, "section": "audit",
    }, status=400 if refused else 200)


@require_GET
def public_log(request):
    """Rejected posts and why, for transparency; only when ``MODERATION["PUBLIC_MODERATION_LOG"]`` is on."""
    if not app_settings.PUBLIC_MODERATION_LOG:
        raise Http404(gettext("The moderation log is not public on this forum."))
    rows, next_cursor = queue_selectors.public_log_page(cursor=request.GET.get("cursor"))
    return render(request, "moderation/public_log.html", {
        "rows": rows, "next_url": f"?cursor={next_cursor}" if next_cursor else None})


@require_GET
@moderator_required
def stats(request):
    summary = stats_summary()
    return render(request, "moderation/stats.html", {"stats": {**summary, "charts": stats_charts(summary)},
                                                     "section": "stats"})
