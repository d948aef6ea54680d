# The API's review-item list in its default order (-priority, created_at) over every status: an index scan
# instead of a sort of all of the client's items per page (see bench/bench_queue.py).

from django.db import migrations, models

from moderation.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # PostgreSQL builds the indexes concurrently: the queue keeps taking writes meanwhile

    dependencies = [
        ('moderation', '0008_site_threshold'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='reviewitem',
            index=models.Index(models.OrderBy(models.F('priority'), descending=True), models.OrderBy(models.F('created_at')), name='review_item_api_order'),
        ),
    ]
