from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0005_audit_rows_protected_and_evaluation_attempts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteThreshold",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("classifier", models.CharField(max_length=100)),
                ("version", models.CharField(max_length=200)),
                ("threshold", models.FloatField()),
                ("shipped_threshold", models.FloatField(blank=True, null=True)),
                ("false_flag_rate", models.FloatField()),
                ("posts_before", models.DateTimeField()),
                ("posts_scored", models.PositiveIntegerField()),
                ("posts_flagged", models.PositiveIntegerField()),
                ("posts_flagged_shipped", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("classifier", "version"), name="site_threshold_unique")],
            },
        ),
    ]
