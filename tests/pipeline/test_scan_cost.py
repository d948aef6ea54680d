"""The scan-cost policy (``MODERATION["SCAN_COST"]``): which revisions the classifiers read. A skipped scan is
recorded as a ``skipped`` row per classifier naming the rule, never silent; the default scans everything."""
from __future__ import annotations

import pytest
from django.core.checks import run_checks

from moderation.models import ClassifierResult, Submission
from moderation.services.scan_cost import edit_distance_at_least
from forum.services import post_update

from .test_evaluation import BODY, evaluate, use

pytestmark = pytest.mark.django_db

SCRIPTED = "tests.pipeline.classifiers.ScriptedClassifier"


def scan_cost(settings, **policy):
    settings.MODERATION = {**settings.MODERATION, "SCAN_COST": policy}


def edit(post, body):
    post.refresh_from_db()
    post_update(post=post, category=post.category, title=post.revision.title, body=body,
                disclosure_data={"human_only": True})
    post.submission.refresh_from_db()
    return post


def rows(post):
    return list(ClassifierResult.objects.filter(revision__submission_id=post.submission_id)
                .order_by("revision__number", "id").values_list("revision__number", "status", "details__rule"))


def test_by_default_every_edit_is_scanned(settings, make_post):
    use(settings, SCRIPTED)
    post = make_post(body=BODY)
    evaluate(post)
    evaluate(edit(post, BODY + "!"))
    assert rows(post) == [(1, "ok", None), (2, "ok", None)]


def test_an_edit_below_the_edit_distance_threshold_is_skipped_and_recorded(settings, make_post):
    use(settings, SCRIPTED)
    scan_cost(settings, rescan_min_edit_distance=10)
    post = make_post(body=BODY)
    evaluate(post)

    evaluate(edit(post, BODY.replace("slugs", "snails")))  # distance 4
    evaluate(edit(post, BODY + " And then the frost came early."))  # far enough from revision 1

    assert rows(post) == [(1, "ok", None), (2, "skipped", "edit_distance_below_threshold"), (3, "ok", None)]
    skipped = ClassifierResult.objects.get(status="skipped")
    assert skipped.details["scan_cost"] == {"edit_distance": 4, "rescan_min_edit_distance": 10,
                                            "last_scanned_revision": 1}
    assert Submission.objects.get(pk=post.submission_id).status == "published"


def test_small_edits_add_up_against_the_last_scanned_revision(settings, make_post):
    use(settings, SCRIPTED)
    scan_cost(settings, rescan_min_edit_distance=8)
    post = make_post(body=BODY)
    evaluate(post)
    evaluate(edit(post, BODY + " abcd"))  # 5 from r1: skipped
    evaluate(edit(post, BODY + " abcdefgh"))  # 9 from r1 (the last scanned), though 4 from r2
    assert [status for _, status, _ in rows(post)] == ["ok", "skipped", "ok"]


def test_at_most_k_scans_per_post(settings, make_post):
    use(settings, SCRIPTED)
    scan_cost(settings, max_scans_per_post=2)
    post = make_post(body=BODY)
    for n in range(1, 4):
        evaluate(post if n == 1 else edit(post, f"{BODY} Edit number {n} changes the text a good deal."))
    assert rows(post) == [(1, "ok", None), (2, "ok", None), (3, "skipped", "max_scans_per_post")]


def test_only_new_authors_first_posts_are_scanned(settings, make_post, make_user):
    use(settings, SCRIPTED)
    scan_cost(settings, scan="new_authors", below_standing="regular", first_posts=2)
    newcomer, veteran = make_user("newcomer", standing="new"), make_user("veteran", standing="regular")
    first, second, third = (make_post(title=f"Post {n}", body=BODY, user=newcomer) for n in range(3))
    senior = make_post(body=BODY, user=veteran)
    for post in (first, second, third, senior):
        evaluate(post)

    assert rows(first) == [(1, "ok", None)] and rows(second) == [(1, "ok", None)]
    assert rows(third) == [(1, "skipped", "author_post_count")]
    assert rows(senior) == [(1, "skipped", "author_standing")]


def test_a_skipped_revision_stays_skipped_when_evaluated_again(settings, make_post):
    use(settings, SCRIPTED)
    scan_cost(settings, scan="new_authors", below_standing="regular")
    post = make_post(body=BODY)  # the author fixture is "regular"
    first = evaluate(post)
    scan_cost(settings)  # the operator scans everything from now on: this revision's decision stands
    assert evaluate(post).pk == first.pk
    assert rows(post) == [(1, "skipped", "author_standing")]


def test_bad_settings_are_reported_at_start_up(settings):
    scan_cost(settings, scan="some", max_scans_per_post=0)
    messages = [e.msg for e in run_checks() if e.id == "moderation.E005"]
    assert any("scan" in m for m in messages) and any("max_scans_per_post" in m for m in messages)


@pytest.mark.parametrize("a, b, threshold, far", [
    ("kitten", "sitting", 3, True), ("kitten", "sitting", 4, False), ("", "abc", 3, True),
    ("same text", "same text", 1, False), ("a" * 5000 + "b", "a" * 5000 + "c", 2, False),
])
def test_edit_distance_against_a_threshold(a, b, threshold, far):
    assert edit_distance_at_least(a, b, threshold)[0] is far


def test_a_one_character_edit_of_a_long_post_is_cheap_to_measure():
    import time

    long = ("word " * 40_000)
    started = time.perf_counter()
    far, distance = edit_distance_at_least(long, long[:100_000] + "x" + long[100_000:], 10)
    assert (far, distance) == (False, 1)
    assert time.perf_counter() - started < 5  # a generous guard: the full table would be 4·10¹⁰ cells
