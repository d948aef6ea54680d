from django.db import migrations


def recount(apps, schema_editor):
    """Since 6c18a0f an AI-written section inside a quote is the quoted author's and does not count as the
    post's own (labels, grades and the policy read ``has_ai_blocks``), but revisions stored before it kept the
    old count: a post that only quoted someone's section still read as declaring AI-written sections. Parse
    again each revision that says it has some (the parser is linear; a body it refuses keeps its value)."""
    from disclosure.blocks import BlockSyntaxError, parse_body

    Revision = apps.get_model("moderation", "Revision")
    recounted = []  # updated after the scan: SQLite leaves an update of the table being iterated undefined
    for revision in Revision.objects.filter(has_ai_blocks=True).only("id", "body", "format").iterator(
            chunk_size=500):
        try:
            value = parse_body(revision.body, revision.format).has_ai_blocks
        except (BlockSyntaxError, ValueError):
            continue
        if not value:
            recounted.append(revision.pk)
    for start in range(0, len(recounted), 500):
        Revision.objects.filter(pk__in=recounted[start:start + 500]).update(has_ai_blocks=False)


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0014_notification_parts"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
