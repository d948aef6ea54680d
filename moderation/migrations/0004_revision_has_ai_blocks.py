from django.db import migrations, models


def backfill(apps, schema_editor):
    """Parse each stored body once. A body the current parser refuses counts as having none, as the label
    has always read it."""
    from disclosure.blocks import BlockSyntaxError, parse_body

    Revision = apps.get_model("moderation", "Revision")
    for revision in Revision.objects.filter(has_ai_blocks__isnull=True).only("id", "body", "format").iterator(
            chunk_size=500):
        try:
            value = parse_body(revision.body, revision.format).has_ai_blocks
        except (BlockSyntaxError, ValueError):
            value = False
        Revision.objects.filter(pk=revision.pk).update(has_ai_blocks=value)


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0003_review_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="has_ai_blocks",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
