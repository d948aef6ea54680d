"""What a rule may look at (:class:`PolicyInput`), gathered once per evaluation."""
from __future__ import annotations

from dataclasses import dataclass

from disclosure.grades import Grade, grade_for
from disclosure.schema import Disclosure, load_stored

from ..categories import in_categories
from ..conf import app_settings
from ..models import ApiClient, ClassifierResult, Revision, StatementOfReasons, Submission
from ..selectors.labels import revision_has_ai_blocks


@dataclass
class PolicyInput:
    """Everything a rule may look at, gathered once per evaluation."""

    disclosure: Disclosure | None
    standing: str
    category: str
    results: list[ClassifierResult]
    has_ai_blocks: bool = False
    public_interest: bool = False
    #: The last moderator decision on this submission (``request_changes``, ``reject``…), if any.
    previous_decision: str = ""
    #: The version was saved by someone other than the author (``Revision.editor_external_id``).
    edited_by_other: bool = False
    #: The author saved a version of their own after the last decision, before this one (their answer to it).
    author_answered: bool = False
    #: This version is someone else's change (a moderator's edit) of a post a person approved, the author not
    #: having posted since: the rules that matched the version they approved (what they saw and accepted).
    #: Such a rule does not hide the edit again (:meth:`RulePolicy.decide`); a rule new to this version applies
    #: as written.
    approved_rules: frozenset[str] = frozenset()
    #: ... and the edit declares what that person approved (the same disclosure): of those rules, the ones about
    #: the declaration alone (no classifier condition) are not asked again.
    approved_declaration: bool = False

    @property
    def grade(self) -> Grade:
        """The EU AI Act involvement grade the declaration implies (disclosure/grades.py)."""
        return grade_for(self.disclosure, has_ai_blocks=self.has_ai_blocks)

    @property
    def exempt_by_review(self) -> bool:
        """A named person reviewed the AI text and holds editorial responsibility (Art. 50(4))."""
        review = self.disclosure.human_review if self.disclosure is not None else None
        return bool(review and review.reviewed and review.responsible.strip())

    @classmethod
    def build(cls, *, submission: Submission, revision: Revision, results: list[ClassifierResult],
              has_ai_blocks: bool | None = None) -> PolicyInput:
        """``has_ai_blocks``: pass it when the caller has parsed the body already (else it is parsed here)."""
        # The decision this revision answers: one taken before it was written. A decision taken later (on this
        # very revision) is not "previous" when the revision is replayed (policy_dryrun) or re-scored.
        last = submission.review_items.filter(status="decided", decided_at__lte=revision.created_at) \
            .order_by("-decided_at", "-id") \
            .values_list("decision_action", "decided_at", "revision__disclosure", "evaluation__details").first()
        # an automatic rejection of an earlier revision is a decision too, also with no item to carry it (a post
        # rejected on arrival): an edit after it waits for a person as an edit after any rejection does. One that
        # took effect: its statement of reasons (an auto_reject evaluation of a revision a person had decided, or
        # while an appeal waited, changed nothing)
        auto = StatementOfReasons.objects.filter(submission=submission, automated_decision=True,
                                                 evaluation__revision__number__lt=revision.number,
                                                 created_at__lte=revision.created_at) \
            .order_by("-created_at", "-id").values_list("created_at", flat=True).first()
        if auto is not None and (last is None or auto > last[1]):
            last = ("reject", auto, None, None)
        answered = last is not None and submission.revisions.filter(
            # at or after the decision, as ``last`` counts this revision "after" it on a tie
            editor_external_id="", created_at__gte=last[1], number__lt=revision.number).exists()
        approved_then_edited = bool(revision.editor_external_id) and last is not None and last[0] == "approve" \
            and not answered
        # what the person who approved saw: the rules that matched the version they approved
        approved_rules = frozenset((last[3] or {}).get("matched_rules", [])) if approved_then_edited else frozenset()
        return cls(disclosure=load_stored(revision.disclosure), standing=submission.author_standing,
                   category=submission.category, results=list(results),
                   has_ai_blocks=revision_has_ai_blocks(revision) if has_ai_blocks is None else has_ai_blocks,
                   public_interest=_is_public_interest(submission), previous_decision=last[0] if last else "",
                   edited_by_other=bool(revision.editor_external_id), author_answered=answered,
                   approved_rules=approved_rules,
                   approved_declaration=approved_then_edited and last[2] == revision.disclosure)


def _is_public_interest(submission: Submission) -> bool:
    if not submission.category:
        return False
    client = submission.client
    if in_categories(submission.category, client.public_interest_categories):
        return True
    return client.name == ApiClient.LOCAL_NAME and in_categories(submission.category,
                                                                 app_settings.adapter.public_interest_categories())
