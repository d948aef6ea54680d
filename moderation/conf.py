"""The plugin's settings: one namespaced dict, ``settings.MODERATION``, read through :data:`app_settings`.

Defaults live here; bad values are reported by system checks (``moderation/checks.py``), not at request
time. Reloaded on ``setting_changed`` so tests can override it (the classifier registry resets itself on the same
signal, ``moderation/classifiers/registry.py``).
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    #: Dotted path of the host forum's adapter (a subclass of moderation.adapter.ModerationAdapter).
    "ADAPTER": "moderation.adapter.ModerationAdapter",
    #: Dotted paths of classifier classes, or {"path": ..., "options": {...}} dicts.
    "CLASSIFIERS": [],
    #: Policy rules as data (see moderation/policy/); None means the shipped default policy.
    "POLICY": None,
    #: How long a moderator's claim lasts before the item returns to the queue.
    "CLAIM_TTL_SECONDS": 30 * 60,
    #: Let trusted authors' posts show to readers before their evaluation finishes.
    "SHOW_TRUSTED_BEFORE_EVALUATION": True,
    #: Webhook targets on loopback/private addresses are refused unless this is on (tests, demo).
    "ALLOW_PRIVATE_WEBHOOK_URLS": False,
    #: Let a moderator claim, decide or snooze the review of a post they wrote. Off, a colleague does: turn it
    #: on for a forum with a single moderator, whose own held posts would otherwise wait for no one.
    "DECIDE_OWN_POSTS": False,
    #: Largest API submission body, in bytes (bigger → 413).
    "MAX_SUBMISSION_BYTES": 200 * 1024,
    #: Days a dispatched webhook event is kept once all its deliveries ended (delivered or failed): they are
    #: what ``GET /api/v1/webhooks/{id}/deliveries`` lists. Pruned hourly on beat; None keeps them forever.
    "WEBHOOK_RETENTION_DAYS": 30,
    #: Whether readers may see a public log of rejected posts.
    "PUBLIC_MODERATION_LOG": False,
    #: Send post text to third-party detectors (remote classifiers, LLM judge) only when on.
    "ALLOW_REMOTE_CLASSIFIERS": False,
    #: Seconds a pending revision whose message the broker never took (it was down at submit) waits before the
    #: sweep sends it; with beat's 30 s such a post waits at most this + 30 s. Short, because the intake's
    #: send after commit takes milliseconds (a few seconds when Redis is black-holed): a revision without a
    #: recorded send after this long had its send fail. (60 before ``Revision.enqueued_at`` told them apart.)
    "SWEEP_AFTER_SECONDS": 10,
    #: Seconds after the broker took a revision's message before the sweep sends it again. That message may
    #: still be waiting in a backlog (a re-send would only duplicate it) or lost with the broker (a Redis
    #: restarted without persistence): this is how long such a loss can hold a post as pending. A worker
    #: killed mid-task needs no re-send (its message comes back after the broker's visibility timeout).
    "SWEEP_RESEND_AFTER_SECONDS": 10 * 60,
    #: Evaluation task runs of one revision (each stage's run counts, so a normal post uses 1–2) before the
    #: pipeline gives up: it stores an error result and holds the post for a person (a poison message).
    "MAX_EVALUATION_ATTEMPTS": 5,
    #: Scheduling priority (Unix nice value, 0-19) of the Celery pool processes that run classifiers: scoring
    #: is background work, so on a shared machine the web process answers "submit" first. 0 leaves it alone.
    "WORKER_NICENESS": 10,
    #: Which revisions the classifiers read (services/scan_cost.py). ``scan``: "all", or "new_authors" (only
    #: authors below ``below_standing`` and within their first ``first_posts`` posts); an edit is re-scanned
    #: only when its edit distance to the last scanned revision reaches ``rescan_min_edit_distance``, and a
    #: post at most ``max_scans_per_post`` times (None: no limit). Skipped scans are recorded, never silent.
    "SCAN_COST": {"scan": "all", "below_standing": "trusted", "first_posts": 5, "rescan_min_edit_distance": 0,
                  "max_scans_per_post": None},
    #: Reader reports (services/reports.py): at most ``per_hour`` reports per reporter; a report adds
    #: ``priority`` × 2 × the reporter's accuracy, which starts from a prior of ``prior_upheld`` upheld out of
    #: ``prior_upheld + prior_not_upheld`` decided reports.
    "REPORTS": {"per_hour": 10, "priority": 20, "prior_upheld": 1, "prior_not_upheld": 1},
    #: Show a label derived from the classifiers (``source: classifier``) on posts not declared as AI whose
    #: top classifier score reaches ``min_score``; off unless the operator opts in.
    "CLASSIFIER_LABEL": {"enabled": False, "min_score": 0.9, "value": "ai_assisted"},
    #: The template the plugin's pages (queue, audit, stats, compliance, public log) extend; it must define the
    #: blocks ``title``, ``head``, ``content`` and ``scripts`` (moderation/frame.py).
    "BASE_TEMPLATE": "base.html",
    #: When a local user account is deleted, erase that author's personal data in the plugin too
    #: (services/erasure.py: their posts' texts, name, appeals, report notes, drafts; GDPR Art. 17).
    "ERASE_AUTHOR_ON_USER_DELETE": True,
}


class AppSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, "MODERATION", {}).get(name, DEFAULTS[name])

    @cached_property
    def adapter(self):
        return import_string(self.ADAPTER)()

    def reload(self):
        self.__dict__.pop("adapter", None)


app_settings = AppSettings()


def _reload(*, setting, **kwargs):
    if setting == "MODERATION":
        app_settings.reload()


setting_changed.connect(_reload)
