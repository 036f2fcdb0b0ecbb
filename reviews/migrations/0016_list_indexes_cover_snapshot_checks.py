from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0001_initial"),
        ("reviews", "0015_snapshots_keep_last_logged"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="readinesssnapshot",
            name="readiness_day_status",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "id"], include=("data_version", "guide"), name="case_status_id"
            ),
        ),
        migrations.AddIndex(
            model_name="readinesssnapshot",
            index=models.Index(
                fields=["as_of", "status", "case"],
                include=("data_version",),
                name="readiness_day_status",
            ),
        ),
        migrations.AddIndex(
            model_name="readinesssnapshot",
            index=models.Index(
                fields=["case", "as_of"], include=("data_version",), name="readiness_case_day"
            ),
        ),
    ]
