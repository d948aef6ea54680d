# The queue page's fixed queries at 20k open items (see bench/bench_queue.py): its counts per status and per
# reason become an index-only scan of the undecided items' (status, reasons), grouped; the repeat-offender mark
# reads the rejected items only instead of scanning every review item.

from django.db import migrations, models

from moderation.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds the indexes concurrently: the queue keeps taking writes meanwhile

    dependencies = [
        ('moderation', '0009_review_item_api_order'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='reviewitem',
            index=models.Index(condition=models.Q(('status__in', ['open', 'claimed', 'snoozed'])), fields=['status', 'reasons'], name='review_queue_undecided_reasons'),
        ),
        AddIndexConcurrently(
            model_name='reviewitem',
            index=models.Index(condition=models.Q(('decision_action', 'reject'), ('status', 'decided')), fields=['submission'], name='review_item_rejections'),
        ),
    ]
