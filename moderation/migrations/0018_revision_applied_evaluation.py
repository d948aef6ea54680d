"""``Revision.applied_evaluation``: which evaluation the post last took, so that a policy put back as it was
applies its old evaluation again, and ``reevaluate`` finds the posts an older policy decided (round 21). Existing
revisions point at their newest evaluation, the one the pipeline applied until now (one UPDATE)."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def point_at_newest(apps, schema_editor):
    Revision = apps.get_model("moderation", "Revision")
    Evaluation = apps.get_model("moderation", "Evaluation")
    newest = Evaluation.objects.filter(revision=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    Revision.objects.filter(evaluations__isnull=False).update(applied_evaluation=Subquery(newest))


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0017_submission_host_removal_and_erasure"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="applied_evaluation",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="moderation.evaluation"),
        ),
        migrations.RunPython(point_at_newest, migrations.RunPython.noop),
    ]
