"""Audit rows are append-only: read-only in the admin, protected from cascades, immutable as objects, and the
demo moderators' group cannot delete them."""
import pytest
from django.db.models import ProtectedError
from django.test import Client

from moderation.models import Action, AuditRowImmutable, ClassifierResult, Evaluation, ReviewItem, Revision, Submission

pytestmark = [pytest.mark.security, pytest.mark.django_db]

AUDIT_MODELS = [Action, Revision, ReviewItem, Submission, ClassifierResult, Evaluation]


@pytest.fixture
def audited(queued_post, item_of, moderator):
    from moderation.services.review import Actor, review_item_claim

    post = queued_post()
    item = item_of(post)
    review_item_claim(item_id=item.pk, actor=Actor.for_user(moderator))
    return post.submission


@pytest.fixture
def admin_client(django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "a-long-admin-password")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", AUDIT_MODELS, ids=lambda m: m.__name__)
def test_the_admin_shows_audit_rows_but_cannot_add_change_or_delete_them(audited, admin_client, model):
    row = model.objects.filter(**({"submission": audited} if model in (Action, Revision, ReviewItem) else
                                  {"pk": audited.pk} if model is Submission else {"revision__submission": audited})
                               ).first()
    assert row is not None
    base = f"/admin/moderation/{model._meta.model_name}/"
    assert admin_client.get(base).status_code == 200
    change = admin_client.get(f"{base}{row.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin_client.post(f"{base}{row.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"{base}{row.pk}/delete/").status_code == 403
    assert admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(base, {"action": "delete_selected", "_selected_action": [row.pk]}).status_code in (
        200, 302)
    assert model.objects.filter(pk=row.pk).exists()


def test_deleting_a_submission_does_not_cascade_into_its_history(audited):
    actions = Action.objects.filter(submission=audited).count()
    assert actions >= 2  # opened by the pipeline, claimed by the moderator
    with pytest.raises(ProtectedError):
        Submission.objects.filter(pk=audited.pk).delete()
    with pytest.raises(ProtectedError):
        ReviewItem.objects.filter(submission=audited).delete()
    assert Action.objects.filter(submission=audited).count() == actions


def test_an_action_row_cannot_be_changed_or_deleted(audited):
    action = Action.objects.filter(submission=audited).first()
    action.note = "rewritten history"
    with pytest.raises(AuditRowImmutable):
        action.save()
    with pytest.raises(AuditRowImmutable):
        action.delete()
    assert Action.objects.get(pk=action.pk).note != "rewritten history"


def test_the_demo_moderators_group_holds_no_delete_permission(db, settings):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    settings.DEBUG = True  # seed_demo runs for the demo only
    call_command("seed_demo")
    codenames = set(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True))
    assert not {c for c in codenames if c.startswith("delete_")}, codenames
    assert {"change_reviewitem", "view_action", "view_submission"} <= codenames
    assert "change_action" not in codenames
