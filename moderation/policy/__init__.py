"""The policy: disclosure + author standing + category + classifier results → a decision.

A decision is an outcome (``publish``, ``publish_and_queue``, ``hold``, opt-in ``auto_reject``), reason
codes and a priority (higher = more urgent). Classifiers never punish anyone: at most they put a post in
front of a person; ``auto_reject`` exists only as a rule an operator turns on.

Rules are data, validated with pydantic (:class:`Rule`), so that a forum can change its policy as AI use
changes without changing code. They come from two places, merged by name:

1. ``MODERATION["POLICY"]`` (or, when unset, :data:`DEFAULT_RULES`, modelled on what large forums do);
2. admin-editable :class:`~moderation.models.PolicyRule` rows: a row replaces the rule of the same name,
   an inactive row removes it, other rows are added. Rows are validated when saved (``PolicyRule.clean``),
   so a bad rule is refused by the admin, never discovered at evaluation time.

Every rule whose conditions all hold contributes: the decision's outcome is the most severe one
(publish < publish_and_queue < hold < auto_reject), its reasons are all matched rules' reasons, and its
priority is the highest matched priority. No rule matched means ``publish``. See docs/moderation.md.

The package, one job per module (import from the module, this ``__init__`` re-exports nothing so that
``moderation.models`` can use the pure rule validation without loading the engine):

- :mod:`.evidence` — reading classifier results: the one flag threshold, findings, passage scores;
- :mod:`.inputs` — :class:`~.inputs.PolicyInput`, everything a rule looks at, built from a revision;
- :mod:`.rules` — rules as pure data (pydantic) and their validation;
- :mod:`.defaults` — the shipped default rules;
- :mod:`.engine` — deciding, and the policy in force (setting + admin rows);
- :mod:`.reasons` — what each reason code means, for people;
- :mod:`.appeals` — the one appeal rule (who may contest a rejection, and on what basis).
"""
