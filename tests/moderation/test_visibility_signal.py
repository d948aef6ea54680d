"""``submission_visibility_changed(submission, visible)``: the one signal a host that mirrors the plugin's
decision into its own object (hide/show a comment) listens to. Sent after the change is saved, inside its
transaction, wherever ``visible`` changes: intake, the policy's evaluation, a moderator's decision; and once for
a new submission, whose first visibility is always news to the host."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from moderation.public import (
    Actor, Submission, local_client, submission_submit, submission_visibility_changed,
)

pytestmark = pytest.mark.django_db

HUMAN = {"human_only": True}


def submit(external_id, *, standing="new", body="Written by hand, on a bus."):
    return submission_submit(client=local_client(), external_id=external_id, author_external_id="u-1",
                             author_standing=standing, category="general", title="A comment", body=body,
                             disclosure_data=HUMAN)


@pytest.fixture
def visibility_log():
    """Every ``submission_visibility_changed``, with what the database said when it was sent."""
    log = []

    def receiver(sender, submission, visible, **kwargs):
        stored = Submission.objects.get(pk=submission.pk).visible
        log.append((submission.external_id, visible, stored))

    submission_visibility_changed.connect(receiver, weak=False, dispatch_uid="test_host_surface")
    yield log
    submission_visibility_changed.disconnect(dispatch_uid="test_host_surface")


# --- Gap 3: one signal for "readers may (not) see this now" -------------------------------------------

def test_a_new_submission_announces_its_visibility_then_each_change_after_saving_it(
        visibility_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # evaluated inline (no classifier configured)
        submit("c-1", standing="new")
    # Hidden while pending (a new author), shown once the policy publishes it; each sent after the save.
    assert visibility_log == [("c-1", False, False), ("c-1", True, True)]

    with django_capture_on_commit_callbacks(execute=True):
        submit("c-1", standing="new")  # the same text again: no revision, nothing changes
    assert len(visibility_log) == 2

    with django_capture_on_commit_callbacks(execute=True):
        submit("c-1", standing="new", body="An edit, still by hand.")
    assert visibility_log[2:] == [("c-1", False, False), ("c-1", True, True)]


def test_a_trusted_authors_post_shown_before_evaluation_is_announced_once(
        visibility_log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit("t-1", standing="trusted")
    # Visible at intake (SHOW_TRUSTED_BEFORE_EVALUATION); publishing it changes nothing readers see.
    assert visibility_log == [("t-1", True, True)]


def test_a_moderators_decision_is_announced(queued_post, item_of, moderator, visibility_log):
    from moderation.services.review import review_item_approve, review_item_hide

    post = queued_post()  # published and queued: readers see it while a moderator looks
    assert post.submission.visible is True
    external_id = post.submission.external_id
    del visibility_log[:]
    review_item_hide(item_id=item_of(post).pk, actor=Actor.for_user(moderator), message="Hidden for now.")
    assert visibility_log == [(external_id, False, False)]

    again = queued_post(title="Another one")
    del visibility_log[:]
    review_item_approve(item_id=item_of(again).pk, actor=Actor.for_user(moderator))
    assert visibility_log == []  # it was visible already: nothing to announce


def test_every_function_that_changes_visible_sends_the_signal():
    """A guard for code added later (a new review action, a reports module): whoever sets ``visible`` calls
    ``signals.visibility_changed_send`` in the same function, or the host's mirror goes stale."""
    root = Path(__file__).resolve().parents[2] / "moderation"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            nodes = list(ast.walk(function))
            sets_visible = any(
                (isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "visible"
                                                   for t in n.targets))
                or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "update"
                    and any(k.arg == "visible" for k in n.keywords))
                for n in nodes)
            sends = any(isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", None))
                        == "visibility_changed_send" for n in nodes)
            if sets_visible and not sends:
                offenders.append(f"{path.relative_to(root.parent)}:{function.name}")
    assert offenders == []
